package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/web"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/paths"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// apiEnv is a workspace with an API token per role, and a revoked one.
type apiEnv struct {
	*workspace
	tokens  map[civicmon.Role]string
	service map[civicmon.Role]*civicmon.User // each token's service account
	revoked string
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	ws := newWorkspace(t)
	env := &apiEnv{workspace: ws, tokens: map[civicmon.Role]string{}, service: map[civicmon.Role]*civicmon.User{}}
	ctx := context.Background()
	s := ws.db.Store()
	for _, role := range civicmon.Roles {
		secret, hash := civicmon.NewAPIToken()
		tok := civicmon.APIToken{Name: string(role) + " bot", Role: role, TokenHash: hash}
		if err := s.CreateAPIToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
		env.tokens[role] = secret
		u, err := s.UserByID(ctx, tok.UserID)
		if err != nil {
			t.Fatal(err)
		}
		env.service[role] = u
	}
	secret, hash := civicmon.NewAPIToken()
	tok := civicmon.APIToken{Name: "old", Role: civicmon.RoleEditor, TokenHash: hash}
	if err := s.CreateAPIToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	env.revoked = secret
	return env
}

// apiResp is an answer of the API, read whole.
type apiResp struct {
	*http.Response
	body []byte
}

func (r *apiResp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s: %v in %s", r.Request.URL, err, r.body)
	}
}

func (r *apiResp) problem(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s %s: %d with Content-Type %q, want a problem: %s", r.Request.Method, r.Request.URL, r.StatusCode, ct, r.body)
	}
	var p map[string]any
	r.json(t, &p)
	return p
}

// call is one request: method, path, token, body, and extra headers.
type call struct {
	method, path, token string
	body                any // a string is sent as it is; anything else as JSON
	header              map[string]string
}

func (env *apiEnv) request(t *testing.T, c call) *http.Request {
	t.Helper()
	var body io.Reader
	if c.body != nil {
		b, ok := c.body.(string)
		if !ok {
			j, err := json.Marshal(c.body)
			if err != nil {
				t.Fatal(err)
			}
			b = string(j)
		}
		body = strings.NewReader(b)
	}
	req, err := http.NewRequest(c.method, env.ts.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return req
}

func (env *apiEnv) do(t *testing.T, c call) *apiResp {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(env.request(t, c))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &apiResp{Response: resp, body: b}
}

// loadOpenAPI fetches the server's OpenAPI document and checks it against
// the OpenAPI 3.1 specification.
func loadOpenAPI(t *testing.T, env *apiEnv) (validator.Validator, *v3.Document) {
	t.Helper()
	r := env.do(t, call{method: "GET", path: "/api/v1/openapi.json"})
	if r.StatusCode != 200 {
		t.Fatalf("openapi.json: %d", r.StatusCode)
	}
	doc, err := libopenapi.NewDocument(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); v != "3.1.0" {
		t.Fatalf("OpenAPI version %q, want 3.1.0", v)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build model: %v", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("openapi.json is not a valid OpenAPI 3.1 document: %s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s (%s)", se.Reason, se.FieldPath, se.KeywordLocation)
			}
		}
		t.FailNow()
	}
	return v, &model.Model
}

