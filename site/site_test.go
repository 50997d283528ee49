package site_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// testNow is the server's clock in the site's tests.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// newEnv serves the demo data (with webtest's accounts and drafts) on a
// clock that stands at testNow.
func newEnv(t *testing.T, opts ...webtest.Options) *webtest.Env {
	t.Helper()
	env := webtest.New(t, opts...)
	env.SetNow(testNow)
	return env
}

type response struct {
	status int
	header http.Header
	body   string
	wire   int // bytes on the wire
}

// get asks for url as it is, without a client's help: the test sees the
// bytes on the wire, compressed or not, and redirects are not followed.
func get(t *testing.T, url string, header ...string) response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A transport that leaves gzip to us, so the test sees the wire bytes.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	body := raw
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatalf("%s: bad gzip: %v", url, err)
		}
		body, _ = io.ReadAll(zr)
	}
	return response{resp.StatusCode, resp.Header, string(body), len(raw)}
}

// TestSecurityHeaders: every response, found or not, carries them.
func TestSecurityHeaders(t *testing.T) {
	env := newEnv(t)
	var scenarios []webtest.Scenario
	for _, path := range []string{"/", "/countries", "/countries/kazakhstan", "/watchlist", "/methodology", "/nope",
		"/healthz", "/robots.txt", "/sitemap.xml", "/embed/map"} {
		status := http.StatusOK
		if path == "/nope" {
			status = http.StatusNotFound
		}
		scenarios = append(scenarios, webtest.Scenario{URL: path, Status: status, Check: func(t *testing.T, r *webtest.Response) {
			h := r.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "style-src 'self'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %s", path, csp, want)
				}
			}
			if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: CSP allows script: %q", path, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: nosniff %q, referrer %q", path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			framable := path == "/embed/map"
			if framable != strings.Contains(csp, "frame-ancestors *") || framable == strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: frame-ancestors wrong in %q", path, csp)
			}
			if framable == (h.Get("X-Frame-Options") == "DENY") {
				t.Errorf("%s: X-Frame-Options %q", path, h.Get("X-Frame-Options"))
			}
		}})
	}
	env.Run(t, scenarios...)
}

// TestEveryPage: each page answers with what it is about, and what does
// not exist is the friendly 404 page.
func TestEveryPage(t *testing.T) {
	env := newEnv(t)
	var scenarios []webtest.Scenario
	for path, want := range map[string]string{
		"/":                        "World map of ratings",
		"/countries":               "Europe and Central Asia",
		"/countries?region=africa": "Senegal",
		"/countries?rating=closed": "Belarus",
		"/updates/wave-of-political-repression-witch-hunts-for-activists-marred-elections-and-scores-of-arrests": "People affected",
		"/regions/europe-central-asia": "Kazakhstan",
		"/freedoms/peaceful-assembly":  "Freedom of peaceful assembly",
		"/tags/internet-shutdown":      "Muffled protests",
		"/watchlist":                   "CIVICUS Monitor Watchlist, March 2022",
		"/watchlist/2019-10-01":        "CIVICUS Monitor Watchlist, October 2019",
		"/methodology":                 "81–100",
		"/embed/map":                   "<svg",
		"/robots.txt":                  "Sitemap: ",
		"/sitemap.xml":                 "/sitemaps/updates-1.xml",
		"/sitemaps/pages.xml":          "/countries/kazakhstan</loc>",
		"/sitemaps/updates-1.xml":      "/updates/wave-of-political-repression",
	} {
		scenarios = append(scenarios, webtest.Scenario{URL: path, Contains: []string{want}})
	}
	for _, path := range []string{"/nope", "/countries/atlantis", "/updates/nope", "/regions/europe", "/freedoms/religion",
		"/tags/nope", "/watchlist/1999-01-01", "/countries/kazakhstan?page=2", "/countries/kazakhstan?page=x",
		"/countries?rating=free", "/sitemaps/updates-2.xml"} {
		scenarios = append(scenarios, webtest.Scenario{URL: path, Status: http.StatusNotFound, Contains: []string{"Page not found"}})
	}
	env.Run(t, scenarios...)
}

