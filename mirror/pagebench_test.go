package mirror

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/storetest"
)

func BenchmarkPages(b *testing.B) {
	db := storetest.SQLite.Open(b)
	if _, err := demo.Load(context.Background(), db.Store()); err != nil {
		b.Fatal(err)
	}
	us, _ := demo.KazakhstanUpdates()
	e, err := newExporter(db.Store(), b.TempDir(), Options{BaseURL: "https://m.example.org", Logger: slog.Default(), Now: time.Now, Langs: benchLangs, SearchBlock: 1000})
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range []string{"/updates/" + us[0].Slug, "/countries/kazakhstan", "/tags/censorship", "/", "/countries", "/feed.atom"} {
		b.Run(strings.ReplaceAll(u, "/", "_"), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				rec := &recorder{header: http.Header{}, body: &buf}
				e.h.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
				if rec.status != 200 {
					b.Fatal(rec.status)
				}
				e.rw.html("x.html", buf.Bytes())
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}
