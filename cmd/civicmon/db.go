package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/store"
)

// openDB opens an existing database and brings its schema up to date,
// logging each migration applied. It refuses, changing nothing, a SQLite
// file that does not exist (a mistyped --db would otherwise make a new,
// empty database) and a schema newer than this binary knows.
func openDB(e *env, dsn string) (*sqldb.DB, error) {
	if err := mustExist(dsn); err != nil {
		return nil, err
	}
	return createDB(e, dsn)
}

// createDB is openDB that makes a new SQLite file when there is none: for
// the commands that set up a database (migrate, demo, serve --demo).
func createDB(e *env, dsn string) (*sqldb.DB, error) {
	db, err := store.OpenMigrated(e.ctx, dsn, func(m sqldb.Migration) {
		e.log.Info("migration applied", "version", m.Version, "name", m.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", redact(dsn), err)
	}
	return db, nil
}

// mustExist refuses a SQLite path with no file, suggesting the files of
// its directory with names close to it.
func mustExist(dsn string) error {
	if store.IsPostgres(dsn) {
		return nil
	}
	_, err := os.Stat(dsn)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // another problem: opening it will say what
	}
	var b strings.Builder
	fmt.Fprintf(&b, "database %s does not exist", dsn)
	if near := nearbyFiles(dsn); len(near) > 0 {
		fmt.Fprintf(&b, "; did you mean %s?", orList(near))
	}
	fmt.Fprintf(&b, "\nto make a new database there: civicmon migrate --db %s (empty) or civicmon demo --db %s (with the demo data)", dsn, dsn)
	return errors.New(b.String())
}

// nearbyFiles lists the files beside path whose names are a few edits
// from its name, or, when none is, its directory's database files.
func nearbyFiles(path string) []string {
	dir, base := filepath.Split(path)
	entries, err := os.ReadDir(filepath.Clean(dir + "."))
	if err != nil {
		return nil
	}
	type cand struct {
		name string
		dist int
	}
	var close, dbs []cand
	for _, en := range entries {
		if en.IsDir() {
			continue
		}
		n := en.Name()
		if strings.HasSuffix(n, "-wal") || strings.HasSuffix(n, "-shm") || strings.HasSuffix(n, "-journal") {
			continue
		}
		d := editDistance(strings.ToLower(n), strings.ToLower(base))
		if d <= max(2, len(base)/4) {
			close = append(close, cand{n, d})
		} else if ext := filepath.Ext(n); ext == ".db" || ext == ".sqlite" || ext == ".sqlite3" {
			dbs = append(dbs, cand{n, d})
		}
	}
	if len(close) == 0 {
		close = dbs
	}
	sort.Slice(close, func(i, j int) bool {
		if close[i].dist != close[j].dist {
			return close[i].dist < close[j].dist
		}
		return close[i].name < close[j].name
	})
	var out []string
	for i, c := range close {
		if i == 5 {
			break
		}
		out = append(out, dir+c.name)
	}
	return out
}

func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// redact hides a password in a database URL before it is printed.
func redact(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	return store.Redact(dsn)
}
