package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
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

// TestFailInvalid: bad input that reaches Fail (civicmon.EINVALID) is the
// asker's mistake: a 400 page that says what was wrong, in the reader's
// language around it, and no error in the log; other errors stay 500s.
func TestFailInvalid(t *testing.T) {
	s, logs := newServer(t)
	s.Handle("GET /test/invalid", web.Public, func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, civicmon.Errorf(civicmon.EINVALID, "%q is not a colour", "zz"))
	})
	s.Handle("GET /test/broken", web.Public, func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, errors.New("disk on fire"))
	})
	for _, c := range []struct {
		path, want string
		status     int
	}{
		{"/test/invalid", "&#34;zz&#34; is not a colour", http.StatusBadRequest},
		{"/test/invalid?lang=fr", "La requête n’est pas valide", http.StatusBadRequest},
		{"/test/broken", "Something went wrong", http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d, want %d with %q:\n%.600s", c.path, rec.Code, c.status, c.want, rec.Body.String())
		}
	}
	if n := strings.Count(logs.String(), `"level":"ERROR","msg":"request failed"`); n != 1 {
		t.Errorf("%d request failures logged, want 1 (the 500's):\n%s", n, logs.String())
	}
}
