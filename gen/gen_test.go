package gen_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/storetest"
)

var ctx = context.Background()

// digest renders every stored field of updates 1..n of seed, incidents
// included, except the ids the database assigns.
func digest(t *testing.T, s civicmon.Store, seed uint64, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		u, err := s.UpdateBySlug(ctx, gen.Slug(seed, i))
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		fmt.Fprintf(&b, "%s|%s|%s|%s|%q|%q|%q|%s|%v|%s|%s|%d|%v|%s|%+v|%s|%d|%s|%q|%s|%s\n",
			u.UID, u.Slug, u.CountryCode, u.Title, u.Summary, u.Body, u.Status, u.PublishedOn, u.DateApproximate,
			u.PeriodStart, u.PeriodEnd, u.Freedoms, u.Violations, u.Partner, u.Sources, u.Language,
			len(u.Translations), u.Status, u.InternalNotes,
			u.CreatedAt.UTC().Format(time.RFC3339Nano), u.UpdatedAt.UTC().Format(time.RFC3339Nano))
		for _, in := range u.Incidents {
			fmt.Fprintf(&b, "  %s|%v|%s|%s|%s|%d|%q|%q|%q\n", in.OccurredOn, in.DateApproximate, in.Freedom,
				in.Violation, in.Target, in.PeopleAffected, in.Place, in.Description, in.VictimName)
		}
	}
	return b.String()
}

func TestRunReproducible(t *testing.T) {
	const seed, n = 7, 1200
	digests := map[string]string{}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a, b := e.Open(t).Store(), e.Open(t).Store()
			var progress []int
			stA, err := gen.Run(ctx, a, gen.Options{Updates: n, Seed: seed, BatchSize: 500,
				Progress: func(done, total int) {
					if total != n {
						t.Errorf("Progress total = %d, want %d", total, n)
					}
					progress = append(progress, done)
				}})
			if err != nil {
				t.Fatal(err)
			}
			// Another batch size must not change the data.
			stB, err := gen.Run(ctx, b, gen.Options{Updates: n, Seed: seed, BatchSize: 170})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(progress) != "[500 1000 1200]" {
				t.Errorf("Progress calls = %v, want [500 1000 1200]", progress)
			}
			if stA.Updates != n || stB.Updates != n || stA.Incidents != stB.Incidents {
				t.Fatalf("stats %+v and %+v, want %d updates each and equal incidents", stA, stB, n)
			}
			if stA.Rate() <= 0 || stA.Elapsed <= 0 {
				t.Errorf("stats %+v: no rate", stA)
			}
			for _, s := range []civicmon.Store{a, b} {
				_, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{})
				if err != nil || total != n {
					t.Fatalf("FindUpdates total = %d, %v; want %d", total, err, n)
				}
			}
			da, db := digest(t, a, seed, n), digest(t, b, seed, n)
			if da != db {
				t.Fatalf("same seed, different data:\n%s", firstDiff(da, db))
			}
			if got := strings.Count(da, "\n  "); got != stA.Incidents {
				t.Errorf("%d incidents stored, stats say %d", got, stA.Incidents)
			}
			for _, line := range strings.Split(da, "\n") {
				if line != "" && !strings.HasPrefix(line, "  ") && !strings.Contains(line, "|[synthetic] ") {
					t.Fatalf("title does not start with [synthetic]: %s", line[:min(len(line), 200)])
				}
			}
			digests[e.Name] = da
		})
	}
	// The engines store the same bytes.
	if pg, ok := digests["postgres"]; ok && digests["sqlite"] != "" && pg != digests["sqlite"] {
		t.Fatalf("SQLite and PostgreSQL hold different data for the same seed:\n%s", firstDiff(digests["sqlite"], pg))
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  %.300s\n  %.300s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}

