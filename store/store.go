// Package store opens the database a --db value names: a postgres:// URL for
// PostgreSQL, anything else as a SQLite file path.
package store

import (
	"context"
	"net/url"
	"strings"

	"github.com/civicmon/civicmon/postgres"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/sqlite"
)

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database without touching its schema.
func Open(dsn string) (*sqldb.DB, error) {
	if IsPostgres(dsn) {
		return postgres.Open(dsn)
	}
	return sqlite.Open(strings.TrimPrefix(dsn, "sqlite://"))
}

// OpenMigrated opens the database and applies pending migrations; it fails,
// changing nothing, when the schema is newer than this binary knows.
func OpenMigrated(ctx context.Context, dsn string, progress func(sqldb.Migration)) (*sqldb.DB, error) {
	db, err := Open(dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, progress); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Redact returns a database URL with its password replaced, for logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}
