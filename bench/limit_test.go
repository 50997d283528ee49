package bench

// The physical limit of an import (issue 15, point 7): the same rows the
// import wrote, written by the sqlite3 command-line tool (C) into tables
// with no index at all — no primary key, no constraint, no full-text
// index — in one transaction with civicmon's journal settings. What the
// import does beyond that (reading and checking the file, the indexes,
// the search index, the audit trail) is the distance to it.

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rowCounts is the number of rows of each ordinary table of the SQLite
// file at path (the full-text index's own tables left out).
func rowCounts(b *testing.B, path string) map[string]int {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'update_search%' ORDER BY name`)
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			b.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := db.QueryRow(`SELECT COUNT(*) FROM "` + n + `"`).Scan(&c); err != nil {
			b.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// sqlite3Limit writes the rows that the tables of the SQLite file at path
// gained since before (rowCounts) into a new file with the sqlite3 tool,
// as one transaction into tables without any index (with the same page
// size and journal settings), and returns how long
// the tool took and how many rows it wrote. ok is false when the tool is
// not installed.
func sqlite3Limit(b *testing.B, path string, before map[string]int) (elapsed time.Duration, rows int, ok bool) {
	tool, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Logf("the limit is not measured: no sqlite3 tool (apt-get install sqlite3)")
		return 0, 0, false
	}
	dir := b.TempDir()
	var schema, inserts strings.Builder
	// The same page size as the database the import wrote.
	pageSize, err := exec.Command(tool, "-batch", "-noheader", path, `PRAGMA page_size`).Output()
	if err != nil {
		b.Fatalf("page size of %s: %v", path, err)
	}
	fmt.Fprintf(&schema, "PRAGMA page_size=%s;\n", strings.TrimSpace(string(pageSize)))
	schema.WriteString("PRAGMA journal_mode=WAL;\n")
	inserts.WriteString("PRAGMA synchronous=NORMAL;\nBEGIN;\n")
	after := rowCounts(b, path)
	for table, n := range after {
		added := n - before[table]
		if added <= 0 {
			continue
		}
		cols, err := exec.Command(tool, "-batch", "-noheader", "-list", path,
			`SELECT group_concat('"' || name || '"', ', ') FROM pragma_table_info('`+table+`')`).Output()
		if err != nil {
			b.Fatalf("columns of %s: %v", table, err)
		}
		fmt.Fprintf(&schema, "CREATE TABLE %q (%s);\n", table, strings.TrimSpace(string(cols)))
		// New rows come last in rowid order: every table the import
		// writes to takes ids that grow.
		dump, err := exec.Command(tool, "-batch", "-cmd", ".mode insert "+table, path,
			fmt.Sprintf(`SELECT * FROM %q LIMIT -1 OFFSET %d`, table, before[table])).Output()
		if err != nil {
			b.Fatalf("rows of %s: %v", table, err)
		}
		inserts.Write(dump)
		rows += added
	}
	inserts.WriteString("COMMIT;\n")
	limitDB := filepath.Join(dir, "limit.db")
	run := func(script string) time.Duration {
		f := filepath.Join(dir, "script.sql")
		if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
			b.Fatal(err)
		}
		in, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		defer in.Close()
		cmd := exec.Command(tool, "-batch", limitDB)
		cmd.Stdin = in
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sqlite3: %v: %s", err, out)
		}
		return time.Since(start)
	}
	run(schema.String())
	return run(inserts.String()), rows, true
}
