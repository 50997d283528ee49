package api_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// What Mount's wrappers do for every operation: CORS, the page cache, and
// problem details for addresses and methods the API does not have.

// TestAPICORS: other sites may read public data, and may not write.
func TestAPICORS(t *testing.T) {
	env := webtest.New(t)
	origin := map[string]string{"Origin": "https://reader.example"}
	for _, p := range []string{"/api/v1/countries", "/api/v1/updates/no-such-update", "/api/v1/updates?limit=0"} {
		r := do(t, env, call{method: "GET", path: p, header: origin})
		if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
			t.Errorf("GET %s (%d): Access-Control-Allow-Origin %q, CORP %q", p, r.Status,
				r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Cross-Origin-Resource-Policy"))
		}
	}
	r := do(t, env, call{method: "GET", path: "/api/v1/countries", header: origin})
	if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") || !strings.HasPrefix(r.Header.Get("Cache-Control"), "public") {
		t.Errorf("public read: expose %q, cache %q", r.Header.Get("Access-Control-Expose-Headers"), r.Header.Get("Cache-Control"))
	}
	pre := do(t, env, call{method: "OPTIONS", path: "/api/v1/updates", header: map[string]string{"Origin": "https://reader.example",
		"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"}})
	methods := pre.Header.Get("Access-Control-Allow-Methods")
	if pre.Status != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "*" || strings.Contains(methods, "PUT") ||
		strings.Contains(methods, "POST") || strings.Contains(strings.ToLower(pre.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight: %d, methods %q, headers %q", pre.Status, methods, pre.Header.Get("Access-Control-Allow-Headers"))
	}
	if allow := pre.Header.Get("Allow"); allow != "GET, HEAD, POST, OPTIONS" {
		t.Errorf("OPTIONS /api/v1/updates: Allow %q", allow)
	}
	w := do(t, env, call{method: "POST", path: "/api/v1/updates", token: env.Tokens[civicmon.RoleEditor], header: origin,
		body: map[string]any{"country": "KZ", "title": "x"}})
	if w.Status != 201 || w.Header.Get("Access-Control-Allow-Origin") != "" || w.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("write: %d, Access-Control-Allow-Origin %q, Cache-Control %q", w.Status, w.Header.Get("Access-Control-Allow-Origin"), w.Header.Get("Cache-Control"))
	}
}

// TestAPICaching: public answers are cached and revalidated like pages,
// and a write makes them stale.
func TestAPICaching(t *testing.T) {
	env := webtest.New(t)
	r1 := do(t, env, call{method: "GET", path: "/api/v1/updates?limit=1"})
	etag := r1.Header.Get("ETag")
	if etag == "" || r1.Header.Get("Last-Modified") == "" || !strings.Contains(r1.Header.Get("Vary"), "Accept-Encoding") ||
		strings.Contains(r1.Header.Get("Vary"), "Accept-Language") {
		t.Fatalf("headers %v", r1.Header)
	}
	if r := do(t, env, call{method: "GET", path: "/api/v1/updates?limit=1", header: map[string]string{"If-None-Match": etag}}); r.Status != 304 {
		t.Fatalf("If-None-Match: %d", r.Status)
	}
	r := do(t, env, call{method: "POST", path: "/api/v1/updates", token: env.Tokens[civicmon.RoleEditor], body: map[string]any{"country": "KZ", "title": "Breaking"}})
	var d struct{ ID string }
	decode(t, r, &d)
	do(t, env, call{method: "POST", path: "/api/v1/updates/" + d.ID + "/actions/publish", token: env.Tokens[civicmon.RoleEditor]})
	r2 := do(t, env, call{method: "GET", path: "/api/v1/updates?limit=1", header: map[string]string{"If-None-Match": etag}})
	if r2.Status != 200 || !strings.Contains(r2.Body, d.ID) {
		t.Fatalf("after publishing: %d %s", r2.Status, r2.Body)
	}
	gz := do(t, env, call{method: "GET", path: "/api/v1/countries", header: map[string]string{"Accept-Encoding": "gzip"}})
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("no gzip: %v", gz.Header)
	}
}

// TestAPIProblems: errors are problem details that name every bad field.
func TestAPIProblems(t *testing.T) {
	env := webtest.New(t)
	r := do(t, env, call{method: "POST", path: "/api/v1/updates", token: env.Tokens[civicmon.RoleResearcher], body: map[string]any{
		"country": "kz", "title": "", "published_on": "soon", "freedoms": []string{"speech"},
		"incidents": []map[string]any{{"freedom": "association", "violation": "tickling"}}}})
	p := problem(t, r)
	if r.Status != 422 || p["status"] != float64(422) || p["instance"] != "/api/v1/updates" ||
		!strings.HasSuffix(fmt.Sprint(p["type"]), "#invalid") {
		t.Fatalf("problem %d %v", r.Status, p)
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
		if r := do(t, env, call{method: "GET", path: path}); r.Status != want {
			t.Errorf("%s: %d", path, r.Status)
		} else {
			problem(t, r)
		}
	}
	r = do(t, env, call{method: "DELETE", path: "/api/v1/updates/x", token: env.Tokens[civicmon.RoleAdmin]})
	if r.Status != 405 || r.Header.Get("Allow") != "GET, HEAD, PUT" {
		t.Errorf("DELETE: %d, Allow %q", r.Status, r.Header.Get("Allow"))
	}
	problem(t, r)
}
