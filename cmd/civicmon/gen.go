package main

import (
	"fmt"
	"os"
	"time"

	"github.com/civicmon/civicmon/gen"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdGen(e *env, args []string) error {
	fs := newFlags(e, "gen", "gen --updates N [--seed S] [--db DB]")
	db := dbFlag(fs)
	n := fs.Int("updates", 10000, "number of synthetic updates to generate")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	batch := fs.Int("batch", 0, "updates per transaction (0: the default)")
	if err := parse(e, fs, args); err != nil {
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
	progress := progressFunc(e, *n)
	st, err := gen.Run(e.ctx, d.Store(), gen.Options{Updates: *n, Seed: *seed, BatchSize: *batch, Progress: progress})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "generated %d synthetic updates with %d incidents in %s (%.0f updates/s)\n",
		st.Updates, st.Incidents, st.Elapsed.Round(time.Millisecond), st.Rate())
	return nil
}

// progressFunc shows a progress bar on a terminal and a log line every
// tenth of the work elsewhere (CI logs, pipes).
func progressFunc(e *env, total int) func(done, total int) {
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
			e.log.Info("generating", "done", done, "total", total)
			next = done + total/10
		}
	}
}
