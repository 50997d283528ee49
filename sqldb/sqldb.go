// Package sqldb implements civicmon.Store once, over database/sql, for every
// SQL database civicmon supports. The sqlite and postgres packages supply a
// Dialect — their migrations and the few things the two engines do
// differently — and open the connection pools; everything else, and so
// nearly every bug fix, is shared.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/civicmon/civicmon"
)

// Dialect is what differs between the SQL engines.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// Migrations holds NNNN_name.sql files, applied in order.
	Migrations fs.FS
	// Placeholders: true when the engine wants $1, $2… instead of ?.
	DollarPlaceholders bool
	// LockMigrations serialises concurrent migrators inside tx.
	LockMigrations func(ctx context.Context, tx *sql.Tx) error
	// LockAudit serialises appends to the audit log inside tx (nil where
	// the engine runs one writer at a time).
	LockAudit func(ctx context.Context, tx *sql.Tx) error
	// IsUniqueViolation reports whether err is a unique constraint failure.
	IsUniqueViolation func(err error) bool
	// IsMissingTable reports whether err says a table does not exist.
	IsMissingTable func(err error) bool
	// LastInsertID: true when the driver supports Result.LastInsertId,
	// which is cheaper than RETURNING on the bulk path.
	LastInsertID bool
	// SingleWriter: the engine runs one write transaction at a time
	// through the one connection of the write pool, and speaks SQLite's
	// dialect for what that allows: a transaction may switch its foreign
	// key checks off (PRAGMA foreign_keys), an INSERT takes a conflict
	// clause (OR ROLLBACK, OR FAIL), and a bulk load may run the WAL's
	// checkpoints itself (see bulk.go and bulkload.go).
	SingleWriter bool
	// Sequences: ids come from the table's sequence (nextval), which a
	// bulk insert reserves ahead; without, from the largest id plus one.
	// A failed statement aborts the whole transaction on such engines.
	Sequences bool
	// DayExpr is the SQL of an update's day of publication as days since
	// 1970-01-01 (0 when it has none).
	DayExpr string
	// DayOf is the SQL of any date column as days since 1970-01-01 (0 for
	// NULL: no date civicmon keeps is that day).
	DayOf func(col string) string
	// Text is the engine's full-text index.
	Text TextIndex
	// InIDs is the SQL that follows a column to test that it is one of
	// the ids of a JSON array given as one parameter ("[1,2,3]").
	InIDs string
	// LowerFoldsAll: the engine's LOWER folds every script's capitals
	// (PostgreSQL); SQLite's LOWER and LIKE fold ASCII letters only.
	LowerFoldsAll bool
	// SkipLocked ends a SELECT whose rows a transaction claims, so that
	// concurrent claimers skip each other's rows (" FOR UPDATE SKIP
	// LOCKED"); empty where the engine runs one writer at a time.
	SkipLocked string
}

// DB is an opened database: a pool for reads and one for writes (the same
// pool where the engine handles concurrent writers itself).
type DB struct {
	read    *sql.DB
	write   *sql.DB
	dialect *Dialect
	// afterPrepare, for tests, runs when IndexDeferred has analysed the
	// chunk of ids first to upto and before it writes it (export_test.go).
	afterPrepare func(first, upto int64)
	Now          civicmon.Clock
	// MessageIDDomain is the domain of the Message-IDs EnqueueMail makes
	// (the sender's; "civicmon.invalid" when empty).
	MessageIDDomain string
	// commits counts write transactions committed through this DB.
	commits atomic.Uint64
	// seenDataVersion is the data version DataVersion last read.
	seenDataVersion atomic.Int64
}

// New wraps opened pools. read and write may be the same *sql.DB.
func New(read, write *sql.DB, d *Dialect) *DB {
	return &DB{read: read, write: write, dialect: d, Now: time.Now}
}

// Store returns the civicmon.Store over db.
func (db *DB) Store() *Store { return &Store{db: db} }

// Close closes both pools.
func (db *DB) Close() error {
	db.forgetPostings()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Dialect returns the engine's dialect.
func (db *DB) Dialect() *Dialect { return db.dialect }

// ReadDB exposes the read pool (to the metrics of its waits).
func (db *DB) ReadDB() *sql.DB { return db.read }

// WriteDB exposes the write pool to the dialect packages and to tests that
// must reach under the store (to fake a schema from the future, say).
func (db *DB) WriteDB() *sql.DB { return db.write }

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Store implements civicmon.Store. Outside a transaction it reads from the
// read pool and opens a write transaction per write method; inside InTx every
// call goes through the one transaction.
type Store struct {
	db *DB
	tx *sql.Tx
	// bulk: the transaction of InBulkTx, whose InsertUpdates leave the
	// engine's full-text index to the flush (search_deferred.go).
	bulk bool
	// bulkTop: that transaction began with InBulkTx (see Committed).
	bulkTop bool
}

var _ civicmon.Store = (*Store)(nil)

// Close closes the database.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("sqldb: Close called inside a transaction")
	}
	return s.db.Close()
}

// DB returns the database under the store.
func (s *Store) DB() *DB { return s.db }

func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.read.PingContext(ctx); err != nil {
		return civicmon.Errorf(civicmon.ENOTREADY, "database unreachable: %v", err)
	}
	return nil
}