// TestAPIConformsToOpenAPI validates the OpenAPI document, checks that it
// and the router describe the same operations, then calls every operation
// live — its successes and its errors — and checks each answer's status,
// headers and body against the document. Every response the document
// describes must have been seen.
func TestAPIConformsToOpenAPI(t *testing.T) {
	env := newAPIEnv(t)
	v, model := loadOpenAPI(t, env)

	// The router and the document describe the same operations.
	documented := map[string]bool{}
	for path, item := range model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range env.srv.Routes() {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/v1/") || strings.HasSuffix(path, "/") {
			continue
		}
		routed[r.Pattern] = true
		if !documented[r.Pattern] {
			t.Errorf("route %s is not in openapi.json", r.Pattern)
		}
		if method == "GET" && r.Public && !documented["OPTIONS "+path] {
			t.Errorf("public route %s has no OPTIONS (CORS preflight) in openapi.json", r.Pattern)
		}
	}
	for op := range documented {
		if !routed[op] && !strings.HasPrefix(op, "OPTIONS ") {
			t.Errorf("openapi.json describes %s, which the router does not have", op)
		}
	}

	ctx := context.Background()
	st := env.db.Store()
	pubs, _, err := st.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1})
	if err != nil || len(pubs) == 0 {
		t.Fatalf("no published update in the demo data: %v", err)
	}
	pub := pubs[0]
	researcherDraft := env.drafts[civicmon.RoleResearcher] // written by a person's account, not a token
	R, E, V := env.tokens[civicmon.RoleResearcher], env.tokens[civicmon.RoleEditor], env.tokens[civicmon.RoleReviewer]

	seen := map[string]map[int]bool{} // "GET /api/v1/…" → statuses seen
	check := func(c call, want int, validRequest bool) *apiResp {
		t.Helper()
		r := env.do(t, c)
		if r.StatusCode != want {
			t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, r.StatusCode, want, r.body)
		}
		req := env.request(t, c)
		if validRequest {
			if ok, errs := v.ValidateHttpRequestSync(req); !ok {
				for _, e := range errs {
					t.Errorf("%s %s: the request does not match openapi.json: %s: %s", c.method, c.path, e.Message, e.Reason)
				}
			}
			req = env.request(t, c)
		}
		resp := *r.Response
		resp.Body = io.NopCloser(bytes.NewReader(r.body))
		if ok, errs := v.ValidateHttpResponse(req, &resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d: the answer does not match openapi.json: %s: %s", c.method, c.path, r.StatusCode, e.Message, e.Reason)
				for _, se := range e.SchemaValidationErrors {
					t.Errorf("  %s at %s (%s)", se.Reason, se.FieldPath, se.KeywordLocation)
				}
			}
		}
		_, _, tmpl := paths.FindPath(env.request(t, c), model, config.NewValidationOptions())
		if tmpl == "" {
			t.Errorf("%s %s matches no path of openapi.json", c.method, c.path)
		}
		key := c.method + " " + tmpl
		if seen[key] == nil {
			seen[key] = map[int]bool{}
		}
		seen[key][r.StatusCode] = true
		return r
	}
	get := func(path string, want int) *apiResp {
		t.Helper()
		return check(call{method: "GET", path: path}, want, want < 400)
	}
	notModified := func(path string) {
		t.Helper()
		r := get(path, 200)
		etag := r.Header.Get("ETag")
		check(call{method: "GET", path: path, header: map[string]string{"If-None-Match": etag}}, http.StatusNotModified, true)
	}

	// Public reads.
	for _, p := range []string{"/api/v1/openapi.json", "/api/v1/countries", "/api/v1/countries/kazakhstan", "/api/v1/ratings",
		"/api/v1/updates", "/api/v1/updates/" + pub.UID, "/api/v1/incidents", "/api/v1/watchlist", "/api/v1/watchlist/2019-10-01",
		"/api/v1/vocabularies"} {
		notModified(p)
		check(call{method: "OPTIONS", path: p, header: map[string]string{"Origin": "https://elsewhere.example",
			"Access-Control-Request-Method": "GET"}}, http.StatusNoContent, true)
		if p != "/api/v1/openapi.json" {
			get(p+"?colour=blue", 422)
		}
	}
	get("/api/v1/countries?region=africa&category=repressed", 200)
	get("/api/v1/countries?region=atlantis", 422)
	get("/api/v1/countries/KZ", 200)
	get("/api/v1/countries/zz", 404)
	get("/api/v1/ratings?country=KZ&since=2018-01-01&until=2030-01-01", 200)
	get("/api/v1/ratings?as_of=2021-01-01&region=europe-central-asia", 200)
	get("/api/v1/ratings?as_of=yesterday&since=2020-01-01&until=2019-01-01", 422)
	first := get("/api/v1/updates?country=kazakhstan&limit=3", 200)
	var page struct {
		Data       []map[string]any `json:"data"`
		NextCursor *string          `json:"next_cursor"`
	}
	first.json(t, &page)
	if len(page.Data) != 3 || page.NextCursor == nil || !strings.Contains(first.Header.Get("Link"), `rel="next"`) {
		t.Fatalf("first page of updates: %d items, cursor %v, Link %q", len(page.Data), page.NextCursor, first.Header.Get("Link"))
	}
	get("/api/v1/updates?country=kazakhstan&limit=3&cursor="+*page.NextCursor, 200)
	get("/api/v1/updates?freedom=expression&violation=censorship&region=europe-central-asia&since=2000-01-01&until=2100-01-01", 200)
	get("/api/v1/updates?limit=1000&cursor=not-a-cursor&freedom=speech", 422)
	get("/api/v1/updates/"+pub.Slug, 200)
	get("/api/v1/updates/"+researcherDraft.UID, 404)
	get("/api/v1/updates/no-such-update", 404)
	first = get("/api/v1/incidents?limit=2", 200)
	first.json(t, &page)
	if len(page.Data) != 2 || page.NextCursor == nil {
		t.Fatalf("first page of incidents: %d items, cursor %v", len(page.Data), page.NextCursor)
	}
	get("/api/v1/incidents?limit=2&cursor="+*page.NextCursor, 200)
	get("/api/v1/incidents?freedom=peaceful-assembly&country=KZ", 200)
	get("/api/v1/incidents?target=martians&violation=x", 422)
	get("/api/v1/watchlist/1999-01-01", 404)

	// Writes, and the editorial record.
	input := map[string]any{"country": "KZ", "title": "Activists detained before a rally", "summary": "Police detained activists.",
		"body": "Police **detained** five activists.", "freedoms": []string{"peaceful-assembly"}, "violations": []string{"detention-of-activists"},
		"internal_notes": "source is nervous", "partner": "A partner",
		"sources":   []map[string]any{{"url": "https://example.org/a", "title": "Report", "contact": "+7 700 000 0000"}},
		"incidents": []map[string]any{{"freedom": "peaceful-assembly", "violation": "detention-of-activists", "target": "activists", "people_affected": 5, "victim_name": "A. B."}}}
	created := check(call{method: "POST", path: "/api/v1/updates", token: R, body: input}, 201, true)
	var draft struct {
		ID, Slug, Status string
	}
	created.json(t, &draft)
	if draft.Status != "draft" || created.Header.Get("Location") != "/api/v1/updates/"+draft.ID+"/editorial" {
		t.Fatalf("created %+v at %q", draft, created.Header.Get("Location"))
	}
	check(call{method: "POST", path: "/api/v1/updates", body: input}, 403, false)
	check(call{method: "POST", path: "/api/v1/updates", token: "cmt_nonsense", body: input}, 401, false)
	check(call{method: "POST", path: "/api/v1/updates", token: env.revoked, body: input}, 401, false)
	check(call{method: "POST", path: "/api/v1/updates", token: V, body: input}, 403, true)
	check(call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "kz", "title": "",
		"published_on": "last week", "freedoms": []string{"speech"}, "incidents": []map[string]any{{"freedom": "x", "violation": "y"}}}}, 422, false)
	check(call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": "T", "colour": "blue"}}, 422, false)
	check(call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": 7}}, 422, false)
	check(call{method: "POST", path: "/api/v1/updates", token: R, body: `{"country": "KZ", "title": `}, 400, false)
	check(call{method: "POST", path: "/api/v1/updates", token: R, body: "country=KZ", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, false)
	check(call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": "Taken", "slug": pub.Slug}}, 409, true)
	check(call{method: "POST", path: "/api/v1/updates", token: R, body: strings.Repeat(" ", 2<<20)}, 413, false)

	ed := "/api/v1/updates/" + draft.ID + "/editorial"
	r := check(call{method: "GET", path: ed, token: R}, 200, true)
	if !strings.Contains(string(r.body), "source is nervous") || !strings.Contains(string(r.body), "A. B.") {
		t.Errorf("the editorial record lacks the private fields: %s", r.body)
	}
	check(call{method: "GET", path: "/api/v1/updates/" + researcherDraft.UID + "/editorial", token: R}, 403, true) // another account's draft
	check(call{method: "GET", path: ed}, 403, false)
	check(call{method: "GET", path: ed, token: "cmt_nonsense"}, 401, false)
	check(call{method: "GET", path: "/api/v1/updates/no-such-update/editorial", token: E}, 404, true)
	check(call{method: "GET", path: ed + "?verbose=1", token: R}, 422, false)

	upd := "/api/v1/updates/" + draft.ID
	input["title"] = "Five activists detained before a rally"
	r = check(call{method: "PUT", path: upd, token: R, body: input}, 200, true)
	if !strings.Contains(string(r.body), "Five activists") || !strings.Contains(string(r.body), `"slug":"`+draft.Slug+`"`) {
		t.Errorf("replace: %s", r.body)
	}
	check(call{method: "PUT", path: "/api/v1/updates/" + researcherDraft.UID, token: E, body: map[string]any{"country": "KZ", "title": "Edited by the editor bot"}}, 200, true)
	check(call{method: "PUT", path: "/api/v1/updates/" + researcherDraft.UID, token: R, body: input}, 403, true)
	check(call{method: "PUT", path: "/api/v1/updates/no-such-update", token: E, body: input}, 404, true)
	check(call{method: "PUT", path: upd, token: R, body: `[1, 2`}, 400, false)
	check(call{method: "PUT", path: upd, token: "cmt_nonsense", body: input}, 401, false)
	check(call{method: "PUT", path: upd, token: R, body: map[string]any{"country": "KZ", "title": "T", "slug": pub.Slug}}, 409, true)
	check(call{method: "PUT", path: upd, token: R, body: strings.Repeat(" ", 2<<20)}, 413, false)
	check(call{method: "PUT", path: upd, token: R, body: "<update/>", header: map[string]string{"Content-Type": "application/xml"}}, 415, false)
	check(call{method: "PUT", path: upd, token: R, body: map[string]any{"country": "KZ", "title": "T", "period_start": "2024-05-01", "period_end": "2024-04-01"}}, 422, false)
	check(call{method: "PUT", path: upd, body: input}, 403, false)

	act := upd + "/actions/"
	check(call{method: "POST", path: act + "publish", token: R}, 403, true)
	r = check(call{method: "POST", path: act + "submit", token: R}, 200, true)
	if !strings.Contains(string(r.body), `"status":"in_review"`) {
		t.Errorf("submit: %s", r.body)
	}
	check(call{method: "POST", path: act + "submit", token: E}, 409, true)
	r = check(call{method: "POST", path: act + "publish", token: E}, 200, true)
	if !strings.Contains(string(r.body), `"status":"published"`) || !strings.Contains(string(r.body), `"url":"http`) {
		t.Errorf("publish: %s", r.body)
	}
	check(call{method: "POST", path: act + "dance", token: E}, 404, false)
	check(call{method: "POST", path: "/api/v1/updates/no-such-update/actions/archive", token: E}, 404, true)
	check(call{method: "POST", path: act + "archive", token: "cmt_nonsense"}, 401, false)
	// Now it is public, without its private fields.
	r = get("/api/v1/updates/"+draft.ID, 200)
	if strings.Contains(string(r.body), "nervous") || strings.Contains(string(r.body), "A. B.") || strings.Contains(string(r.body), "+7 700") {
		t.Errorf("the public update shows private fields: %s", r.body)
	}

	// A server whose database fails answers 500, and says nothing of why.
	broken := storetest.SQLite.Open(t)
	bsrv, err := server.New(web.Config{Store: broken.Store(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	broken.Close()
	bts := httptest.NewServer(bsrv.Handler())
	defer bts.Close()
	good := env.ts.URL
	env.ts.URL = bts.URL
	for _, c := range []call{
		{method: "GET", path: "/api/v1/countries"}, {method: "GET", path: "/api/v1/countries/kazakhstan"},
		{method: "GET", path: "/api/v1/ratings"}, {method: "GET", path: "/api/v1/updates"},
		{method: "GET", path: "/api/v1/updates/" + pub.UID}, {method: "GET", path: "/api/v1/incidents"},
		{method: "GET", path: "/api/v1/watchlist"}, {method: "GET", path: "/api/v1/watchlist/2019-10-01"},
		{method: "GET", path: "/api/v1/vocabularies"}, {method: "GET", path: ed, token: R},
		{method: "POST", path: "/api/v1/updates", token: R, body: input}, {method: "PUT", path: upd, token: R, body: input},
		{method: "POST", path: act + "archive", token: E},
	} {
		r := check(c, 500, false)
		if p := r.problem(t); strings.Contains(fmt.Sprint(p["detail"]), "sql") || strings.Contains(string(r.body), "closed") {
			t.Errorf("%s %s: a 500 shows its cause: %s", c.method, c.path, r.body)
		}
	}
	env.ts.URL = good

	// Every response of every operation was seen, but for the 500 of a
	// static document.
	for path, item := range model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			key := strings.ToUpper(method) + " " + path
			for code := range op.Responses.Codes.FromOldest() {
				var n int
				fmt.Sscan(code, &n)
				if !seen[key][n] && !(path == "/api/v1/openapi.json" && n == 500) {
					t.Errorf("%s: response %s of openapi.json never seen in this test", key, code)
				}
			}
		}
	}
}

// TestAPIDraftsNeverPublic: no public operation shows an update that is
// not published, whichever way it is asked for, nor a private field.
func TestAPIDraftsNeverPublic(t *testing.T) {
	env := newAPIEnv(t)
	ctx := context.Background()
	s := env.db.Store()
	var hidden []*civicmon.Update
	for _, st := range []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview, civicmon.StatusArchived} {
		u := &civicmon.Update{CountryCode: "KZ", Title: canary + " " + string(st), Slug: "hidden-" + strings.ReplaceAll(string(st), "_", "-"),
			Summary: canary, Body: canary, Status: st,
			PublishedOn: civicmon.MustDate("2099-01-01"), Freedoms: civicmon.NewFreedomSet(civicmon.Expression), Violations: []string{"censorship"},
			Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", Description: canary}}}
		if err := s.CreateUpdate(ctx, u); err != nil {
			t.Fatal(err)
		}
		hidden = append(hidden, u)
	}
	pub := &civicmon.Update{CountryCode: "KZ", Title: "Published with secrets", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2099-01-02"), InternalNotes: canary, AuthorID: env.users[civicmon.RoleResearcher].ID,
		Sources:   []civicmon.Source{{URL: "https://example.org/x", Contact: canary}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", VictimName: canary}}}
	if err := s.CreateUpdate(ctx, pub); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/api/v1/updates?limit=100", "/api/v1/updates?country=KZ&since=2099-01-01", "/api/v1/incidents?limit=100",
		"/api/v1/incidents?since=2099-01-01&violation=censorship", "/api/v1/countries/KZ", "/api/v1/updates/" + pub.UID}
	for _, u := range hidden {
		paths = append(paths, "/api/v1/updates/"+u.UID, "/api/v1/updates/"+u.Slug)
	}
	for _, p := range paths {
		r := env.do(t, call{method: "GET", path: p})
		if strings.Contains(strings.ToLower(string(r.body)), canary) {
			t.Errorf("%s (%d) shows an unpublished update or a private field: %s", p, r.StatusCode, r.body)
		}
		if strings.HasPrefix(p, "/api/v1/updates/") && p != "/api/v1/updates/"+pub.UID && r.StatusCode != 404 {
			t.Errorf("%s: %d, want 404 for an unpublished update", p, r.StatusCode)
		}
	}
	// Every page, followed to its end, holds the published updates only.
	var ids []string
	next := "/api/v1/updates?limit=3"
	for next != "" {
		var page struct {
			Data       []struct{ ID string }
			NextCursor *string `json:"next_cursor"`
		}
		env.do(t, call{method: "GET", path: next}).json(t, &page)
		for _, u := range page.Data {
			ids = append(ids, u.ID)
		}
		next = ""
		if page.NextCursor != nil {
			next = "/api/v1/updates?limit=3&cursor=" + *page.NextCursor
		}
	}
	want, _, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1000})
	if len(ids) != len(want) {
		t.Fatalf("paging gave %d updates, want the %d published", len(ids), len(want))
	}
	for i, u := range want {
		if ids[i] != u.UID {
			t.Fatalf("paging: update %d is %s, want %s (newest first, no duplicates)", i, ids[i], u.UID)
		}
	}
}

// TestAPIIncidentPaging: the pages of incidents, followed to the end, are
// the incidents of published updates, each once, in order.
func TestAPIIncidentPaging(t *testing.T) {
	env := newAPIEnv(t)
	ctx := context.Background()
	us, _, _ := env.db.Store().FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1000})
	var want []string
	for _, u := range us {
		full, _ := env.db.Store().UpdateByID(ctx, u.ID)
		for i := range full.Incidents {
			want = append(want, fmt.Sprintf("%s#%d", u.UID, i+1))
		}
	}
	if len(want) < 5 {
		t.Fatalf("the demo data has only %d incidents", len(want))
	}
	for _, limit := range []int{1, 2, 7, 100} {
		var got []string
		next := fmt.Sprintf("/api/v1/incidents?limit=%d", limit)
		for pages := 0; next != ""; pages++ {
			if pages > 1000 {
				t.Fatal("paging does not end")
			}
			var page struct {
				Data []struct {
					UpdateID string `json:"update_id"`
					Position int
				}
				NextCursor *string `json:"next_cursor"`
			}
			env.do(t, call{method: "GET", path: next}).json(t, &page)
			if len(page.Data) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(page.Data))
			}
			for _, in := range page.Data {
				got = append(got, fmt.Sprintf("%s#%d", in.UpdateID, in.Position))
			}
			next = ""
			if page.NextCursor != nil {
				next = fmt.Sprintf("/api/v1/incidents?limit=%d&cursor=%s", limit, *page.NextCursor)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: incidents\n%v\nwant\n%v", limit, got, want)
		}
	}
}

