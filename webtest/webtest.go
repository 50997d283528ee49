// Package webtest is the one harness for civicmon's HTTP tests: a server
// over a real SQLite database per test (the demo data, one account per
// role, a draft by each role that writes, an API token per role), clients
// that sign in and keep cookies, and scenarios — method, URL, as whom, the
// status expected, what the body must and must NOT contain — run as
// subtests. The site, the workspace and the API tests all use it.
package webtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/web"
)

// Password is every test account's password.
const Password = "correct horse battery staple"

// Anonymous is the As of a scenario without an account.
const Anonymous = "anonymous"

// Env is a served site over its own database.
type Env struct {
	T      testing.TB
	DB     *sqldb.DB
	Store  civicmon.Store
	Server *server.Server
	HTTP   *httptest.Server
	URL    string
	// Users holds one account per role; Drafts a draft by each role that
	// writes (researcher, editor), with a private note.
	Users  map[civicmon.Role]*civicmon.User
	Drafts map[civicmon.Role]*civicmon.Update
	// Tokens holds an API token's secret per role; Service the account
	// each token acts as; Revoked is the secret of a revoked token.
	Tokens  map[civicmon.Role]string
	Service map[civicmon.Role]*civicmon.User
	Revoked string
	// Now is the server's clock: the time it holds, or the real time when
	// it holds nil. Tests move it with SetNow.
	Now atomic.Pointer[time.Time]

	logs lockedWriter

	clients map[civicmon.Role]*Client
}

// Options change the environment.
type Options struct {
	// Empty leaves the database without the demo data and accounts.
	Empty bool
	// Configure changes the server's configuration before it is built.
	Configure func(*web.Config)
	// Engine is the database to serve; SQLite when zero.
	Engine storetest.Engine
}

// New serves the demo data with an account, a draft and an API token per
// role, over a new database (SQLite unless Options.Engine says otherwise)
// that the test removes when it ends.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	ctx := context.Background()
	engine := o.Engine
	if engine.Open == nil {
		engine = storetest.SQLite
	}
	db := engine.Open(t)
	e := &Env{T: t, DB: db, Store: db.Store(), Users: map[civicmon.Role]*civicmon.User{}, Drafts: map[civicmon.Role]*civicmon.Update{},
		Tokens: map[civicmon.Role]string{}, Service: map[civicmon.Role]*civicmon.User{},
		clients: map[civicmon.Role]*Client{}}
	if !o.Empty {
		e.seed(ctx)
	}
	e.logs.w = &strings.Builder{}
	cfg := web.Config{Store: db.Store(), Schema: db, Changes: db, Logger: slog.New(slog.NewTextHandler(&e.logs, nil)),
		Now: func() time.Time {
			if t := e.Now.Load(); t != nil {
				return *t
			}
			return time.Now()
		}}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Server = srv
	e.HTTP = httptest.NewServer(srv.Handler())
	e.URL = e.HTTP.URL
	t.Cleanup(e.HTTP.Close)
	return e
}

// Logs is what the server has logged so far.
func (e *Env) Logs() string {
	e.logs.mu.Lock()
	defer e.logs.mu.Unlock()
	return e.logs.w.(*strings.Builder).String()
}

// SetNow sets the server's clock.
func (e *Env) SetNow(t time.Time) { e.Now.Store(&t) }

func (e *Env) seed(ctx context.Context) {
	t, s := e.T, e.Store
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, role := range civicmon.Roles {
		u := &civicmon.User{Email: string(role) + "@example.org", Name: "The " + string(role), Role: role, PasswordHash: CheapHash(t, Password)}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		e.Users[role] = u
	}
	for _, role := range []civicmon.Role{civicmon.RoleResearcher, civicmon.RoleEditor} {
		d := &civicmon.Update{CountryCode: "KZ", Title: "Draft by the " + string(role), AuthorID: e.Users[role].ID,
			InternalNotes: "private note of the " + string(role)}
		if err := s.CreateUpdate(ctx, d); err != nil {
			t.Fatal(err)
		}
		e.Drafts[role] = d
	}
	for _, role := range civicmon.Roles {
		secret, hash := civicmon.NewAPIToken()
		tok := civicmon.APIToken{Name: string(role) + " bot", Role: role, TokenHash: hash}
		if err := s.CreateAPIToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
		e.Tokens[role] = secret
		u, err := s.UserByID(ctx, tok.UserID)
		if err != nil {
			t.Fatal(err)
		}
		e.Service[role] = u
	}
	secret, hash := civicmon.NewAPIToken()
	tok := civicmon.APIToken{Name: "old", Role: civicmon.RoleEditor, TokenHash: hash}
	if err := s.CreateAPIToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	e.Revoked = secret
}

// CheapHash keeps sign-ins in tests fast; Verify reads the cost from the hash.
func CheapHash(t testing.TB, pw string) string {
	h, err := password.Hash(pw, password.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Client is a browser: it keeps cookies and does not follow redirects.
type Client struct {
	t    testing.TB
	base string
	c    *http.Client
	// Bearer, when set, is sent as an API token.
	Bearer string
}

// Client returns a new anonymous client.
func (e *Env) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: e.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// SignedIn returns a client signed in as the role's account.
func (e *Env) SignedIn(t testing.TB, role civicmon.Role) *Client {
	t.Helper()
	c := e.Client(t)
	if resp := c.Login(e.Users[role].Email, Password); resp.Status != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("sign in as %s: %d → %s", role, resp.Status, resp.Header.Get("Location"))
	}
	return c
}

// Response is an answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends a request; a form is sent url-encoded, and, when it has no
// csrf_token, with the client's.
func (c *Client) Do(method, path string, form url.Values) *Response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.Send(req)
}

