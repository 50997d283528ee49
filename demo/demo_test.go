package demo_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/storetest"
)

var ctx = context.Background()

// seedTitles returns the update titles of the seed country page, in order:
// each title is the line that the page repeats after the update's summary.
func seedTitles(t *testing.T) []string {
	f, err := os.Open("testdata/kazakhstan-country-page.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	var titles []string
	seen := map[string]bool{}
	for _, l := range lines[1:] { // the first line is the country
		if seen[l] && l != "Read more" {
			titles = append(titles, l)
		}
		seen[l] = true
	}
	return titles
}

func TestLoad(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t).Store()
			st, err := demo.Load(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if st.Countries < 197 || st.Updates != 10 || st.WatchlistEditions != 2 || st.Incidents < 8 {
				t.Fatalf("loaded %v", st)
			}
			kz, err := s.CountryBySlug(ctx, "kazakhstan")
			if err != nil || kz.Code3 != "KAZ" || kz.Region != civicmon.RegionEuropeCentralAsia {
				t.Fatalf("Kazakhstan = %+v, %v", kz, err)
			}

			want := seedTitles(t)
			if len(want) != 10 {
				t.Fatalf("seed has %d titles, want 10", len(want))
			}
			us, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: "KZ", Statuses: []civicmon.Status{civicmon.StatusPublished}})
			if err != nil || total != 10 {
				t.Fatalf("Kazakhstan updates: %d, %v", total, err)
			}
			for i, u := range us {
				if u.Title != want[i] {
					t.Errorf("update %d: title %q, want %q (seed order, newest first)", i+1, u.Title, want[i])
				}
				if !u.DateApproximate || u.Freedoms == 0 || len(u.Violations) == 0 || u.Summary == "" || u.Body == "" {
					t.Errorf("update %q lacks an approximate date, freedoms, violations or text", u.Title)
				}
				if strings.Contains(u.Summary, "Read more") {
					t.Errorf("update %q: summary keeps the page's Read more", u.Title)
				}
			}

			history, err := s.RatingHistory(ctx, "KZ")
			if err != nil {
				t.Fatal(err)
			}
			last := history[len(history)-1]
			if last.Category != civicmon.Repressed || last.EffectiveDate.String() != "2022-06-21" || last.DateApproximate {
				t.Fatalf("Kazakhstan's latest rating = %+v, want Repressed from 2022-06-21", last)
			}
			for _, r := range history[:len(history)-1] {
				if r.Category != civicmon.Obstructed || r.Source == "" || r.HasScore() {
					t.Fatalf("Kazakhstan before June 2022 = %+v, want Obstructed with a source and no invented score", r)
				}
			}
			cur, _ := s.CurrentRatings(ctx, civicmon.MustDate("2026-01-01"))
			if cur["BY"].Category != civicmon.Closed || cur["CZ"].Category != civicmon.Narrowed {
				t.Fatalf("Belarus %s, Czech Republic %s: the 2021 changes file's ratings are missing", cur["BY"].Category, cur["CZ"].Category)
			}
			if len(cur) != 196 {
				t.Fatalf("%d countries have a current rating, want the 196 of the data", len(cur))
			}

			eds, err := s.WatchlistEditions(ctx)
			if err != nil || len(eds) != 2 || eds[0].PublishedOn.String() != "2022-03-01" || eds[1].PublishedOn.Format("2006-01") != "2019-10" {
				t.Fatalf("watchlist = %+v, %v", eds, err)
			}
			for _, ed := range eds {
				if !ed.Has("KZ") {
					t.Fatalf("edition %s lacks Kazakhstan", ed.Title)
				}
			}

			if _, err := demo.Load(ctx, s); !errors.Is(err, demo.ErrNotEmpty) {
				t.Fatalf("second load: %v, want ErrNotEmpty", err)
			}
		})
	}
}

// TestRatingsAgreeWithChanges checks the two public data files against each
// other: every announced change ends at the category the ratings give.
func TestRatingsAgreeWithChanges(t *testing.T) {
	rs, err := demo.Ratings()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]civicmon.Category{}
	for _, r := range rs {
		by[r.CountryCode+r.EffectiveDate.Format("2006")] = r.Category
	}
	n := 0
	for _, r := range rs {
		if strings.HasPrefix(r.Rationale, "Rating changed from") && r.DateApproximate {
			n++
			to := strings.TrimSuffix(strings.Fields(r.Rationale)[5], ".")
			if r.Category.Name() != to {
				t.Errorf("%s %s: rated %s but the change says %s", r.CountryCode, r.EffectiveDate, r.Category, to)
			}
		}
	}
	if n == 0 {
		t.Fatal("no rating carries a change from the changes file")
	}
}

// failingStore is the real store with one fault: the nth CreateUpdate inside
// a transaction fails, as a crash or a full disk midway would.
type failingStore struct {
	civicmon.Store
	n *int
}

func (f failingStore) InTx(ctx context.Context, fn func(civicmon.Store) error) error {
	return f.Store.InTx(ctx, func(tx civicmon.Store) error { return fn(failingStore{tx, f.n}) })
}

func (f failingStore) CreateUpdate(ctx context.Context, u *civicmon.Update) error {
	if *f.n--; *f.n == 0 {
		return errors.New("disk full")
	}
	return f.Store.CreateUpdate(ctx, u)
}

func TestFailedLoadChangesNothing(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t).Store()
			n := 6
			_, err := demo.Load(ctx, failingStore{s, &n})
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("Load = %v, want the injected failure", err)
			}
			if cs, _ := s.Countries(ctx); len(cs) != 0 {
				t.Errorf("%d countries survived the failed load", len(cs))
			}
			if _, total, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); total != 0 {
				t.Errorf("%d updates survived the failed load", total)
			}
			if cur, _ := s.CurrentRatings(ctx, civicmon.MustDate("2030-01-01")); len(cur) != 0 {
				t.Errorf("%d ratings survived the failed load", len(cur))
			}
			// The same database then takes the demo whole.
			if _, err := demo.Load(ctx, s); err != nil {
				t.Fatalf("load after the failed one: %v", err)
			}
		})
	}
}