// TestAPITokenMatrix: what each role's token may do, on its own draft and
// on another account's.
func TestAPITokenMatrix(t *testing.T) {
	env := newAPIEnv(t)
	other := env.drafts[civicmon.RoleResearcher].UID // a person's draft
	body := func(title string) map[string]any { return map[string]any{"country": "KZ", "title": title} }
	for _, role := range civicmon.Roles {
		tok := env.tokens[role]
		canCreate := role.Can(civicmon.PermUpdatesCreate)
		r := env.do(t, call{method: "POST", path: "/api/v1/updates", token: tok, body: body("By the " + string(role) + " bot")})
		if (r.StatusCode == 201) != canCreate {
			t.Errorf("%s token creates: %d", role, r.StatusCode)
		}
		var own struct{ ID string }
		if r.StatusCode == 201 {
			r.json(t, &own)
			if resp := env.do(t, call{method: "PUT", path: "/api/v1/updates/" + own.ID, token: tok, body: body("Own, edited")}); resp.StatusCode != 200 {
				t.Errorf("%s token replaces its own draft: %d", role, resp.StatusCode)
			}
		}
		editAny := role.Can(civicmon.PermUpdatesEditAny)
		if resp := env.do(t, call{method: "GET", path: "/api/v1/updates/" + other + "/editorial", token: tok}); (resp.StatusCode == 200) != editAny {
			t.Errorf("%s token reads another's draft: %d", role, resp.StatusCode)
		}
		if resp := env.do(t, call{method: "PUT", path: "/api/v1/updates/" + other, token: tok, body: body("Not yours")}); (resp.StatusCode == 200) != editAny {
			t.Errorf("%s token replaces another's draft: %d", role, resp.StatusCode)
		}
		if own.ID != "" {
			r := env.do(t, call{method: "POST", path: "/api/v1/updates/" + own.ID + "/actions/publish", token: tok})
			if (r.StatusCode == 200) != role.Can(civicmon.PermUpdatesPublish) {
				t.Errorf("%s token publishes: %d %s", role, r.StatusCode, r.body)
			}
			if r.StatusCode == 403 {
				if p := r.problem(t); !strings.Contains(fmt.Sprint(p["detail"]), "may not publish") {
					t.Errorf("%s token refused to publish with %v", role, p)
				}
			}
		}
	}
}

