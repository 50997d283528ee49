package main

import (
	"fmt"

	"github.com/civicmon/civicmon/demo"
)

func cmdDemo(e *env, args []string) error {
	fs := newFlags(e, "demo", "demo [--db DB]\n\n"+
		"Loads the demo data (the 197 countries with their ratings, Kazakhstan's updates,\n"+
		"the watchlist) in one transaction, only into a new or empty database; it makes\n"+
		"the SQLite file when there is none.")
	db := dbFlag(fs)
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	d, err := createDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	st, err := demo.Load(e.ctx, d.Store())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo data loaded: %s\n", st)
	return nil
}
