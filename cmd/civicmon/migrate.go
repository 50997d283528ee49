package main

import (
	"fmt"
)

func cmdMigrate(e *env, args []string) error {
	fs := newFlags(e, "migrate", "migrate [--db DB]\n\n"+
		"Brings the database's schema up to date. It makes a new SQLite file when there is\n"+
		"none: the way to start an empty database (every other command but demo refuses\n"+
		"a file that does not exist).")
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
	v, err := d.Store().SchemaVersion(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database schema is at version %d (the latest this civicmon knows)\n", v)
	return nil
}