// TestAPIResearcherCannotPublish: a researcher's token writes and submits
// its drafts, and neither publishes nor edits them once submitted.
func TestAPIResearcherCannotPublish(t *testing.T) {
	env := newAPIEnv(t)
	R := env.tokens[civicmon.RoleResearcher]
	r := env.do(t, call{method: "POST", path: "/api/v1/updates", token: R, body: map[string]any{"country": "KZ", "title": "A draft"}})
	var d struct{ ID string }
	r.json(t, &d)
	for _, a := range []string{"publish", "archive", "request_changes", "unpublish"} {
		if r := env.do(t, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/" + a, token: R}); r.StatusCode != 403 {
			t.Errorf("researcher token %s: %d, want 403", a, r.StatusCode)
		}
	}
	if r := env.do(t, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/submit", token: R}); r.StatusCode != 200 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	if r := env.do(t, call{method: "PUT", path: "/api/v1/updates/" + d.ID, token: R, body: map[string]any{"country": "KZ", "title": "Changed"}}); r.StatusCode != 403 {
		t.Errorf("researcher token edits a submitted update: %d, want 403", r.StatusCode)
	}
	u, err := env.db.Store().UpdateByUID(context.Background(), d.ID)
	if err != nil || u.Status != civicmon.StatusInReview || u.Title != "A draft" || u.AuthorID != env.service[civicmon.RoleResearcher].ID {
		t.Fatalf("after the refusals: %+v, %v", u, err)
	}
	if r := env.do(t, call{method: "GET", path: "/api/v1/updates/" + d.ID}); r.StatusCode != 404 {
		t.Errorf("the submitted update is public: %d", r.StatusCode)
	}
}