func TestRunOtherSeedDiffers(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t).Store()
			const n = 300
			// Two seeds live side by side in one database.
			for _, seed := range []uint64{1, 2} {
				if _, err := gen.Run(ctx, s, gen.Options{Updates: n, Seed: seed}); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
			_, total, err := s.FindUpdates(ctx, civicmon.UpdateFilter{})
			if err != nil || total != 2*n {
				t.Fatalf("total = %d, %v; want %d", total, err, 2*n)
			}
			same := 0
			for i := 1; i <= n; i++ {
				u1, err1 := s.UpdateBySlug(ctx, gen.Slug(1, i))
				u2, err2 := s.UpdateBySlug(ctx, gen.Slug(2, i))
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if u1.UID == u2.UID || u1.Title == u2.Title || u1.Summary == u2.Summary || u1.Body == u2.Body {
					same++
				}
			}
			if same > 0 {
				t.Fatalf("seeds 1 and 2 share the uid or a text of %d updates", same)
			}
		})
	}
}

func TestRunSeedCollision(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t).Store()
			if _, err := gen.Run(ctx, s, gen.Options{Updates: 50, Seed: 9}); err != nil {
				t.Fatal(err)
			}
			_, err := gen.Run(ctx, s, gen.Options{Updates: 50, Seed: 9})
			wantSeedError(t, err, 9)

			// A collision further in, found by the insert itself.
			s = e.Open(t).Store()
			if _, err := demo.LoadCountries(ctx, s); err != nil {
				t.Fatal(err)
			}
			clash := civicmon.Update{Slug: gen.Slug(5, 30), CountryCode: "KZ", Title: "A real update"}
			if err := s.CreateUpdate(ctx, &clash); err != nil {
				t.Fatal(err)
			}
			st, err := gen.Run(ctx, s, gen.Options{Updates: 100, Seed: 5, BatchSize: 20})
			wantSeedError(t, err, 5)
			if !strings.Contains(err.Error(), `slug "synthetic-5-30"`) {
				t.Errorf("error %q does not name the slug", err)
			}
			if st.Updates != 20 {
				t.Errorf("stored %d updates before the clash, want the first batch of 20", st.Updates)
			}
		})
	}
}

func wantSeedError(t *testing.T, err error, seed uint64) {
	t.Helper()
	if civicmon.ErrorCode(err) != civicmon.ECONFLICT {
		t.Fatalf("error %v has code %q, want %q", err, civicmon.ErrorCode(err), civicmon.ECONFLICT)
	}
	for _, want := range []string{fmt.Sprintf("seed %d", seed), "use another --seed or a fresh database"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not say %q", err, want)
		}
	}
}