// Send sends a request made by the test (its URL may be a path).
func (c *Client) Send(req *http.Request) *Response {
	c.t.Helper()
	if req.URL.Host == "" {
		u, _ := url.Parse(c.base + req.URL.RequestURI())
		req.URL = u
		req.Host = u.Host
	}
	if c.Bearer != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(out)}
}

// Get is Do("GET", path, nil).
func (c *Client) Get(path string) *Response { return c.Do(http.MethodGet, path, nil) }

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// CSRF fetches a form page and returns its anti-forgery token.
func (c *Client) CSRF() string {
	c.t.Helper()
	r := c.Get("/admin/login")
	if m := csrfInput.FindStringSubmatch(r.Body); m != nil {
		return m[1]
	}
	r = c.Get("/admin")
	if m := csrfInput.FindStringSubmatch(r.Body); m != nil {
		return m[1]
	}
	c.t.Fatal("no page with a csrf_token")
	return ""
}

// Login posts the sign-in form.
func (c *Client) Login(email, pw string) *Response {
	c.t.Helper()
	return c.Do(http.MethodPost, "/admin/login", url.Values{"csrf_token": {c.CSRF()}, "email": {email}, "password": {pw}})
}

// Post posts a form with the client's anti-forgery token added.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.CSRF())
	}
	return c.Do(http.MethodPost, path, form)
}

// Scenario is one request and what its answer must be.
type Scenario struct {
	Name   string
	Method string // GET when empty
	URL    string
	// As is who asks: Anonymous (or empty), a role's name for its signed-in
	// account, or "token:" and a role for its API token.
	As     string
	Form   url.Values // posted with the account's CSRF token added
	Body   string     // a raw body (with Header's Content-Type)
	Header map[string]string
	// Status is the status expected (200 when 0).
	Status int
	// Contains must all be in the body; NotContains none of it.
	Contains, NotContains []string
	// Check, when set, looks further at the answer.
	Check func(t *testing.T, r *Response)
}

// Run runs each scenario as a subtest, against this environment.
func (e *Env) Run(t *testing.T, scenarios ...Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		name := sc.Name
		if name == "" {
			name = cmp.Or(sc.Method, "GET") + " " + sc.URL + " as " + cmp.Or(sc.As, Anonymous)
		}
		t.Run(name, func(t *testing.T) {
			r := e.Do(t, sc)
			sc.Expect(t, r)
		})
	}
}

// Do sends a scenario's request and returns the answer, unchecked.
func (e *Env) Do(t testing.TB, sc Scenario) *Response {
	t.Helper()
	method := sc.Method
	if method == "" {
		method = http.MethodGet
	}
	c := e.Client(t)
	switch as := sc.As; {
	case as == "" || as == Anonymous:
	case strings.HasPrefix(as, "token:"):
		role := civicmon.Role(strings.TrimPrefix(as, "token:"))
		if e.Tokens[role] == "" {
			t.Fatalf("no API token for %q", as)
		}
		c.Bearer = e.Tokens[role]
	default:
		role := civicmon.Role(as)
		if e.Users[role] == nil {
			t.Fatalf("no account for %q", as)
		}
		c = e.SignedIn(t, role)
	}
	if sc.Form != nil {
		form := url.Values{}
		for k, v := range sc.Form {
			form[k] = v
		}
		if form.Get("csrf_token") == "" && c.Bearer == "" {
			form.Set("csrf_token", c.CSRF())
		}
		return c.Do(method, sc.URL, form)
	}
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(sc.Body)
	}
	req, err := http.NewRequest(method, e.URL+sc.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range sc.Header {
		req.Header.Set(k, v)
	}
	return c.Send(req)
}

// Expect checks an answer against the scenario.
func (sc Scenario) Expect(t testing.TB, r *Response) {
	t.Helper()
	want := sc.Status
	if want == 0 {
		want = http.StatusOK
	}
	if r.Status != want {
		t.Errorf("%s %s as %s: status %d, want %d\n%s", sc.Method, sc.URL, sc.As, r.Status, want, excerpt(r.Body))
	}
	for _, s := range sc.Contains {
		if !strings.Contains(r.Body, s) {
			t.Errorf("%s %s as %s: the body lacks %q\n%s", sc.Method, sc.URL, sc.As, s, excerpt(r.Body))
		}
	}
	for _, s := range sc.NotContains {
		if strings.Contains(r.Body, s) {
			t.Errorf("%s %s as %s: the body holds %q, which it must not", sc.Method, sc.URL, sc.As, s)
		}
	}
	if sc.Check != nil {
		if tt, ok := t.(*testing.T); ok {
			sc.Check(tt, r)
		}
	}
}

func excerpt(s string) string {
	if len(s) > 600 {
		return s[:600] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

// lockedWriter lets the server's goroutines share the log buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