// TestAPIRevokedToken: a revoked token opens nothing, and its attempt is
// in the audit log; the tokens of other systems go on working.
func TestAPIRevokedToken(t *testing.T) {
	env := newAPIEnv(t)
	ctx := context.Background()
	s := env.db.Store()
	secret, hash := civicmon.NewAPIToken()
	tok := civicmon.APIToken{Name: "to revoke", Role: civicmon.RoleEditor, TokenHash: hash}
	if err := s.CreateAPIToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	ed := "/api/v1/updates/" + env.drafts[civicmon.RoleEditor].UID + "/editorial"
	if r := env.do(t, call{method: "GET", path: ed, token: secret}); r.StatusCode != 200 {
		t.Fatalf("before revoking: %d", r.StatusCode)
	}
	if err := s.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []call{
		{method: "GET", path: ed, token: secret},
		{method: "POST", path: "/api/v1/updates", token: secret, body: map[string]any{"country": "KZ", "title": "x"}},
	} {
		r := env.do(t, c)
		if r.StatusCode != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s %s with a revoked token: %d %q", c.method, c.path, r.StatusCode, r.Header.Get("WWW-Authenticate"))
		}
		if p := r.problem(t); !strings.Contains(fmt.Sprint(p["detail"]), "revoked") || p["status"] != float64(401) {
			t.Errorf("problem %v", p)
		}
	}
	var refused int
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.Action == "api_token.refused" && e.ActorID == tok.UserID {
			refused++
		}
		return nil
	})
	if refused != 2 {
		t.Errorf("%d refused uses audited, want 2", refused)
	}
	if r := env.do(t, call{method: "GET", path: ed, token: env.tokens[civicmon.RoleEditor]}); r.StatusCode != 200 {
		t.Errorf("another token after a revocation: %d", r.StatusCode)
	}
	if r := env.do(t, call{method: "GET", path: ed, header: map[string]string{"Authorization": "Basic dXNlcjpwdw=="}}); r.StatusCode != 401 ||
		!strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_request") {
		t.Errorf("Basic authorization: %d %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
}

