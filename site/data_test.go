package site_test

import (
	"strings"
	"testing"
)

// TestDataDownloads: /data/ streams the exports, filtered by the query,
// as attachments; a bad filter is a 400 that names it.
func TestDataDownloads(t *testing.T) {
	env := newEnv(t)
	r := get(t, env.URL+"/data/updates.csv?country=KZ&since=2021-01-01")
	if r.status != 200 || !strings.HasPrefix(r.body, "id,slug,country,title") || r.header.Get("Content-Disposition") != `attachment; filename="updates.csv"` {
		t.Fatalf("updates.csv: %d %q", r.status, r.header.Get("Content-Disposition"))
	}
	if rows := strings.Count(r.body, ",KZ,"); rows != 6 {
		t.Fatalf("%d Kazakhstan updates since 2021 in the CSV, want 6", rows)
	}
	r = get(t, env.URL+"/data/civicmon.ndjson")
	if r.status != 200 || !strings.Contains(r.body, `"type":"country"`) || !strings.Contains(r.body, `"type":"update"`) {
		t.Fatalf("ndjson: %d", r.status)
	}
	if r := get(t, env.URL+"/data/updates.csv?since=2021-13-01"); r.status != 400 || !strings.Contains(r.body, "since:") {
		t.Fatalf("bad filter: %d %q", r.status, r.body)
	}
	if r := get(t, env.URL+"/data/secrets.csv"); r.status != 404 {
		t.Fatalf("unknown file: %d", r.status)
	}
}
