// Package postgres is civicmon's store for deployments that outgrow one
// machine: PostgreSQL through pgx's database/sql driver.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/civicmon/civicmon/sqldb"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key that keeps two civicmon processes
// from migrating one database at the same time ("civicmon" in ASCII, folded).
const migrationLock = 0x636976696d6f6e

// auditLock orders appends to the audit log, whose entries chain.
const auditLock = migrationLock + 1

// Dialect is PostgreSQL's part of the shared SQL store.
var Dialect = &sqldb.Dialect{
	Name:               "postgres",
	Migrations:         mustSub(migrationFiles, "migrations"),
	DollarPlaceholders: true,
	LastInsertID:       false,
	Sequences:          true,
	DayExpr:            `COALESCE(published_on - DATE '1970-01-01', 0)`,
	DayOf:              func(col string) string { return `COALESCE(` + col + ` - DATE '1970-01-01', 0)` },
	Text:               tsvectors{},
	InIDs:              ` IN (SELECT CAST(jsonb_array_elements_text(CAST(? AS jsonb)) AS bigint))`,
	LowerFoldsAll:      true,
	LockMigrations: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock))
		return err
	},
	LockAudit: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLock))
		return err
	},
	IsUniqueViolation: func(err error) bool { return pgCode(err) == "23505" },
	IsMissingTable:    func(err error) bool { return pgCode(err) == "42P01" },
	SkipLocked:        " FOR UPDATE SKIP LOCKED",
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Open connects to the PostgreSQL database at url (postgres://…). One pool
// serves reads and writes: PostgreSQL handles concurrent writers itself.
func Open(url string) (*sqldb.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w (is the server running, and is the URL right?)", err)
	}
	return sqldb.New(db, db, Dialect), nil
}
