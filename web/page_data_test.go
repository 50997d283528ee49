package web_test

import (
	"strings"
	"testing"
)

func init() {
	moreRules["GET /data/{file}"] = rule{"/data/updates.csv", nil, everyone}
	moreParams["file"] = []string{"civicmon.ndjson", "civicmon.json", "countries.csv", "ratings.csv", "updates.csv", "incidents.csv"}
}

func TestDataDownloads(t *testing.T) {
	ts, _ := demoSite(t)
	r := get(t, ts.URL+"/data/updates.csv?country=KZ&since=2021-01-01")
	if r.status != 200 || !strings.HasPrefix(r.body, "id,slug,country,title") || r.header.Get("Content-Disposition") != `attachment; filename="updates.csv"` {
		t.Fatalf("updates.csv: %d %q", r.status, r.header.Get("Content-Disposition"))
	}
	if rows := strings.Count(r.body, ",KZ,"); rows != 6 {
		t.Fatalf("%d Kazakhstan updates since 2021 in the CSV, want 6", rows)
	}
	r = get(t, ts.URL+"/data/civicmon.ndjson")
	if r.status != 200 || !strings.Contains(r.body, `"type":"country"`) || !strings.Contains(r.body, `"type":"update"`) {
		t.Fatalf("ndjson: %d", r.status)
	}
	if r := get(t, ts.URL+"/data/updates.csv?since=2021-13-01"); r.status != 400 || !strings.Contains(r.body, "since:") {
		t.Fatalf("bad filter: %d %q", r.status, r.body)
	}
	if r := get(t, ts.URL+"/data/secrets.csv"); r.status != 404 {
		t.Fatalf("unknown file: %d", r.status)
	}
}
