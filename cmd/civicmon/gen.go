package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdGen(e *env, args []string) error {
	fs := newFlags(e, "gen", "gen [--updates N] [--seed SEED] [--force] [--db DB]\n\n"+
		"Adds N synthetic published updates, for benchmarks, to a database that holds\n"+
		"nothing but the demo data and earlier synthetic updates (make one with\n"+
		"civicmon demo --db bench.db). It refuses a database with anything else in it.")
	db := dbFlag(fs)
	n := fs.Int("updates", 10000, "the number `N` of synthetic updates to generate")
	seed := fs.Uint64("seed", 1, "the random `SEED`: the same seed gives the same data")
	batch := fs.Int("batch", 0, "`N` updates per transaction (0: the default)")
	force := fs.Bool("force", false, "add synthetic updates even to a database that holds other data (accounts, updates, ratings, watchlist editions): they are published on its site")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	if *n <= 0 {
		return fmt.Errorf("--updates must be at least 1, got %d", *n)
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if !*force {
		found, err := notSynthetic(e, d)
		if err != nil {
			return err
		}
		if len(found) > 0 {
			return fmt.Errorf("%s holds more than the demo data and synthetic updates: %s.\n"+
				"gen would publish %d made-up updates on its site. Generate into a database of its own\n"+
				"(civicmon demo --db bench.db, then civicmon gen --db bench.db), or pass --force if you mean it",
				redact(*db), strings.Join(found, "; "), *n)
		}
	}
	progress := progressFunc(e, "generating", *n)
	st, err := gen.Run(e.ctx, d.Store(), gen.Options{Updates: *n, Seed: *seed, BatchSize: *batch, Progress: progress})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "generated %d synthetic updates with %d incidents in %s (%.0f updates/s)\n",
		st.Updates, st.Incidents, st.Elapsed.Round(time.Millisecond), st.Rate())
	return buildPostings(e, d.Store())
}

// notSynthetic says what the database holds beyond the demo data and the
// synthetic updates of gen: accounts (API tokens' included), rating
// proposals, updates, ratings and watchlist editions of its own.
func notSynthetic(e *env, d *sqldb.DB) ([]string, error) {
	ctx, s := e.ctx, d.Store()
	var found []string
	users, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	if len(users) > 0 {
		found = append(found, plural(len(users), "account", "accounts"))
	}
	proposals, err := s.RatingProposals(ctx, "")
	if err != nil {
		return nil, err
	}
	if len(proposals) > 0 {
		found = append(found, plural(len(proposals), "rating proposal", "rating proposals"))
	}
	others, err := s.CountUpdatesWithoutSlugPrefix(ctx, "synthetic-")
	if err != nil {
		return nil, err
	}
	demoUpdates, err := demo.KazakhstanUpdates()
	if err != nil {
		return nil, err
	}
	uids := make([]string, len(demoUpdates))
	for i, u := range demoUpdates {
		uids[i] = u.UID
	}
	fromDemo, err := s.UpdateIDsByUID(ctx, uids)
	if err != nil {
		return nil, err
	}
	if n := others - len(fromDemo); n > 0 {
		found = append(found, plural(n, "update", "updates")+" not made by civicmon demo or gen")
	}
	demoRatings, err := demo.Ratings()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, r := range demoRatings {
		known[r.CountryCode+" "+r.EffectiveDate.String()] = true
	}
	countries, err := s.Countries(ctx)
	if err != nil {
		return nil, err
	}
	ratings := 0
	for _, c := range countries {
		h, err := s.RatingHistory(ctx, c.Code)
		if err != nil {
			return nil, err
		}
		for _, r := range h {
			if !known[r.CountryCode+" "+r.EffectiveDate.String()] {
				ratings++
			}
		}
	}
	if ratings > 0 {
		found = append(found, plural(ratings, "rating", "ratings")+" not in the demo data")
	}
	demoEditions, err := demo.WatchlistEditions()
	if err != nil {
		return nil, err
	}
	dates := map[civicmon.Date]bool{}
	for _, w := range demoEditions {
		dates[w.PublishedOn] = true
	}
	editions, err := s.WatchlistEditions(ctx)
	if err != nil {
		return nil, err
	}
	own := 0
	for _, w := range editions {
		if !dates[w.PublishedOn] {
			own++
		}
	}
	if own > 0 {
		found = append(found, plural(own, "watchlist edition", "watchlist editions")+" not in the demo data")
	}
	return found, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// progressFunc shows a progress bar on a terminal and a log line every
// tenth of the work elsewhere (CI logs, pipes).
func progressFunc(e *env, doing string, total int) func(done, total int) {
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription("updates"), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(f) }))
		return func(done, _ int) { bar.Set(done) }
	}
	next := total / 10
	return func(done, total int) {
		if done >= next || done == total {
			e.log.Info(doing, "done", done, "total", total)
			next = done + total/10
		}
	}
}