// TestDraftsAreNotPublic: unpublished updates have no page, are in no list
// and not in the sitemap.
func TestDraftsAreNotPublic(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	var scenarios []webtest.Scenario
	for _, st := range []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview, civicmon.StatusArchived} {
		u := civicmon.Update{CountryCode: "KZ", Title: "Canary " + string(st), Summary: "canary-" + string(st), Status: st,
			PublishedOn: civicmon.MustDate("2026-01-01")}
		if err := env.Store.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
		scenarios = append(scenarios, webtest.Scenario{Name: string(st) + " update page", URL: "/updates/" + u.Slug, Status: http.StatusNotFound})
	}
	for _, path := range []string{"/", "/countries/kazakhstan", "/regions/europe-central-asia", "/sitemaps/updates-1.xml"} {
		scenarios = append(scenarios, webtest.Scenario{URL: path, NotContains: []string{"anary"}})
	}
	env.Run(t, scenarios...)
}

// TestCaching: ETag and Last-Modified with 304 answers, a CDN-friendly
// Cache-Control, and the cached page replaced when the data changes.
func TestCaching(t *testing.T) {
	env := newEnv(t)
	r := get(t, env.URL+"/countries/kazakhstan")
	etag, lm := r.header.Get("ETag"), r.header.Get("Last-Modified")
	if etag == "" || lm == "" || !strings.Contains(r.header.Get("Cache-Control"), "public") {
		t.Fatalf("ETag %q, Last-Modified %q, Cache-Control %q", etag, lm, r.header.Get("Cache-Control"))
	}
	if r2 := get(t, env.URL+"/countries/kazakhstan", "If-None-Match", etag); r2.status != 304 || r2.body != "" {
		t.Fatalf("If-None-Match: %d", r2.status)
	}
	if r2 := get(t, env.URL+"/countries/kazakhstan", "If-Modified-Since", lm); r2.status != 304 {
		t.Fatalf("If-Modified-Since: %d", r2.status)
	}
	if !strings.Contains(r.header.Get("Vary"), "Accept-Language") {
		t.Errorf("Vary %q: the language comes from Accept-Language", r.header.Get("Vary"))
	}
	u := civicmon.Update{CountryCode: "KZ", Title: "Fresh update after the cache", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2026-11-01")}
	if err := env.Store.CreateUpdate(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	r3 := get(t, env.URL+"/countries/kazakhstan", "If-None-Match", etag)
	if r3.status != 200 || !strings.Contains(r3.body, "Fresh update after the cache") || r3.header.Get("ETag") == etag {
		t.Fatalf("after a write: %d, new update shown %v", r3.status, strings.Contains(r3.body, "Fresh update"))
	}
}

// TestLanguages: Accept-Language chooses the interface language, ?lang=
// overrides it and the page's links keep it, and each page links to
// itself in the other languages.
func TestLanguages(t *testing.T) {
	env := newEnv(t)
	env.Run(t,
		webtest.Scenario{Name: "Accept-Language fr", URL: "/countries/kazakhstan", Header: map[string]string{"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"},
			Contains: []string{`<html lang="fr"`}, Check: func(t *testing.T, r *webtest.Response) {
				if r.Header.Get("Content-Language") != "fr" {
					t.Fatalf("Accept-Language fr: not French (%q)", r.Header.Get("Content-Language"))
				}
			}},
		webtest.Scenario{Name: "?lang=ru over Accept-Language", URL: "/countries/kazakhstan?lang=ru", Header: map[string]string{"Accept-Language": "fr"},
			Contains: []string{
				`<html lang="ru"`,
				`href="/countries?lang=ru"`, // links on a page in a chosen language keep it
				`<a href="/countries/kazakhstan?lang=es" lang="es" hreflang="es">Español</a>`, // a plain link to switch to Spanish
			}},
		webtest.Scenario{Name: "unknown ?lang falls back to Accept-Language", URL: "/countries/kazakhstan?lang=xx", Header: map[string]string{"Accept-Language": "es"},
			Contains: []string{`<html lang="es"`}},
	)
}
