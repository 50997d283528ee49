package dataio_test

import (
	"os"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/storetest"
)

// TestImportSeedDossier: the seed country page becomes ten Kazakhstan
// updates with its titles and summaries exactly, newest first; importing
// it again changes nothing.
func TestImportSeedDossier(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := db.Store()
			if _, err := demo.LoadCountries(ctx, s); err != nil {
				t.Fatal(err)
			}
			path := "../demo/testdata/kazakhstan-country-page.txt"
			imp := func() *dataio.Report {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rep, err := dataio.Import(ctx, s, []dataio.Input{{Name: "kazakhstan-country-page.txt", R: f}}, dataio.ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			if rep := imp(); rep.Updates.Created != 10 {
				t.Fatalf("first import: %v", rep)
			}
			us, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: "KZ"})
			if err != nil || total != 10 {
				t.Fatalf("%d updates, %v", total, err)
			}
			want := seedTitles(t, path)
			for i, u := range us {
				if u.Title != want[i] {
					t.Errorf("update %d: %q, want %q", i+1, u.Title, want[i])
				}
				if strings.Contains(u.Summary, "Read more") || u.Summary == "" {
					t.Errorf("update %d: summary %q", i+1, u.Summary)
				}
			}
			const first = "During the reporting period, the situation in Kazakhstan continued to be affected by the fallout from the January 2022 events, when mass protests for social and political change were met with excessive force by the authorities and parts of the crowd resorted to violence. Representatives of the international community have repeatedly expressed concerns about the human rights impact of these events and called for an effective and impartial investigation into them."
			if us[0].Summary != first {
				t.Errorf("first summary:\n got %q\nwant %q", us[0].Summary, first)
			}
			if rep := imp(); rep.Updates.Unchanged != 10 || rep.Updates.Created != 0 {
				t.Fatalf("second import: %v", rep)
			}
		})
	}
}

func seedTitles(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	seen := map[string]bool{}
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if i == 0 || l == "" || l == "Read more" {
			continue
		}
		if seen[l] {
			titles = append(titles, l)
		}
		seen[l] = true
	}
	return titles
}
