package web_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/web"
)

// demoSite serves the demo data from a fresh SQLite database.
func demoSite(t *testing.T) (*httptest.Server, *sqldb.DB) {
	t.Helper()
	db := storetest.SQLite.Open(t)
	if _, err := demo.Load(context.Background(), db.Store()); err != nil {
		t.Fatal(err)
	}
	s, err := server.New(web.Config{Store: db.Store(), Schema: db, Changes: db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, db
}

type response struct {
	status int
	header http.Header
	body   string
	wire   int // bytes on the wire
}

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

func seedTitles(t *testing.T) []string {
	f, err := os.Open("../demo/testdata/kazakhstan-country-page.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var titles []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l == "Read more" {
			continue
		}
		if first {
			first = false
			continue
		}
		if seen[l] {
			titles = append(titles, l)
		}
		seen[l] = true
	}
	return titles
}

var readMore = regexp.MustCompile(`<h3><a href="(/updates/[a-z0-9-]+)">([^<]+)</a></h3>[\s\S]*?<a href="(/updates/[a-z0-9-]+)">Read more<span class="vh">: ([^<]+)</span></a>`)

// TestKazakhstanPageReadsLikeTheSeed: the country page lists the ten seed
// updates in the seed's order with the seed's titles, each with a Read more
// link that opens its update page.
func TestKazakhstanPageReadsLikeTheSeed(t *testing.T) {
	ts, _ := demoSite(t)
	r := get(t, ts.URL+"/countries/kazakhstan")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if !strings.Contains(r.body, "<h1>Kazakhstan</h1>") {
		t.Fatal("no Kazakhstan heading")
	}
	for _, want := range []string{"Repressed", "21–40", "21 June 2022", "Europe and Central Asia", "watchlist", "Rating history", "Obstructed"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("country page lacks %q", want)
		}
	}
	want := seedTitles(t)
	matches := readMore.FindAllStringSubmatch(r.body, -1)
	if len(matches) != len(want) || len(want) != 10 {
		t.Fatalf("%d updates with Read more, want the seed's %d", len(matches), len(want))
	}
	for i, m := range matches {
		title := htmlUnescape(m[2])
		if title != want[i] {
			t.Errorf("update %d: %q, want %q", i+1, title, want[i])
		}
		if m[1] != m[3] || htmlUnescape(m[4]) != title {
			t.Errorf("update %d: Read more goes to %s, title link to %s", i+1, m[3], m[1])
		}
		u := get(t, ts.URL+m[3])
		if u.status != 200 || !strings.Contains(u.body, "<h1>"+m[2]+"</h1>") {
			t.Errorf("Read more of %q: status %d, no title heading", title, u.status)
		}
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&quot;", `"`, "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
}

// TestCountryPageBudget: the Kazakhstan page with everything it loads is at
// most 40 KB compressed on the wire.
func TestCountryPageBudget(t *testing.T) {
	ts, _ := demoSite(t)
	page := get(t, ts.URL+"/countries/kazakhstan", "Accept-Encoding", "gzip")
	if page.header.Get("Content-Encoding") != "gzip" {
		t.Fatal("page not compressed")
	}
	total := page.wire
	assets := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(assets) == 0 {
		t.Fatal("no stylesheet found")
	}
	for _, a := range assets {
		r := get(t, ts.URL+a[1], "Accept-Encoding", "gzip")
		if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, encoding %q", a[1], r.status, r.header.Get("Content-Encoding"))
		}
		total += r.wire
	}
	t.Logf("Kazakhstan page: %d bytes compressed, with %d assets", total, len(assets))
	if total > 40*1024 {
		t.Fatalf("Kazakhstan page with assets is %d bytes compressed, over the 40 KB budget", total)
	}
	if regexp.MustCompile(`<script|<img|<iframe|@import|url\(http`).MatchString(page.body) {
		t.Fatal("the page loads a script, image or frame")
	}
}

// TestSecurityHeaders: every response, found or not, carries them.
func TestSecurityHeaders(t *testing.T) {
	ts, _ := demoSite(t)
	for _, path := range []string{"/", "/countries", "/countries/kazakhstan", "/watchlist", "/methodology", "/nope",
		"/healthz", "/robots.txt", "/sitemap.xml", "/embed/map"} {
		r := get(t, ts.URL+path)
		h := r.header
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
	}
}

func TestEveryPage(t *testing.T) {
	ts, _ := demoSite(t)
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
		r := get(t, ts.URL+path)
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("%s: status %d, want 200 with %q", path, r.status, want)
		}
	}
	for _, path := range []string{"/nope", "/countries/atlantis", "/updates/nope", "/regions/europe", "/freedoms/religion",
		"/tags/nope", "/watchlist/1999-01-01", "/countries/kazakhstan?page=2", "/countries/kazakhstan?page=x",
		"/countries?rating=free", "/sitemaps/updates-2.xml"} {
		r := get(t, ts.URL+path)
		if r.status != 404 || !strings.Contains(r.body, "Page not found") {
			t.Errorf("%s: status %d, want the 404 page", path, r.status)
		}
	}
}

// TestDraftsAreNotPublic: unpublished updates have no page, are in no list
// and not in the sitemap.
func TestDraftsAreNotPublic(t *testing.T) {
	ts, db := demoSite(t)
	ctx := context.Background()
	for _, st := range []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview, civicmon.StatusArchived} {
		u := civicmon.Update{CountryCode: "KZ", Title: "Canary " + string(st), Summary: "canary-" + string(st), Status: st,
			PublishedOn: civicmon.MustDate("2026-01-01")}
		if err := db.Store().CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if r := get(t, ts.URL+"/updates/"+u.Slug); r.status != 404 {
			t.Errorf("%s update page: %d", st, r.status)
		}
	}
	for _, path := range []string{"/", "/countries/kazakhstan", "/regions/europe-central-asia", "/sitemaps/updates-1.xml"} {
		if r := get(t, ts.URL+path); strings.Contains(r.body, "anary") {
			t.Errorf("%s shows an unpublished update", path)
		}
	}
}

// TestCaching: ETag and Last-Modified with 304 answers, a CDN-friendly
// Cache-Control, and the cached page replaced when the data changes.
func TestCaching(t *testing.T) {
	ts, db := demoSite(t)
	r := get(t, ts.URL+"/countries/kazakhstan")
	etag, lm := r.header.Get("ETag"), r.header.Get("Last-Modified")
	if etag == "" || lm == "" || !strings.Contains(r.header.Get("Cache-Control"), "public") {
		t.Fatalf("ETag %q, Last-Modified %q, Cache-Control %q", etag, lm, r.header.Get("Cache-Control"))
	}
	if r2 := get(t, ts.URL+"/countries/kazakhstan", "If-None-Match", etag); r2.status != 304 || r2.body != "" {
		t.Fatalf("If-None-Match: %d", r2.status)
	}
	if r2 := get(t, ts.URL+"/countries/kazakhstan", "If-Modified-Since", lm); r2.status != 304 {
		t.Fatalf("If-Modified-Since: %d", r2.status)
	}
	if !strings.Contains(r.header.Get("Vary"), "Accept-Language") {
		t.Errorf("Vary %q: the language comes from Accept-Language", r.header.Get("Vary"))
	}
	u := civicmon.Update{CountryCode: "KZ", Title: "Fresh update after the cache", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2026-11-01")}
	if err := db.Store().CreateUpdate(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	r3 := get(t, ts.URL+"/countries/kazakhstan", "If-None-Match", etag)
	if r3.status != 200 || !strings.Contains(r3.body, "Fresh update after the cache") || r3.header.Get("ETag") == etag {
		t.Fatalf("after a write: %d, new update shown %v", r3.status, strings.Contains(r3.body, "Fresh update"))
	}
}

func TestLanguages(t *testing.T) {
	ts, _ := demoSite(t)
	r := get(t, ts.URL+"/countries/kazakhstan", "Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8")
	if !strings.Contains(r.body, `<html lang="fr"`) || r.header.Get("Content-Language") != "fr" {
		t.Fatalf("Accept-Language fr: not French (%q)", r.header.Get("Content-Language"))
	}
	r = get(t, ts.URL+"/countries/kazakhstan?lang=ru", "Accept-Language", "fr")
	if !strings.Contains(r.body, `<html lang="ru"`) {
		t.Fatal("?lang=ru did not switch to Russian")
	}
	if !strings.Contains(r.body, `href="/countries?lang=ru"`) {
		t.Fatal("links on a page in a chosen language do not keep it")
	}
	if !strings.Contains(r.body, `<a href="/countries/kazakhstan?lang=es" lang="es" hreflang="es">Español</a>`) {
		t.Fatal("no plain link to switch to Spanish")
	}
	r = get(t, ts.URL+"/countries/kazakhstan?lang=xx", "Accept-Language", "es")
	if !strings.Contains(r.body, `<html lang="es"`) {
		t.Fatal("an unknown ?lang should fall back to Accept-Language")
	}
}

// TestSitemapOfManyUpdates: an updates sitemap gathers its URLs over
// several of the store's 1,000-update pages, and names every published
// update once.
func TestSitemapOfManyUpdates(t *testing.T) {
	ts, db := demoSite(t)
	if _, err := gen.Run(context.Background(), db.Store(), gen.Options{Updates: 1100, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	published, total, err := db.Store().FindUpdates(context.Background(), civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1})
	if err != nil || len(published) == 0 || total <= 1000 {
		t.Fatalf("%d published updates, %v; want more than 1,000", total, err)
	}
	r := get(t, ts.URL+"/sitemaps/updates-1.xml")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	seen := map[string]int{}
	for _, m := range regexp.MustCompile(`<loc>[^<]*/updates/([^/<]+)</loc>`).FindAllStringSubmatch(r.body, -1) {
		seen[m[1]]++
	}
	if len(seen) != total {
		t.Fatalf("the sitemap names %d updates, %d are published", len(seen), total)
	}
	for slug, n := range seen {
		if n != 1 {
			t.Fatalf("%s named %d times", slug, n)
		}
	}
}
