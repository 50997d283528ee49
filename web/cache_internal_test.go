package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheRendersOncePerBurst: readers who miss the same page at once
// wait for one render instead of running the handler each.
func TestCacheRendersOncePerBurst(t *testing.T) {
	s := &Server{cfg: Config{Now: time.Now}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), cache: newPageCache(1 << 20)}
	var renders atomic.Int32
	release := make(chan struct{})
	h := s.Cached(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		<-release
		io.WriteString(w, "the page")
	})
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest("GET", "/p", nil))
			bodies[i] = rec.Body.String()
		}()
	}
	time.Sleep(100 * time.Millisecond) // let every reader arrive while the render is blocked
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("%d renders for one burst, want 1", n)
	}
	for i, b := range bodies {
		if b != "the page" {
			t.Fatalf("reader %d got %q", i, b)
		}
	}
}

// TestCacheDoesNotKeepErrors: a 404 or a page that sets a cookie is not
// served to the next reader from the cache.
func TestCacheDoesNotKeepErrors(t *testing.T) {
	s := &Server{cfg: Config{Now: time.Now}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), cache: newPageCache(1 << 20)}
	var renders atomic.Int32
	h := s.Cached(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		http.Error(w, "nope", http.StatusNotFound)
	})
	for range 3 {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest("GET", "/missing", nil))
		if rec.Code != 404 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if renders.Load() != 3 {
		t.Fatalf("%d renders, want 3: a 404 was cached", renders.Load())
	}
}
