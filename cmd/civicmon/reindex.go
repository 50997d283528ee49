package main

import (
	"fmt"
	"time"
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
	progress := progressFunc(e, 0)
	err = d.Store().Reindex(e.ctx, func(done, n int) {
		if total == 0 && n > 0 {
			total = n
			progress = progressFunc(e, n)
		}
		progress(done, n)
	})
	if err != nil {
		return fmt.Errorf("%w\nthe search index is as it was: run civicmon reindex again", err)
	}
	fmt.Fprintf(e.stdout, "search index rebuilt: %d published updates in %s\n", total, time.Since(start).Round(time.Millisecond))
	return nil
}
