// Package storetest holds the conformance suite every civicmon.Store must
// pass, and helpers that open a fresh, migrated database per test: a SQLite
// file always, PostgreSQL when CIVICMON_TEST_POSTGRES holds a URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/civicmon/civicmon/postgres"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/sqlite"
)

// PostgresEnv names the environment variable with the test server's URL.
const PostgresEnv = "CIVICMON_TEST_POSTGRES"

// Engine opens a fresh, empty, migrated database for one test.
type Engine struct {
	Name string
	Open func(t testing.TB) *sqldb.DB
	// DSN returns a --db value for a fresh, empty, unmigrated database, for
	// tests of the command line.
	DSN func(t testing.TB) string
}

// Engines lists SQLite and, when configured, PostgreSQL. It logs clearly
// when PostgreSQL is skipped, so a CI log shows which ran.
func Engines(t testing.TB) []Engine {
	es := []Engine{SQLite}
	if os.Getenv(PostgresEnv) != "" {
		es = append(es, Postgres)
	} else {
		skipNotice.Do(func() {
			t.Logf("PostgreSQL: SKIPPED — set %s=postgres://… to run the suite against PostgreSQL too", PostgresEnv)
		})
	}
	return es
}

var skipNotice sync.Once

// SQLite opens a new SQLite file in the test's temporary directory.
var SQLite = Engine{
	Name: "sqlite",
	Open: func(t testing.TB) *sqldb.DB {
		return openMigrated(t, func() (*sqldb.DB, error) { return sqlite.Open(SQLitePath(t)) })
	},
	DSN: SQLitePath,
}

// SQLitePath returns a path for a new SQLite file that the test removes.
func SQLitePath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "civicmon.db")
}

// Postgres opens a new schema on the CIVICMON_TEST_POSTGRES server, dropped
// when the test ends.
var Postgres = Engine{
	Name: "postgres",
	Open: func(t testing.TB) *sqldb.DB {
		dsn := PostgresDSN(t)
		return openMigrated(t, func() (*sqldb.DB, error) { return postgres.Open(dsn) })
	},
	DSN: PostgresDSN,
}

// PostgresDSN creates an empty schema for the test and returns a URL whose
// connections use it. It skips the test when PostgreSQL is not configured.
func PostgresDSN(t testing.TB) string {
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL: SKIPPED — %s is not set", PostgresEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "civicmon_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("postgres: create schema (is %s=%s reachable?): %v", PostgresEnv, base, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres: %s is not a URL: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openMigrated(t testing.TB, open func() (*sqldb.DB, error)) *sqldb.DB {
	t.Helper()
	db, err := open()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