// reader is where reads go: the transaction when there is one.
func (s *Store) reader() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.read
}

// InTx runs fn inside one write transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx civicmon.Store) error) error {
	return s.write(ctx, func(tx *Store) error { return fn(tx) })
}

// write runs fn in a transaction on the write pool, or in the current one.
func (s *Store) write(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	sqlTx, release, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer release()
	return s.runTx(ctx, sqlTx, fn)
}

// begin starts a transaction on the write pool that ctx does not end once
// it has begun. Waiting for the write connection ends with ctx (a request
// whose client went away, or past its deadline, gives up its place), and
// fn's statements still run under ctx, but the commit runs to its end:
// a commit can take long, and work it loses is done again by the next
// one. FTS5 merges its segments inside the commit that makes a merge due,
// a whole word at a time, and at a million updates the list of a word
// found in most of them takes tens of seconds to merge; when each commit
// was ended by its request's 30-second deadline, every later write began
// the same merge and lost it again (the soak at a million updates,
// docs/benchmarks.md). release returns the connection to the pool after
// the commit or the rollback.
func (s *Store) begin(ctx context.Context) (tx *sql.Tx, release func(), err error) {
	conn, err := s.db.write.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err = conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return tx, func() { conn.Close() }, nil
}

// writeQuiet is write for bookkeeping that no page shows (the outbox's
// claims and deliveries): it does not bump the data version, so it does
// not empty every server's page cache.
func (s *Store) writeQuiet(ctx context.Context, fn func(tx *Store) error) (err error) {
	if s.tx != nil {
		return fn(s)
	}
	sqlTx, release, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer release()
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Store{db: s.db, tx: sqlTx}); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// runTx runs fn in sqlTx, bumps the data version and commits, or rolls
// back when fn fails or panics. Every write transaction ends here.
func (s *Store) runTx(ctx context.Context, sqlTx *sql.Tx, fn func(tx *Store) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			sqlTx.Rollback()
			return
		}
		if cerr := sqlTx.Commit(); cerr != nil {
			err = fmt.Errorf("commit: %w", cerr)
			return
		}
		s.db.commits.Add(1)
	}()
	if err := fn(&Store{db: s.db, tx: sqlTx}); err != nil {
		return err
	}
	// Bumped last, so that the row lock is held as briefly as possible;
	// part of committing, so not ended with ctx either (see begin).
	_, err = sqlTx.ExecContext(context.WithoutCancel(ctx), `UPDATE civicmon_meta SET data_version = data_version + 1 WHERE id = 1`)
	return err
}

// Commits counts the write transactions this process committed: a cheap
// way for in-process caches to notice their own writes at once.
func (db *DB) Commits() uint64 { return db.commits.Load() }

// DataVersion is a number that goes up with every committed write from any
// process; caches poll it to notice writes made elsewhere.
//
// When it has moved since the last call, the search's views (facet index,
// postings) stop trusting themselves before it returns: a page cache that
// polls DataVersion and renders again when it moves must not render from
// a view that has not looked since (each trusts itself for a second).
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.read.QueryRowContext(ctx, `SELECT data_version FROM civicmon_meta WHERE id = 1`).Scan(&v)
	if err == nil && db.seenDataVersion.Swap(v) != v {
		db.searchViewsStale()
	}
	return v, err
}

// q rewrites ? placeholders for engines that number them.
func (s *Store) q(query string) string { return s.db.dialect.rebind(query) }

func (d *Dialect) isMissingTable(err error) bool {
	return d.IsMissingTable != nil && d.IsMissingTable(err)
}

func (d *Dialect) rebind(query string) string {
	if !d.DollarPlaceholders || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// insertID runs an INSERT and returns the new row's id.
func (s *Store) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	if s.db.dialect.LastInsertID {
		res, err := s.tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	var id int64
	err := s.tx.QueryRowContext(ctx, s.q(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// conflict turns a unique violation into an ECONFLICT error with msg.
func (s *Store) conflict(err error, format string, args ...any) error {
	if err != nil && s.db.dialect.IsUniqueViolation(err) {
		return civicmon.Errorf(civicmon.ECONFLICT, format, args...)
	}
	return err
}

func notFound(format string, args ...any) error {
	return civicmon.Errorf(civicmon.ENOTFOUND, format, args...)
}

// nullString stores "" as NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func nullInt64(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// preparedInsert is a prepared INSERT that yields the new row's id.
type preparedInsert struct {
	stmt      *sql.Stmt
	returning bool
}

// prepareInsert prepares an INSERT into a table with an id column.
func (tx *Store) prepareInsert(ctx context.Context, query string) (*preparedInsert, error) {
	returning := !tx.db.dialect.LastInsertID
	if returning {
		query += " RETURNING id"
	}
	stmt, err := tx.tx.PrepareContext(ctx, tx.q(query))
	if err != nil {
		return nil, err
	}
	return &preparedInsert{stmt: stmt, returning: returning}, nil
}

func (p *preparedInsert) Close() error { return p.stmt.Close() }

func (p *preparedInsert) insertID(ctx context.Context, args ...any) (int64, error) {
	if p.returning {
		var id int64
		err := p.stmt.QueryRowContext(ctx, args...).Scan(&id)
		return id, err
	}
	res, err := p.stmt.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}
