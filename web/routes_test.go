package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNotFound: an address nothing serves gets a 404 page, in the reader's
// language, that helps them on and is not indexed.
func TestNotFound(t *testing.T) {
	s, _ := newServer(t)
	for _, c := range []struct{ path, lang, want string }{
		{"/no-such-page", "", "There is no page at this address."},
		{"/no-such-page?lang=fr", "", `<html lang="fr"`},
		{"/nothing/here", "es", `<html lang="es"`},
	} {
		req := httptest.NewRequest("GET", c.path, nil)
		if c.lang != "" {
			req.Header.Set("Accept-Language", c.lang)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusNotFound || !strings.Contains(body, c.want) ||
			!strings.Contains(body, `<meta name="robots" content="noindex">`) || !strings.Contains(body, `href="/countries`) {
			t.Errorf("%s: %d, want 404 with %q, noindex and a way on:\n%.600s", c.path, rec.Code, c.want, body)
		}
	}
}