// TestAPIAudit: every use of a token is audited as its service account,
// and so is every change it makes, revision included.
func TestAPIAudit(t *testing.T) {
	env := newAPIEnv(t)
	ctx := context.Background()
	s := env.db.Store()
	sa := env.service[civicmon.RoleResearcher]
	r := env.do(t, call{method: "POST", path: "/api/v1/updates", token: env.tokens[civicmon.RoleResearcher], body: map[string]any{"country": "KZ", "title": "Audited"}})
	var d struct{ ID string }
	r.json(t, &d)
	env.do(t, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/publish", token: env.tokens[civicmon.RoleResearcher]}) // refused
	var actions []string
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.ActorID == sa.ID {
			actions = append(actions, e.Action+" "+e.Detail)
		}
		return nil
	})
	want := []string{"api_token.use POST /api/v1/updates", "update.create draft audited",
		"api_token.use POST /api/v1/updates/" + d.ID + "/actions/publish"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit entries of the token's account:\n%q\nwant\n%q", actions, want)
	}
	u, _ := s.UpdateByUID(ctx, d.ID)
	revs, _ := s.Revisions(ctx, "update", u.ID)
	if len(revs) != 1 || revs[0].UserID != sa.ID {
		t.Errorf("revisions %+v: want one, by the token's account %d", revs, sa.ID)
	}
	if p, _, _, err := civicmon.VerifyAudit(ctx, s); p != nil || err != nil {
		t.Errorf("audit chain: %v %v", p, err)
	}
}

