package mirror

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/storetest"
)

// older is the pager's link to the next page of a list.
var older = regexp.MustCompile(`<a rel="next" href="([^"]*)">`)

// TestLongList: a list of more than 1,000 updates — more than the store
// gives in one read — is written whole: every page of the country's list
// and of its region's, each "Older" link to a file that exists, none on
// the last page, and every update's own page. Lists stopped after their
// first 1,000 updates once (the chunks asked the store for 1,001). It runs
// twice: with the export's own chunk size, which the list outgrows once,
// and with chunks of 100, which it outgrows ten times.
func TestLongList(t *testing.T) {
	db := storetest.SQLite.Open(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatal(err)
	}
	st := db.Store()
	day := civicmon.MustDate("2020-01-01").Time()
	var slugs []string
	var us []civicmon.Update
	for i := range 1010 {
		us = append(us, civicmon.Update{CountryCode: "KZ", Title: fmt.Sprintf("Long list %d", i), Slug: fmt.Sprintf("long-list-%d", i),
			Status: civicmon.StatusPublished, PublishedOn: civicmon.DateOf(day.Add(time.Duration(i/3) * 24 * time.Hour)),
			Freedoms: civicmon.NewFreedomSet(civicmon.Assembly)})
		slugs = append(slugs, us[i].Slug)
	}
	// In one transaction: one by one, they were a third of the test's
	// time under -race.
	if err := st.InsertUpdates(ctx, us); err != nil {
		t.Fatal(err)
	}
	_, total, err := st.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: "KZ", Statuses: published, Limit: 1})
	if err != nil || total <= 1000 {
		t.Fatalf("Kazakhstan has %d published updates (%v); the test needs more than 1,000", total, err)
	}
	_, inRegion, err := st.FindUpdates(ctx, civicmon.UpdateFilter{Region: civicmon.RegionEuropeCentralAsia, Statuses: published, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 100} {
		t.Run(fmt.Sprintf("chunk-%d", size), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			_, err := Export(ctx, st, dir, Options{BaseURL: "https://m.example.org", Unsigned: true, Langs: []i18n.Lang{i18n.English},
				Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }, chunkSize: size})
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			pages := walkList(t, dir, "countries/kazakhstan.html")
			if want := (total + perPage - 1) / perPage; pages != want {
				t.Errorf("Kazakhstan's list: %d pages, want %d (%d updates)", pages, want, total)
			}
			if pages, want := walkList(t, dir, "regions/"+string(civicmon.RegionEuropeCentralAsia)+".html"), (inRegion+perPage-1)/perPage; pages != want {
				t.Errorf("the region's list: %d pages, want %d (%d updates)", pages, want, inRegion)
			}
			for _, s := range slugs {
				if _, err := os.Stat(filepath.Join(dir, "updates", s+".html")); err != nil {
					t.Errorf("no page of update %s: %v", s, err)
					break
				}
			}
		})
	}
}

// walkList follows a list's "Older" links from its first page, checking
// that each names a file of the mirror, and returns the pages it saw.
func walkList(t *testing.T, dir, first string) int {
	t.Helper()
	n := 0
	for page := first; page != ""; n++ {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(page)))
		if err != nil {
			t.Errorf("page %d of the list: %v", n+1, err)
			return n
		}
		m := older.FindSubmatch(b)
		if m == nil {
			if !strings.Contains(string(b), `rel="prev"`) && n > 0 {
				t.Errorf("%s has neither Older nor Newer link", page)
			}
			return n + 1
		}
		page = path.Join(path.Dir(page), string(m[1]))
	}
	return n
}

// TestDanglingLink: a page that links to a file the export did not write
// fails the export.
func TestDanglingLink(t *testing.T) {
	db := storetest.SQLite.Open(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "m")
	_, err := Export(ctx, db.Store(), dir, Options{BaseURL: "https://m.example.org", Unsigned: true, Langs: []i18n.Lang{i18n.English},
		skip: func(u string) bool { return u == "/methodology" }})
	if err == nil || !strings.Contains(err.Error(), "links to methodology.html") {
		t.Fatalf("an export without the methodology page, which every page links to: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the failed export left a mirror: %v", err)
	}
}
