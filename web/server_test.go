package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/web"
)

func newServer(t *testing.T) (*web.Server, *bytes.Buffer) {
	t.Helper()
	db := storetest.SQLite.Open(t)
	var logs bytes.Buffer
	s, err := web.New(web.Config{Store: db.Store(), Schema: db, Logger: slog.New(slog.NewJSONHandler(&logs, nil)), MaxBodyBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

func TestHealthAndReady(t *testing.T) {
	s, logs := newServer(t)
	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path+"?secret=1", nil))
		if rec.Code != 200 || rec.Body.String() != want {
			t.Fatalf("%s: %d %q", path, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s may be cached", path)
		}
	}
	if !strings.Contains(logs.String(), `"path":"/healthz"`) || !strings.Contains(logs.String(), `"status":200`) {
		t.Errorf("request log lacks path or status: %s", logs.String())
	}
	if strings.Contains(logs.String(), "secret") {
		t.Errorf("request log carries the query string: %s", logs.String())
	}
}

func TestReadyzFailsWithoutDatabase(t *testing.T) {
	db := storetest.SQLite.Open(t)
	s, err := web.New(web.Config{Store: db.Store(), Schema: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with a closed database: %d", rec.Code)
	}
}

func TestBodyLimit(t *testing.T) {
	s, _ := newServer(t)
	var read error
	s.Mux().HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		_, read = io.ReadAll(r.Body)
		if read != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		}
	})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/echo", strings.NewReader(strings.Repeat("x", 2048))))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 KiB body with a 1 KiB limit: %d", rec.Code)
	}
	req := httptest.NewRequest("POST", "/echo", io.NopCloser(strings.NewReader(strings.Repeat("x", 2048))))
	req.ContentLength = -1 // chunked: the limit must hold while reading
	token := strings.Repeat("t", 43)
	req.AddCookie(&http.Cookie{Name: "civicmon_csrf", Value: token})
	req.Header.Set("X-CSRF-Token", token)
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if read == nil || rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversize body was read whole: %v %d", read, rec.Code)
	}
}

func TestPanicIs500(t *testing.T) {
	s, logs := newServer(t)
	s.Mux().HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || !strings.Contains(logs.String(), "panic serving request") {
		t.Fatalf("panic: %d, logs %s", rec.Code, logs.String())
	}
}

// TestGracefulShutdown: a request in flight when the server is told to stop
// still gets its whole answer, and new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	s, _ := newServer(t)
	started := make(chan struct{})
	s.Mux().HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(500 * time.Millisecond)
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln, 10*time.Second, nil) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel()
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: %q, %v", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}