// TestAPICORS: other sites may read public data, and may not write.
func TestAPICORS(t *testing.T) {
	env := newAPIEnv(t)
	origin := map[string]string{"Origin": "https://reader.example"}
	for _, p := range []string{"/api/v1/countries", "/api/v1/updates/no-such-update", "/api/v1/updates?limit=0"} {
		r := env.do(t, call{method: "GET", path: p, header: origin})
		if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
			t.Errorf("GET %s (%d): Access-Control-Allow-Origin %q, CORP %q", p, r.StatusCode,
				r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Cross-Origin-Resource-Policy"))
		}
	}
	r := env.do(t, call{method: "GET", path: "/api/v1/countries", header: origin})
	if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") || !strings.HasPrefix(r.Header.Get("Cache-Control"), "public") {
		t.Errorf("public read: expose %q, cache %q", r.Header.Get("Access-Control-Expose-Headers"), r.Header.Get("Cache-Control"))
	}
	pre := env.do(t, call{method: "OPTIONS", path: "/api/v1/updates", header: map[string]string{"Origin": "https://reader.example",
		"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"}})
	methods := pre.Header.Get("Access-Control-Allow-Methods")
	if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "*" || strings.Contains(methods, "PUT") ||
		strings.Contains(methods, "POST") || strings.Contains(strings.ToLower(pre.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight: %d, methods %q, headers %q", pre.StatusCode, methods, pre.Header.Get("Access-Control-Allow-Headers"))
	}
	if allow := pre.Header.Get("Allow"); allow != "GET, HEAD, POST, OPTIONS" {
		t.Errorf("OPTIONS /api/v1/updates: Allow %q", allow)
	}
	w := env.do(t, call{method: "POST", path: "/api/v1/updates", token: env.tokens[civicmon.RoleEditor], header: origin,
		body: map[string]any{"country": "KZ", "title": "x"}})
	if w.StatusCode != 201 || w.Header.Get("Access-Control-Allow-Origin") != "" || w.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("write: %d, Access-Control-Allow-Origin %q, Cache-Control %q", w.StatusCode, w.Header.Get("Access-Control-Allow-Origin"), w.Header.Get("Cache-Control"))
	}
}

