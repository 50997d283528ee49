// Package sqlite is civicmon's embedded store: a SQLite file through the
// pure-Go modernc.org/sqlite driver, so civicmon stays one static binary.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/civicmon/civicmon/sqldb"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect is SQLite's part of the shared SQL store.
var Dialect = &sqldb.Dialect{
	Name:               "sqlite",
	Migrations:         mustSub(migrationFiles, "migrations"),
	DollarPlaceholders: false,
	LastInsertID:       true,
	SingleWriter:       true,
	DayExpr:            `COALESCE(CAST(julianday(published_on) - 2440587.5 AS INTEGER), 0)`,
	DayOf:              func(col string) string { return `COALESCE(CAST(julianday(` + col + `) - 2440587.5 AS INTEGER), 0)` },
	Text:               fts5{},
	InIDs:              ` IN (SELECT value FROM json_each(?))`,
	// BEGIN IMMEDIATE (see _txlock below) already serialises writers.
	LockMigrations: nil,
	IsUniqueViolation: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	IsMissingTable: func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "no such table")
	},
}

// pageSize is the page size of the databases civicmon creates. SQLite's
// default of 4 KB makes an import's writer do a fifth more work for its
// B-trees than 16 KB pages (docs/benchmarks.md, "Import"), and the
// postings' blobs of several kilobytes fit a page rather than a chain of
// overflow pages. A database keeps the page size it was created with.
const pageSize = 16384

// createWithPageSize creates the database file at path with the given page
// size, unless it exists. The page size must be set before the first
// table, and before journal_mode=WAL, which writes the file: Open's pragmas
// cannot (modernc.org/sqlite applies them in alphabetical order).
func createWithPageSize(path string, size int) error {
	if strings.HasPrefix(path, "file:") || strings.HasPrefix(path, ":memory:") {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = WAL`, size)); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return db.Close()
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Open opens (creating if needed) the SQLite database at path. Writes go
// through a single connection, which is how SQLite wants them; reads use a
// pool that WAL mode lets run beside the writer.
func Open(path string) (*sqldb.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	dsn := func(pragmas ...string) string {
		v := url.Values{}
		for _, p := range append([]string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)",
			"foreign_keys(ON)", "temp_store(MEMORY)"}, pragmas...) {
			v.Add("_pragma", p)
		}
		return "file:" + path + "?" + v.Encode()
	}
	if err := createWithPageSize(path, pageSize); err != nil {
		return nil, err
	}
	// The writer keeps 32 MB of pages: bulk loads and index merges touch
	// many. Readers keep 4 MB each: the operating system caches the file
	// for all of them, and the full-text lists of a common word at a
	// million updates are larger than any cache a connection could keep
	// for each of them (see "Search" in docs/benchmarks.md: memory).
	write, err := sql.Open("sqlite", dsn("cache_size(-32000)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before readers open it.
	if err := write.PingContext(context.Background()); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn("cache_size(-4000)", "query_only(ON)"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	return sqldb.New(read, write, Dialect), nil
}
