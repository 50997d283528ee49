package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/paths"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// loadOpenAPI fetches the server's OpenAPI document and checks it against
// the OpenAPI 3.1 specification.
func loadOpenAPI(t *testing.T, env *webtest.Env) (validator.Validator, *v3.Document) {
	t.Helper()
	r := do(t, env, call{method: "GET", path: "/api/v1/openapi.json"})
	if r.Status != 200 {
		t.Fatalf("openapi.json: %d", r.Status)
	}
	doc, err := libopenapi.NewDocument([]byte(r.Body))
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

// conformance calls operations live and checks each answer against the
// OpenAPI document, noting the responses seen. Each operation group's
// calls are in its own test file (countries_test.go, …).
type conformance struct {
	env   *webtest.Env
	v     validator.Validator
	model *v3.Document
	// base is the server that answers: env.URL, or one whose database failed.
	base string
	seen map[string]map[int]bool // "GET /api/v1/…" → statuses seen
	// pub is a published update of the demo data.
	pub civicmon.Update
}

// check sends the call, checks its status, and checks the request (when
// it is meant to be valid) and the answer against the document.
func (c *conformance) check(t *testing.T, cl call, want int, validRequest bool) *webtest.Response {
	t.Helper()
	r := c.env.Client(t).Send(cl.request(t, c.base))
	if r.Status != want {
		t.Errorf("%s %s: status %d, want %d: %s", cl.method, cl.path, r.Status, want, r.Body)
	}
	req := cl.request(t, c.base)
	if validRequest {
		if ok, errs := c.v.ValidateHttpRequestSync(req); !ok {
			for _, e := range errs {
				t.Errorf("%s %s: the request does not match openapi.json: %s: %s", cl.method, cl.path, e.Message, e.Reason)
			}
		}
		req = cl.request(t, c.base)
	}
	resp := &http.Response{StatusCode: r.Status, Header: r.Header, Body: io.NopCloser(strings.NewReader(r.Body)), Request: req}
	if ok, errs := c.v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			t.Errorf("%s %s → %d: the answer does not match openapi.json: %s: %s", cl.method, cl.path, r.Status, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s (%s)", se.Reason, se.FieldPath, se.KeywordLocation)
			}
		}
	}
	_, _, tmpl := paths.FindPath(cl.request(t, c.base), c.model, config.NewValidationOptions())
	if tmpl == "" {
		t.Errorf("%s %s matches no path of openapi.json", cl.method, cl.path)
	}
	key := cl.method + " " + tmpl
	if c.seen[key] == nil {
		c.seen[key] = map[int]bool{}
	}
	c.seen[key][r.Status] = true
	return r
}

// get is an anonymous GET; an answer below 400 is to a valid request.
func (c *conformance) get(t *testing.T, path string, want int) *webtest.Response {
	t.Helper()
	return c.check(t, call{method: "GET", path: path}, want, want < 400)
}

// publicRead checks what every public read does: 200, then 304 to its
// ETag, a CORS preflight, and (for an operation with data) 422 for a
// query parameter it does not know.
func (c *conformance) publicRead(t *testing.T, path string) {
	t.Helper()
	r := c.get(t, path, 200)
	etag := r.Header.Get("ETag")
	c.check(t, call{method: "GET", path: path, header: map[string]string{"If-None-Match": etag}}, http.StatusNotModified, true)
	c.check(t, call{method: "OPTIONS", path: path, header: map[string]string{"Origin": "https://elsewhere.example",
		"Access-Control-Request-Method": "GET"}}, http.StatusNoContent, true)
	if path != "/api/v1/openapi.json" {
		c.get(t, path+"?colour=blue", 422)
	}
}

// TestAPIConformsToOpenAPI validates the OpenAPI document, checks that it
// and the router describe the same operations, then calls every operation
// live — its successes and its errors — and checks each answer's status,
// headers and body against the document. Every response the document
// describes must have been seen.
func TestAPIConformsToOpenAPI(t *testing.T) {
	env := webtest.New(t)
	v, model := loadOpenAPI(t, env)

	// The router and the document describe the same operations.
	documented := map[string]bool{}
	for path, item := range model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range env.Server.Routes() {
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

	pubs, _, err := env.Store.FindUpdates(context.Background(), civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1})
	if err != nil || len(pubs) == 0 {
		t.Fatalf("no published update in the demo data: %v", err)
	}
	c := &conformance{env: env, v: v, model: model, base: env.URL, seen: map[string]map[int]bool{}, pub: pubs[0]}

	// Public reads.
	c.publicRead(t, "/api/v1/openapi.json")
	c.countries(t)
	c.ratings(t)
	c.updates(t)
	c.incidents(t)
	c.watchlist(t)
	c.vocabularies(t)
	c.statistics(t)
	// Writes, and the editorial record.
	w := c.writes(t)

	// A server whose database fails answers 500, and says nothing of why.
	broken := webtest.New(t, webtest.Options{Empty: true})
	broken.DB.Close()
	c.base = broken.URL
	for _, cl := range []call{
		{method: "GET", path: "/api/v1/countries"}, {method: "GET", path: "/api/v1/countries/kazakhstan"},
		{method: "GET", path: "/api/v1/ratings"}, {method: "GET", path: "/api/v1/updates"},
		{method: "GET", path: "/api/v1/updates/" + c.pub.UID}, {method: "GET", path: "/api/v1/incidents"},
		{method: "GET", path: "/api/v1/watchlist"}, {method: "GET", path: "/api/v1/watchlist/2019-10-01"},
		{method: "GET", path: "/api/v1/vocabularies"}, {method: "GET", path: w.editorial, token: w.researcher},
		{method: "GET", path: "/api/v1/statistics/counts"}, {method: "GET", path: "/api/v1/statistics/ratings"},
		{method: "POST", path: "/api/v1/updates", token: w.researcher, body: w.input},
		{method: "PUT", path: w.update, token: w.researcher, body: w.input},
		{method: "POST", path: w.actions + "archive", token: w.editor},
	} {
		r := c.check(t, cl, 500, false)
		if p := problem(t, r); strings.Contains(fmt.Sprint(p["detail"]), "sql") || strings.Contains(r.Body, "closed") {
			t.Errorf("%s %s: a 500 shows its cause: %s", cl.method, cl.path, r.Body)
		}
	}
	c.base = env.URL

	// Every response of every operation was seen, but for the 500 of a
	// static document.
	for path, item := range model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			key := strings.ToUpper(method) + " " + path
			for code := range op.Responses.Codes.FromOldest() {
				var n int
				fmt.Sscan(code, &n)
				if !c.seen[key][n] && !(path == "/api/v1/openapi.json" && n == 500) {
					t.Errorf("%s: response %s of openapi.json never seen in this test", key, code)
				}
			}
		}
	}
}