// TestAPICookieSessionNeedsCSRF: a signed-in browser's session reaches
// the API only with the anti-forgery token, as in the workspace; a token
// request needs none.
func TestAPICookieSessionNeedsCSRF(t *testing.T) {
	env := newAPIEnv(t)
	b := env.signedIn(t, civicmon.RoleEditor)
	var session, csrf string
	u, _ := http.NewRequest("GET", env.ts.URL+"/admin", nil)
	for _, c := range b.c.Jar.Cookies(u.URL) {
		switch c.Name {
		case "civicmon_session":
			session = c.Value
		case "civicmon_csrf":
			csrf = c.Value
		}
	}
	if session == "" || csrf == "" {
		t.Fatal("no session or CSRF cookie")
	}
	body := map[string]any{"country": "KZ", "title": "From a browser"}
	noCSRF := env.do(t, call{method: "POST", path: "/api/v1/updates", body: body, header: map[string]string{"Cookie": "civicmon_session=" + session}})
	if noCSRF.StatusCode != 403 {
		t.Fatalf("session without CSRF token: %d", noCSRF.StatusCode)
	}
	noCSRF.problem(t)
	ok := env.do(t, call{method: "POST", path: "/api/v1/updates", body: body, header: map[string]string{
		"Cookie": "civicmon_session=" + session + "; civicmon_csrf=" + csrf, "X-CSRF-Token": csrf}})
	if ok.StatusCode != 201 {
		t.Fatalf("session with CSRF token: %d %s", ok.StatusCode, ok.body)
	}
	cross := env.do(t, call{method: "POST", path: "/api/v1/updates", body: body, header: map[string]string{
		"Cookie": "civicmon_session=" + session + "; civicmon_csrf=" + csrf, "X-CSRF-Token": csrf, "Origin": "https://evil.example"}})
	if cross.StatusCode != 403 {
		t.Fatalf("session from another site: %d", cross.StatusCode)
	}
	// A token and a session together: the token decides, cookies are not read.
	both := env.do(t, call{method: "POST", path: "/api/v1/updates", token: env.tokens[civicmon.RoleReviewer], body: body,
		header: map[string]string{"Cookie": "civicmon_session=" + session}})
	if both.StatusCode != 403 {
		t.Fatalf("reviewer token with an editor's cookie: %d", both.StatusCode)
	}
}

// TestAPICaching: public answers are cached and revalidated like pages,
// and a write makes them stale.
func TestAPICaching(t *testing.T) {
	env := newAPIEnv(t)
	r1 := env.do(t, call{method: "GET", path: "/api/v1/updates?limit=1"})
	etag := r1.Header.Get("ETag")
	if etag == "" || r1.Header.Get("Last-Modified") == "" || !strings.Contains(r1.Header.Get("Vary"), "Accept-Encoding") ||
		strings.Contains(r1.Header.Get("Vary"), "Accept-Language") {
		t.Fatalf("headers %v", r1.Header)
	}
	if r := env.do(t, call{method: "GET", path: "/api/v1/updates?limit=1", header: map[string]string{"If-None-Match": etag}}); r.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", r.StatusCode)
	}
	r := env.do(t, call{method: "POST", path: "/api/v1/updates", token: env.tokens[civicmon.RoleEditor], body: map[string]any{"country": "KZ", "title": "Breaking"}})
	var d struct{ ID string }
	r.json(t, &d)
	env.do(t, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/publish", token: env.tokens[civicmon.RoleEditor]})
	r2 := env.do(t, call{method: "GET", path: "/api/v1/updates?limit=1", header: map[string]string{"If-None-Match": etag}})
	if r2.StatusCode != 200 || !strings.Contains(string(r2.body), d.ID) {
		t.Fatalf("after publishing: %d %s", r2.StatusCode, r2.body)
	}
	gz := env.do(t, call{method: "GET", path: "/api/v1/countries", header: map[string]string{"Accept-Encoding": "gzip"}})
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("no gzip: %v", gz.Header)
	}
}

// TestAPIProblems: errors are problem details that name every bad field.
func TestAPIProblems(t *testing.T) {
	env := newAPIEnv(t)
	r := env.do(t, call{method: "POST", path: "/api/v1/updates", token: env.tokens[civicmon.RoleResearcher], body: map[string]any{
		"country": "kz", "title": "", "published_on": "soon", "freedoms": []string{"speech"},
		"incidents": []map[string]any{{"freedom": "association", "violation": "tickling"}}}})
	p := r.problem(t)
	if r.StatusCode != 422 || p["status"] != float64(422) || p["instance"] != "/api/v1/updates" ||
		!strings.HasSuffix(fmt.Sprint(p["type"]), "#invalid") {
		t.Fatalf("problem %d %v", r.StatusCode, p)
	}
	var fields []string
	for _, e := range p["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	sort.Strings(fields)
	want := []string{"country", "freedoms[0]", "incidents[0].violation", "published_on", "title"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	for path, want := range map[string]int{"/api/v1/nothing": 404, "/api/v2/countries": 404} {
		if r := env.do(t, call{method: "GET", path: path}); r.StatusCode != want {
			t.Errorf("%s: %d", path, r.StatusCode)
		} else {
			r.problem(t)
		}
	}
	r = env.do(t, call{method: "DELETE", path: "/api/v1/updates/x", token: env.tokens[civicmon.RoleAdmin]})
	if r.StatusCode != 405 || r.Header.Get("Allow") != "GET, HEAD, PUT" {
		t.Errorf("DELETE: %d, Allow %q", r.StatusCode, r.Header.Get("Allow"))
	}
	r.problem(t)
}
