package main

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/store"
	"github.com/civicmon/civicmon/storetest"
)

// writeLoad publishes updates titled "load N", N = 0, 1, 2…, one
// transaction each, until stop is closed; it returns how many were
// acknowledged.
func writeLoad(t *testing.T, d *sqldb.DB, stop <-chan struct{}) <-chan int {
	done := make(chan int, 1)
	go func() {
		n := 0
		defer func() { done <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			u := civicmon.Update{CountryCode: "KZ", Title: "load " + strconv.Itoa(n), Summary: "written during a backup",
				Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-12-01")}
			if err := d.Store().CreateUpdate(context.Background(), &u); err != nil {
				t.Errorf("write %d: %v", n, err)
				return
			}
			n++
		}
	}()
	return done
}

var loadTitle = regexp.MustCompile(`"title":"load (\d+)"`)

// export returns the NDJSON export of the database's updates.
func export(t *testing.T, dsn string) string {
	t.Helper()
	code, out, errs := runCLI(t, "", "export", "--db", dsn, "--format", "ndjson")
	if code != 0 {
		t.Fatalf("export %s: %s", dsn, errs)
	}
	return out
}

// loads returns the numbers of the "load N" updates in an export, and the
// export without the lines of those at or past n.
func loads(export string, n int) (nums []int, upTo string) {
	var keep []string
	for _, line := range strings.SplitAfter(export, "\n") {
		if m := loadTitle.FindStringSubmatch(line); m != nil {
			k, _ := strconv.Atoi(m[1])
			nums = append(nums, k)
			if k >= n {
				continue
			}
		}
		keep = append(keep, line)
	}
	return nums, strings.Join(keep, "")
}

// TestBackupUnderWriteLoad: a backup taken while another process writes
// is a consistent copy: the audit chain verifies, it holds a prefix of the
// acknowledged writes with no gap, and its export equals the source's
// export as it was at the backup's moment. Restored, it is the same
// database; restore refuses to overwrite a database.
func TestBackupUnderWriteLoad(t *testing.T) {
	src := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "demo", "--db", src); code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	d, err := store.OpenMigrated(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stop := make(chan struct{})
	acked := writeLoad(t, d, stop)
	time.Sleep(300 * time.Millisecond)
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	code, out, errs := runCLI(t, "", "backup", "--db", src, copyPath)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	n := <-acked
	if code != 0 || !strings.Contains(out, "written to") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}

	if code, out, errs := runCLI(t, "", "audit", "verify", "--db", copyPath); code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("audit verify on the copy: %d %q %q", code, out, errs)
	}
	copied := export(t, copyPath)
	nums, _ := loads(copied, 0)
	k := len(nums)
	if k == 0 || k >= n {
		t.Fatalf("the copy holds %d of %d writes: the backup did not run during the load", k, n)
	}
	seen := map[int]bool{}
	for _, x := range nums {
		seen[x] = true
	}
	for i := range k {
		if !seen[i] {
			t.Fatalf("the copy holds %d writes but not write %d: not a snapshot", k, i)
		}
	}
	if _, atBackup := loads(export(t, src), k); atBackup != copied {
		t.Fatal("the copy's export differs from the source's at the backup's moment")
	}
	t.Logf("%d writes acknowledged, %d in the backup", n, k)

	// Restored: the same database.
	restored := filepath.Join(t.TempDir(), "restored.db")
	if code, _, errs := runCLI(t, "", "restore", "--db", restored, copyPath); code != 0 {
		t.Fatalf("restore: %s", errs)
	}
	if code, _, errs := runCLI(t, "", "audit", "verify", "--db", restored); code != 0 {
		t.Fatalf("audit verify on the restored database: %s", errs)
	}
	if export(t, restored) != copied {
		t.Fatal("the restored database's export differs from the backup's")
	}
	// A restore never overwrites a database, live or not; a backup never
	// overwrites a file.
	before, _ := os.ReadFile(src)
	if code, _, errs := runCLI(t, "", "restore", "--db", src, copyPath); code != 1 || !strings.Contains(errs, "never overwrites") {
		t.Fatalf("restore over the live database: %d %s", code, errs)
	}
	if after, _ := os.ReadFile(src); string(after) != string(before) {
		t.Fatal("a refused restore changed the database")
	}
	if code, _, errs := runCLI(t, "", "backup", "--db", src, copyPath); code != 1 || !strings.Contains(errs, "already exists") {
		t.Fatalf("backup over a file: %d %s", code, errs)
	}
}

// TestBackupWrongUse: the commands say what is wrong.
func TestBackupWrongUse(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"backup"}, 2, "name one file"},
		{[]string{"backup", "--db", filepath.Join(dir, "missing.db"), filepath.Join(dir, "b.db")}, 1, "missing.db"},
		{[]string{"backup", "--db", "postgres://u@localhost/x", "b.db"}, 1, "pg_dump"},
		{[]string{"restore", "--db", filepath.Join(dir, "new.db"), junk}, 1, "is not a SQLite database"},
		{[]string{"restore", "--db", "postgres://u@localhost/x", junk}, 1, "pg_restore"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.db")); err == nil {
		t.Error("a refused restore left a database")
	}
}

// TestPostgresDumpRestore: the commands docs/operations.md gives for
// PostgreSQL — pg_dump while the database is written, pg_restore into a new
// database — give a database whose audit chain verifies and whose export
// equals the source's at the dump's moment.
func TestPostgresDumpRestore(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // skips, saying so, without PostgreSQL
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s: SKIPPED — not installed (apt-get install postgresql-client)", tool)
		}
	}
	if code, _, errs := runCLI(t, "", "demo", "--db", dsn); code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	base := *u
	base.RawQuery = ""
	d, err := store.OpenMigrated(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stop := make(chan struct{})
	acked := writeLoad(t, d, stop)
	time.Sleep(300 * time.Millisecond)
	dump := filepath.Join(t.TempDir(), "civicmon.dump")
	out, err := exec.Command("pg_dump", "--format=custom", "--schema="+schema, "--file="+dump, base.String()).CombinedOutput()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	n := <-acked
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}

	// A new database to restore into, dropped at the end.
	admin, err := sql.Open("pgx", base.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	newDB := schema + "_restored"
	if _, err := admin.Exec(`CREATE DATABASE ` + newDB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP DATABASE ` + newDB + ` WITH (FORCE)`) })
	target := base
	target.Path = "/" + newDB
	if out, err := exec.Command("pg_restore", "--no-owner", "--dbname="+target.String(), dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	q := target.Query()
	q.Set("search_path", schema)
	target.RawQuery = q.Encode()
	restored := target.String()

	if code, out, errs := runCLI(t, "", "audit", "verify", "--db", restored); code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("audit verify on the restored database: %d %q %q", code, out, errs)
	}
	got := export(t, restored)
	nums, _ := loads(got, 0)
	k := len(nums)
	if k == 0 || k >= n {
		t.Fatalf("the dump holds %d of %d writes: it did not run during the load", k, n)
	}
	if _, atDump := loads(export(t, dsn), k); atDump != got {
		t.Fatal("the restored database's export differs from the source's at the dump's moment")
	}
	t.Logf("%d writes acknowledged, %d in the dump", n, k)
}
