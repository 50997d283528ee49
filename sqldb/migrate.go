package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"

	"github.com/civicmon/civicmon"
)

// Migration is one forward-only schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationFile = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations reads the dialect's migration files in version order and
// checks they are numbered 1, 2, 3… with no gap.
func (d *Dialect) migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(d.Migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("read %s migrations: %w", d.Name, err)
	}
	var ms []Migration
	for _, e := range entries {
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("%s migration %q: name must be NNNN_name.sql", d.Name, e.Name())
		}
		body, err := fs.ReadFile(d.Migrations, e.Name())
		if err != nil {
			return nil, err
		}
		v, _ := strconv.Atoi(m[1])
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("%s migrations: expected version %d, found %d (%s)", d.Name, i+1, m.Version, m.Name)
		}
	}
	return ms, nil
}

// LatestVersion is the newest schema version this binary knows.
func (db *DB) LatestVersion() (int, error) {
	ms, err := db.dialect.migrations()
	if err != nil {
		return 0, err
	}
	return len(ms), nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// afterMigration holds data steps that belong to a schema version and run in
// its transaction, shared by both engines so seeds cannot drift apart.
var afterMigration = map[int]func(ctx context.Context, s *Store) error{
	1: seedVocabularies,
}

// Migrate applies every pending migration, each in its own transaction, and
// reports each one applied through progress (which may be nil). It refuses a
// database whose schema is newer than this binary knows: running an old
// binary against it could corrupt data written by the newer one.
func (db *DB) Migrate(ctx context.Context, progress func(m Migration)) error {
	ms, err := db.dialect.migrations()
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := db.checkNotNewer(ctx, len(ms)); err != nil {
		return err
	}
	for _, m := range ms {
		if err := db.applyMigration(ctx, m, progress); err != nil {
			return err
		}
	}
	return nil
}

// CheckSchema reports ESCHEMA when the database needs migrating or is newer
// than this binary.
func (db *DB) CheckSchema(ctx context.Context) error {
	latest, err := db.LatestVersion()
	if err != nil {
		return err
	}
	if err := db.checkNotNewer(ctx, latest); err != nil {
		return err
	}
	v, err := db.Store().SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v < latest {
		return civicmon.Errorf(civicmon.ESCHEMA, "database schema is at version %d, this civicmon needs %d: run `civicmon migrate`", v, latest)
	}
	return nil
}

func (db *DB) checkNotNewer(ctx context.Context, latest int) error {
	v, err := db.Store().SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v > latest {
		return civicmon.Errorf(civicmon.ESCHEMA,
			"database schema is at version %d but this civicmon (%s) knows versions up to %d: "+
				"it was written by a newer civicmon; upgrade civicmon, or point --db at another database",
			v, civicmon.Version, latest)
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m Migration, progress func(Migration)) error {
	return db.Store().write(ctx, func(s *Store) error {
		if db.dialect.LockMigrations != nil {
			if err := db.dialect.LockMigrations(ctx, s.tx); err != nil {
				return fmt.Errorf("lock migrations: %w", err)
			}
		}
		// Another process may have applied it while we waited for the lock.
		var n int
		if err := s.tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := s.tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if step := afterMigration[m.Version]; step != nil {
			if err := step(ctx, s); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		now := db.Now().UTC().Format("2006-01-02T15:04:05Z")
		if _, err := s.tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`), m.Version, m.Name, now); err != nil {
			return err
		}
		if progress != nil {
			progress(m)
		}
		return nil
	})
}

// SchemaVersion returns the newest applied migration, 0 for a new database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.reader().QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		if s.db.dialect.isMissingTable(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

func seedVocabularies(ctx context.Context, s *Store) error {
	for i, t := range civicmon.DefaultViolations {
		if _, err := s.tx.ExecContext(ctx, s.q(`INSERT INTO violation_types (slug, name, position) VALUES (?, ?, ?)`), t.Slug, t.Name, i+1); err != nil {
			return fmt.Errorf("seed violation type %s: %w", t.Slug, err)
		}
	}
	for i, t := range civicmon.DefaultTargets {
		if _, err := s.tx.ExecContext(ctx, s.q(`INSERT INTO target_groups (slug, name, position) VALUES (?, ?, ?)`), t.Slug, t.Name, i+1); err != nil {
			return fmt.Errorf("seed target group %s: %w", t.Slug, err)
		}
	}
	return nil
}
