package mirror_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/mirror"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/web"
)

// TestDownloadsAreTheSite: the mirror writes the downloads of a query
// together, from one read of the updates, rather than through /data/;
// each file must still be the bytes the live site serves at its URL,
// for every country and for the whole site.
func TestDownloadsAreTheSite(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t)
	// Generated updates carry every field a download has: sources,
	// translations, incidents, periods.
	if _, err := gen.Run(ctx, db.Store(), gen.Options{Updates: 150, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "mirror")
	export(t, db.Store(), dir, mirror.Options{Unsigned: true})

	srv, err := server.New(web.Config{Store: db.Store(), Logger: slog.New(slog.DiscardHandler), Now: clock, BaseURL: baseURL, NoPageCache: true})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	same := func(url, file string) {
		t.Helper()
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: the site answered %d", url, rec.Code)
		}
		if !bytes.Equal(got, rec.Body.Bytes()) {
			t.Errorf("%s: the mirror's %s (%d bytes) is not what the site serves (%d bytes)", url, file, len(got), rec.Body.Len())
		}
	}
	for _, f := range []string{"civicmon.ndjson", "civicmon.json", "countries.csv", "ratings.csv", "updates.csv", "incidents.csv"} {
		same("/data/"+f, "data/"+f)
	}
	countries, err := db.Store().Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range countries {
		for _, f := range []string{"updates.csv", "incidents.csv", "ratings.csv", "civicmon.json", "civicmon.ndjson"} {
			same("/data/"+f+"?country="+c.Code, "data/country-"+c.Code+"/"+f)
		}
	}
}
