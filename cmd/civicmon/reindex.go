package main

import (
	"fmt"
	"time"

	"github.com/civicmon/civicmon/sqldb"
)

func cmdReindex(e *env, args []string) error {
	fs := newFlags(e, "reindex", "reindex [--db DB]\n\n"+
		"Rebuilds the search index from the published updates, in one transaction: on\n"+
		"failure the index is as it was.")
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	var total int
	progress := progressFunc(e, "indexing", 0)
	err = d.Store().Reindex(e.ctx, func(done, n int) {
		if total == 0 && n > 0 {
			total = n
			progress = progressFunc(e, "indexing", n)
		}
		progress(done, n)
	})
	if err != nil {
		return fmt.Errorf("%w\nthe search index is as it was: run civicmon reindex again", err)
	}
	fmt.Fprintf(e.stdout, "search index rebuilt: %d published updates in %s\n", total, time.Since(start).Round(time.Millisecond))
	return buildPostings(e, d.Store())
}

// buildPostings brings the search's postings up to date (after a reindex
// or a generation, which leave them to be built), showing progress by
// blocks of 65,536 update ids. The server would do it in the background.
func buildPostings(e *env, s *sqldb.Store) error {
	start := time.Now()
	var progress func(done, total int)
	err := s.FlushPostings(e.ctx, func(done, n int) {
		if progress == nil {
			progress = progressFunc(e, "indexing", n)
		}
		progress(done, n)
	})
	if err != nil {
		return fmt.Errorf("build the search postings: %w\nsearches use the full-text index meanwhile; civicmon serve builds them in the background", err)
	}
	fmt.Fprintf(e.stdout, "search postings up to date in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
