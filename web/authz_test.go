package web_test

import (
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
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/web"
)

// cheapHash keeps sign-ins in tests fast; Verify reads the cost from the hash.
func cheapHash(t testing.TB, pw string) string {
	h, err := password.Hash(pw, password.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

const testPassword = "correct horse battery staple"

type workspace struct {
	ts     *httptest.Server
	srv    *web.Server
	db     *sqldb.DB
	users  map[civicmon.Role]*civicmon.User
	drafts map[civicmon.Role]*civicmon.Update // a draft written by each role that writes
}

type webConfig = web.Config

// newWorkspace serves the demo data with one account per role.
func newWorkspace(t *testing.T) *workspace { return newWorkspaceWith(t, nil) }

func newWorkspaceWith(t *testing.T, configure func(*web.Config)) *workspace {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite.Open(t)
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{Store: db.Store(), Schema: db, Changes: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ws := &workspace{srv: srv, db: db, users: map[civicmon.Role]*civicmon.User{}, drafts: map[civicmon.Role]*civicmon.Update{}}
	for _, role := range civicmon.Roles {
		u := &civicmon.User{Email: string(role) + "@example.org", Name: "The " + string(role), Role: role, PasswordHash: cheapHash(t, testPassword)}
		if err := db.Store().CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		ws.users[role] = u
	}
	for _, role := range []civicmon.Role{civicmon.RoleResearcher, civicmon.RoleEditor} {
		d := &civicmon.Update{CountryCode: "KZ", Title: "Draft by the " + string(role), AuthorID: ws.users[role].ID,
			InternalNotes: "private note of the " + string(role)}
		if err := db.Store().CreateUpdate(ctx, d); err != nil {
			t.Fatal(err)
		}
		ws.drafts[role] = d
	}
	ws.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(ws.ts.Close)
	return ws
}

// browser is a client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (ws *workspace) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: ws.ts.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token fetches a form page and returns its anti-forgery token.
func (b *browser) token() string {
	b.t.Helper()
	_, body := b.do("GET", "/admin/login", nil)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatal("login form has no csrf_token")
	}
	return m[1]
}

func (b *browser) login(email, pw string) *http.Response {
	b.t.Helper()
	resp, _ := b.do("POST", "/admin/login", url.Values{"csrf_token": {b.token()}, "email": {email}, "password": {pw}})
	return resp
}

func (ws *workspace) signedIn(t *testing.T, role civicmon.Role) *browser {
	b := ws.browser(t)
	if resp := b.login(ws.users[role].Email, testPassword); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("sign in as %s: %d → %s", role, resp.StatusCode, resp.Header.Get("Location"))
	}
	return b
}

// rule is the expected answer of one route: which roles get through.
type rule struct {
	path  string // a concrete path for the pattern (%d: the researcher's draft, %e: the editor's)
	form  url.Values
	allow map[string]bool // "anonymous" and the roles
}

func allow(who ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range who {
		m[w] = true
	}
	return m
}

// moreRules lets the test files of other surfaces (the API, say) add the
// rules of their routes to the matrix from an init function.
var moreRules = map[string]rule{}

var everyone = allow("anonymous", "admin", "editor", "researcher", "reviewer")
var accounts = allow("admin", "editor", "researcher", "reviewer")

// TestAuthorizationMatrix tries every route the router has, as anonymous
// and as each role. A route added without a rule here fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	ws := newWorkspace(t)
	preview := url.Values{"action": {"preview"}, "country": {"KZ"}, "title": {"T"}}
	rules := map[string]rule{
		"GET /healthz":                          {"/healthz", nil, everyone},
		"GET /readyz":                           {"/readyz", nil, everyone},
		"GET /static/":                          {"/static/none.css", nil, everyone},
		"GET /{$}":                              {"/", nil, everyone},
		"GET /countries":                        {"/countries", nil, everyone},
		"GET /countries/{slug}":                 {"/countries/kazakhstan", nil, everyone},
		"GET /updates/{slug}":                   {"/updates/wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests", nil, everyone},
		"GET /updates/{slug}/{lang}":            {"/updates/wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests/ru", nil, everyone},
		"GET /regions/{slug}":                   {"/regions/africa", nil, everyone},
		"GET /freedoms/{slug}":                  {"/freedoms/expression", nil, everyone},
		"GET /tags/{slug}":                      {"/tags/censorship", nil, everyone},
		"GET /watchlist":                        {"/watchlist", nil, everyone},
		"GET /watchlist/{date}":                 {"/watchlist/2019-10-01", nil, everyone},
		"GET /methodology":                      {"/methodology", nil, everyone},
		"GET /embed/map":                        {"/embed/map", nil, everyone},
		"GET /robots.txt":                       {"/robots.txt", nil, everyone},
		"GET /sitemap.xml":                      {"/sitemap.xml", nil, everyone},
		"GET /sitemaps/{name}":                  {"/sitemaps/pages.xml", nil, everyone},
		"/":                                     {"/no-such-page", nil, everyone},
		"GET /admin/login":                      {"/admin/login", nil, everyone},
		"POST /admin/login":                     {"/admin/login", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}}, everyone},
		"POST /admin/logout":                    {"/admin/logout", url.Values{}, everyone},
		"GET /admin/login/2fa":                  {"/admin/login/2fa", nil, everyone},
		"POST /admin/login/2fa":                 {"/admin/login/2fa", url.Values{"code": {"000000"}}, everyone},
		"GET /admin/password-reset":             {"/admin/password-reset", nil, everyone},
		"POST /admin/password-reset":            {"/admin/password-reset", url.Values{"email": {"nobody@example.org"}}, everyone},
		"GET /admin/password-reset/{token}":     {"/admin/password-reset/not-a-token", nil, everyone},
		"POST /admin/password-reset/{token}":    {"/admin/password-reset/not-a-token", url.Values{"password": {"x"}}, everyone},
		"GET /admin/account/2fa":                {"/admin/account/2fa", nil, accounts},
		"POST /admin/account/2fa":               {"/admin/account/2fa", url.Values{"code": {"1"}}, accounts},
		"GET /admin/updates/{id}/history":       {"/admin/updates/%d/history", nil, allow("admin", "editor")},
		"GET /admin/updates/{id}/history#other": {"/admin/updates/%e/history", nil, allow("admin", "editor")},
		"GET /admin/ratings":                    {"/admin/ratings", nil, accounts},
		"POST /admin/ratings":                   {"/admin/ratings", url.Values{"country": {"KZ"}}, allow("admin", "editor")},
		"POST /admin/ratings/{id}/{decision}":   {"/admin/ratings/999999/approve", nil, allow("admin", "reviewer")},
		"GET /admin/watchlist":                  {"/admin/watchlist", nil, allow("admin", "editor")},
		"POST /admin/watchlist":                 {"/admin/watchlist", url.Values{"title": {"x"}}, allow("admin", "editor")},
		"GET /admin/users":                      {"/admin/users", nil, allow("admin")},
		"POST /admin/users":                     {"/admin/users", url.Values{"email": {"new@example.org"}, "password": {"short"}}, allow("admin")},
		"POST /admin/users/{id}":                {"/admin/users/999999", url.Values{"action": {"enable"}}, allow("admin")},
		"GET /admin/vocabularies":               {"/admin/vocabularies", nil, allow("admin")},
		"POST /admin/vocabularies":              {"/admin/vocabularies", url.Values{"kind": {"nope"}}, allow("admin")},
		"GET /admin/settings":                   {"/admin/settings", nil, allow("admin")},
		"POST /admin/settings":                  {"/admin/settings", url.Values{}, allow("admin")},
		"GET /admin/watchlist/{id}":             {"/admin/watchlist/1", nil, allow("admin", "editor")},
		"POST /admin/watchlist/{id}":            {"/admin/watchlist/1", url.Values{"title": {""}}, allow("admin", "editor")},
		"GET /admin/history/{entity}/{id}":      {"/admin/history/watchlist/1", nil, allow("admin", "editor", "reviewer")},
		"GET /admin":                            {"/admin", nil, accounts},
		"GET /admin/updates/new":                {"/admin/updates/new", nil, allow("admin", "editor", "researcher")},
		"POST /admin/updates":                   {"/admin/updates", preview, allow("admin", "editor", "researcher")},
		"GET /admin/updates/{id}":               {"/admin/updates/%d", nil, allow("admin", "editor", "researcher")},
		"POST /admin/updates/{id}":              {"/admin/updates/%d", preview, allow("admin", "editor", "researcher")},
		"GET /admin/updates/{id}#other":         {"/admin/updates/%e", nil, allow("admin", "editor")},
		"POST /admin/updates/{id}#other":        {"/admin/updates/%e", preview, allow("admin", "editor")},
	}
	for pattern, rl := range moreRules {
		rules[pattern] = rl
	}
	for _, r := range ws.srv.Routes() {
		if _, ok := rules[r.Pattern]; !ok {
			t.Errorf("route %q has no rule in the authorization matrix: add one", r.Pattern)
		}
	}
	browsers := map[string]*browser{"anonymous": ws.browser(t)}
	for _, role := range civicmon.Roles {
		browsers[string(role)] = ws.signedIn(t, role)
	}
	for pattern, rl := range rules {
		method := "GET"
		if strings.HasPrefix(pattern, "POST ") {
			method = "POST"
		}
		path := strings.NewReplacer("%d", fmt.Sprint(ws.drafts[civicmon.RoleResearcher].ID),
			"%e", fmt.Sprint(ws.drafts[civicmon.RoleEditor].ID)).Replace(rl.path)
		for who, b := range browsers {
			if pattern == "POST /admin/logout" {
				continue // it would end the session the other rows need; tested in TestLogin
			}
			var form url.Values
			if method == "POST" {
				form = url.Values{"csrf_token": {b.token()}}
				for k, v := range rl.form {
					form[k] = v
				}
			}
			resp, _ := b.do(method, path, form)
			denied := resp.StatusCode == http.StatusForbidden ||
				(resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/admin/login?next="))
			if want := rl.allow[who]; denied == want {
				t.Errorf("%s %s as %s: status %d (Location %q); want allowed=%v", method, path, who, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
	}
}

// TestCSRF: every state-changing route refuses a request without the
// token, or with a wrong one, or from another site's page.
func TestCSRF(t *testing.T) {
	ws := newWorkspace(t)
	b := ws.signedIn(t, civicmon.RoleAdmin)
	for _, r := range ws.srv.Routes() {
		if !strings.HasPrefix(r.Pattern, "POST ") {
			continue
		}
		path := strings.Replace(strings.TrimPrefix(r.Pattern, "POST "), "{id}", fmt.Sprint(ws.drafts[civicmon.RoleEditor].ID), 1)
		for name, form := range map[string]url.Values{
			"no token":    {"action": {"save"}},
			"wrong token": {"action": {"save"}, "csrf_token": {strings.Repeat("x", 43)}},
		} {
			if resp, _ := b.do("POST", path, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d, want 403", path, name, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest("POST", ws.ts.URL+path, strings.NewReader(url.Values{"csrf_token": {b.token()}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s from another origin: %d, want 403", path, resp.StatusCode)
		}
	}
}
