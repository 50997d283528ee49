package web_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// TestStaticFiles: the stylesheet every page links has a fingerprinted URL,
// is cached for a year and answers a matching If-None-Match with 304; any
// other name under /static/ is a 404.
func TestStaticFiles(t *testing.T) {
	s, _ := newServer(t)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/no-such-page", nil))
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/static/style\.[0-9a-f]{10}\.css)">`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no fingerprinted stylesheet in a page:\n%.500s", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", m[1], nil))
	etag := rec.Header().Get("ETag")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/css; charset=utf-8" ||
		rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" || etag == "" || rec.Body.Len() < 1000 {
		t.Fatalf("%s: %d %v (%d bytes)", m[1], rec.Code, rec.Header(), rec.Body.Len())
	}
	req := httptest.NewRequest("GET", m[1], nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d, want 304", etag, rec.Code)
	}
	for _, path := range []string{"/static/style.css", "/static/style.0000000000.css", "/static/"} {
		rec = httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
}
