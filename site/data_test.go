package site_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
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

// TestDataCSVNeutralisesFormulas: a published title that a spreadsheet
// would run as a formula comes out of /data/updates.csv with a quote
// before it, and out of the JSON downloads as it was written.
func TestDataCSVNeutralisesFormulas(t *testing.T) {
	env := newEnv(t)
	const title = `=HYPERLINK("http://evil.example","Click")`
	u := civicmon.Update{CountryCode: "KZ", Title: title, Summary: "@SUM(A1)", Status: civicmon.StatusPublished,
		PublishedOn: civicmon.MustDate("2026-11-20")}
	if err := env.Store.CreateUpdate(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	env.Run(t, webtest.Scenario{
		URL:         "/data/updates.csv?country=KZ",
		Contains:    []string{`,"'=HYPERLINK(""http://evil.example"",""Click"")",'@SUM(A1),`},
		NotContains: []string{`,"=HYPERLINK(`, `,=HYPERLINK(`, `,@SUM(A1)`},
		Check: func(t *testing.T, r *webtest.Response) {
			rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, row := range rows {
				if row[1] == u.Slug {
					found = true
					if row[3] != "'"+title || row[4] != "'@SUM(A1)" {
						t.Errorf("title %q, summary %q: want them with a quote before", row[3], row[4])
					}
				}
			}
			if !found {
				t.Errorf("the planted update %q is not in updates.csv", u.Slug)
			}
		},
	}, webtest.Scenario{
		URL:         "/data/civicmon.ndjson?country=KZ",
		Contains:    []string{`"title":"=HYPERLINK(\"http://evil.example\",\"Click\")"`, `"summary":"@SUM(A1)"`},
		NotContains: []string{`"'=HYPERLINK`, `"'@SUM`},
	}, webtest.Scenario{
		URL:         "/data/civicmon.json?country=KZ",
		Contains:    []string{`"title":"=HYPERLINK(\"http://evil.example\",\"Click\")"`, `"summary":"@SUM(A1)"`},
		NotContains: []string{`"'=HYPERLINK`, `"'@SUM`},
	})
}