func TestRunCountries(t *testing.T) {
	// An empty database gets the reference countries.
	s := storetest.SQLite.Open(t).Store()
	if _, err := gen.Run(ctx, s, gen.Options{Updates: 0, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Countries(ctx)
	if err != nil || len(cs) < 190 {
		t.Fatalf("%d countries after gen, %v; want the reference list", len(cs), err)
	}
	if _, total, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{}); total != 0 {
		t.Fatalf("0 updates asked, %d stored", total)
	}
	// A database with countries keeps them and gets updates on them only.
	s = storetest.SQLite.Open(t).Store()
	for _, c := range []civicmon.Country{
		{Code: "KZ", Code3: "KAZ", Name: "Kazakhstan", Slug: "kazakhstan", Region: civicmon.RegionEuropeCentralAsia},
		{Code: "CL", Code3: "CHL", Name: "Chile", Slug: "chile", Region: civicmon.RegionAmericas},
	} {
		if err := s.PutCountry(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := gen.Run(ctx, s, gen.Options{Updates: 200, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Countries(ctx); len(cs) != 2 {
		t.Fatalf("%d countries, want the 2 stored", len(cs))
	}
	kz, _, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: "KZ", Limit: 1})
	cl, _, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: "CL", Limit: 1})
	if len(kz) == 0 || len(cl) == 0 {
		t.Fatal("updates do not cover both stored countries")
	}
	if _, err := gen.Run(ctx, s, gen.Options{Updates: -1}); civicmon.ErrorCode(err) != civicmon.EINVALID {
		t.Fatalf("Updates -1: error %v, want %s", err, civicmon.EINVALID)
	}
}

func TestRunCancelled(t *testing.T) {
	s := storetest.SQLite.Open(t).Store()
	c, cancel := context.WithCancel(ctx)
	st, err := gen.Run(c, s, gen.Options{Updates: 1000, Seed: 1, BatchSize: 100, Progress: func(done, _ int) {
		if done == 300 {
			cancel()
		}
	}})
	if err == nil || st.Updates != 300 {
		t.Fatalf("cancelled run: %+v, %v; want 300 updates and an error", st, err)
	}
}

// TestGenerated checks the generator's output without a database: validity,
// the phrase schedule and the shape of the distributions.
func TestGenerated(t *testing.T) {
	countries, err := demo.Countries()
	if err != nil {
		t.Fatal(err)
	}
	// Under the race detector generation is some twenty times slower;
	// the checks below hold for both sizes (the schedule and the shares
	// are deterministic for the seed).
	const seed = 3
	n := 20000
	if raceEnabled {
		n = 6000
	}
	g := gen.NewGenerator(seed, n, countries)
	vocab := civicmon.DefaultVocabulary()
	known := map[string]bool{}
	for _, c := range countries {
		known[c.Code] = true
	}
	var (
		published, incidents, cyrillic, withPeriod, sourcesN int
		perCountry                                           = map[string]int{}
		phraseHits                                           = make([]int, len(gen.Phrases))
		markerHits                                           = make([]int, len(gen.Phrases))
		markers                                              = []string{"peaceful", "detained", "shutdown", "мирный"}
		minSummary, maxSummary, minBody, maxBody             = 1 << 30, 0, 1 << 30, 0
		first, last                                          = civicmon.MustDate("2016-01-01"), civicmon.MustDate("2026-10-31")
	)
	latest := first
	var u civicmon.Update
	for i := 1; i <= n; i++ {
		g.Update(i, &u)
		if err := u.Validate(vocab); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if !known[u.CountryCode] {
			t.Fatalf("update %d: unknown country %s", i, u.CountryCode)
		}
		if u.UID != gen.UID(seed, i) || u.Slug != gen.Slug(seed, i) || len(u.UID) != 20 || strings.ToLower(u.UID) != u.UID {
			t.Fatalf("update %d: uid %q, slug %q", i, u.UID, u.Slug)
		}
		if !strings.HasPrefix(u.Title, "[synthetic] ") {
			t.Fatalf("update %d: title %q", i, u.Title)
		}
		if u.Status == civicmon.StatusPublished {
			published++
		}
		if !u.PublishedOn.IsZero() && (u.PublishedOn.Before(first) || u.PublishedOn.After(last)) {
			t.Fatalf("update %d: published on %s", i, u.PublishedOn)
		}
		// Dates follow n, give or take a week.
		created := civicmon.DateOf(u.CreatedAt)
		if created.Before(latest.AddDays(-15)) {
			t.Fatalf("update %d: created on %s, after an update of %s", i, created, latest)
		}
		if created.After(latest) {
			latest = created
		}
		if i == 1 && created.After(first.AddDays(10)) || i == n && created.Before(last.AddDays(-10)) {
			t.Fatalf("update %d of %d: created on %s", i, n, created)
		}
		if !u.PeriodStart.IsZero() {
			withPeriod++
		}
		if nv := len(u.Violations); nv < 1 || nv > 4 {
			t.Fatalf("update %d: %d violations", i, nv)
		}
		if nf := len(u.Freedoms.List()); nf < 1 || nf > 3 {
			t.Fatalf("update %d: %d freedoms", i, nf)
		}
		if len(u.Incidents) > 5 || len(u.Sources) > 3 {
			t.Fatalf("update %d: %d incidents, %d sources", i, len(u.Incidents), len(u.Sources))
		}
		for _, s := range u.Sources {
			if !strings.HasPrefix(s.URL, "https://example.org/") {
				t.Fatalf("update %d: source %q", i, s.URL)
			}
		}
		if u.Partner != "" && !strings.HasPrefix(u.Partner, "Synthetic Partner ") {
			t.Fatalf("update %d: partner %q", i, u.Partner)
		}
		for _, in := range u.Incidents {
			if in.PeopleAffected < 0 || in.PeopleAffected > 500 || in.Place == "" {
				t.Fatalf("update %d: incident %+v", i, in)
			}
		}
		incidents += len(u.Incidents)
		sourcesN += len(u.Sources)
		perCountry[u.CountryCode]++
		minSummary, maxSummary = min(minSummary, len(u.Summary)), max(maxSummary, len(u.Summary))
		minBody, maxBody = min(minBody, len(u.Body)), max(maxBody, len(u.Body))
		if strings.ContainsAny(u.Body, "абвгдежзийклмнопрстуфхцчшщыэюяқә") {
			cyrillic++
		}
		all := allText(&u)
		for k, p := range gen.Phrases {
			if strings.Contains(u.Body, p.Text) {
				phraseHits[k]++
				if !p.In(i) {
					t.Fatalf("update %d has %q off its schedule", i, p.Text)
				}
			}
			if strings.Contains(strings.ToLower(all), markers[k]) {
				markerHits[k]++
			}
		}
	}
	for k, p := range gen.Phrases {
		if phraseHits[k] != p.Count(n) || markerHits[k] != p.Count(n) {
			t.Errorf("%q: in %d bodies, marker %q in %d updates; want both %d", p.Text, phraseHits[k], markers[k], markerHits[k], p.Count(n))
		}
	}
	share := func(k int) float64 { return float64(k) / float64(n) }
	check := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.3f, want %.3f..%.3f", what, got, lo, hi)
		}
	}
	check("published share", share(published), 0.96, 0.98)
	check("incidents per update", float64(incidents)/float64(n), 2.4, 2.6)
	check("sources per update", float64(sourcesN)/float64(n), 1.2, 1.5)
	check("share with a reporting period", share(withPeriod), 0.22, 0.28)
	check("share of bodies with Cyrillic", share(cyrillic), 0.5, 1)
	check("shortest summary", float64(minSummary), 300, 330)
	check("longest summary", float64(maxSummary), 580, 700)
	check("shortest body", float64(minBody), 1500, 1600)
	check("longest body", float64(maxBody), 2900, 3300)
	top := 0
	for _, k := range perCountry {
		top = max(top, k)
	}
	check("top country share", share(top), 0.05, 0.12)
	if len(perCountry) < 150 {
		t.Errorf("only %d countries have updates", len(perCountry))
	}
	t.Logf("%d updates: %.1f%% published, %.2f incidents each, %.1f%% with Cyrillic, summary %d..%d, body %d..%d bytes, top country %.1f%%",
		n, 100*share(published), float64(incidents)/float64(n), 100*share(cyrillic), minSummary, maxSummary, minBody, maxBody, 100*share(top))
}

