package main

import (
	"fmt"

	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/store"
)

// openDB opens the database and brings its schema up to date, logging each
// migration applied. It refuses, changing nothing, a schema newer than this
// binary knows.
func openDB(e *env, dsn string) (*sqldb.DB, error) {
	db, err := store.OpenMigrated(e.ctx, dsn, func(m sqldb.Migration) {
		e.log.Info("migration applied", "version", m.Version, "name", m.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", redact(dsn), err)
	}
	return db, nil
}

// redact hides a password in a database URL before it is printed.
func redact(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	return store.Redact(dsn)
}