func allText(u *civicmon.Update) string {
	parts := []string{u.Title, u.Summary, u.Body, u.InternalNotes, u.Partner}
	for _, s := range u.Sources {
		parts = append(parts, s.Title, s.URL, s.Publisher)
	}
	for _, in := range u.Incidents {
		parts = append(parts, in.Place, in.Description, in.VictimName)
	}
	return strings.Join(parts, "\n")
}

func TestPhraseCount(t *testing.T) {
	for _, p := range append(gen.Phrases, gen.Phrase{Text: "x", Every: 4, Offset: 0}) {
		for n := range 60 {
			want := 0
			for i := 1; i <= n; i++ {
				if p.In(i) {
					want++
				}
			}
			if got := p.Count(n); got != want {
				t.Fatalf("%+v.Count(%d) = %d, want %d", p, n, got, want)
			}
		}
	}
}

func TestUIDAndSlug(t *testing.T) {
	if got := gen.Slug(42, 7); got != "synthetic-42-7" {
		t.Errorf("Slug = %q", got)
	}
	a, b := gen.UID(1, 1), gen.UID(1, 2)
	if a == b || a != gen.UID(1, 1) || len(a) != 20 || a == gen.UID(2, 1) {
		t.Errorf("UIDs %q %q", a, b)
	}
	for _, r := range a {
		if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz234567", r) {
			t.Errorf("UID %q is not lower-case base32", a)
		}
	}
}
