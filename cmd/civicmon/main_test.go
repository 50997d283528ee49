package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/civicmon/civicmon/sqlite"
	"github.com/civicmon/civicmon/store"
	"github.com/civicmon/civicmon/storetest"
)

// runCLI runs the command in-process and returns its exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := runCLI(t, "", "help")
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Fatalf("help: %d %q", code, out)
	}
	for _, c := range commands() {
		code, out, errs := runCLI(t, "", c.name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: civicmon "+c.name) {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", c.name, code, out, errs)
		}
	}
	if code, _, errs := runCLI(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "", "serve", "--nope"); code != 2 || !strings.Contains(errs, "civicmon serve: unknown flag --nope\n\nUsage: civicmon serve") {
		t.Errorf("bad flag: %d %q", code, errs)
	}
}

func TestMigrateAndDemo(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			code, out, errs := runCLI(t, "", "migrate", "--db", dsn)
			if code != 0 || !strings.Contains(out, fmt.Sprintf("database schema is at version %d", latestVersion(t))) {
				t.Fatalf("migrate: %d %q %q", code, out, errs)
			}
			code, out, errs = runCLI(t, "", "demo", "--db", dsn)
			if code != 0 || !strings.Contains(out, "197 countries") || !strings.Contains(out, "10 updates") {
				t.Fatalf("demo: %d %q %q", code, out, errs)
			}
			code, _, errs = runCLI(t, "", "demo", "--db", dsn)
			if code != 1 || !strings.Contains(errs, "the database is not empty") {
				t.Fatalf("second demo: %d %q", code, errs)
			}
		})
	}
}

// migratedDB is a new, empty SQLite database made by civicmon migrate: the
// commands other than migrate and demo refuse a file that does not exist.
func migratedDB(t *testing.T) string {
	t.Helper()
	db := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	return db
}

func TestUserCommands(t *testing.T) {
	db := migratedDB(t)
	code, out, errs := runCLI(t, "a long password\n", "user", "add", "--db", db, "--email", "Ed@Example.org", "--name", "Ed", "--role", "editor")
	if code != 0 || !strings.Contains(out, "created ed@example.org (Ed) with role editor") {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	code, _, errs = runCLI(t, "short\n", "user", "add", "--db", db, "--email", "b@example.org", "--name", "B", "--role", "editor")
	if code != 1 || !strings.Contains(errs, "at least 10 are required; nothing was changed") {
		t.Fatalf("short password: %d %q", code, errs)
	}
	code, _, errs = runCLI(t, "a long password\n", "user", "add", "--db", db, "--email", "c@example.org", "--name", "C", "--role", "owner")
	if code != 1 || !strings.Contains(errs, `user.role: "owner" is not a role`) {
		t.Fatalf("bad role: %d %q", code, errs)
	}
	code, _, errs = runCLI(t, "a long password\n", "user", "add", "--db", db, "--email", "ed@example.org", "--name", "Ed2", "--role", "admin")
	if code != 1 || !strings.Contains(errs, "a user with e-mail ed@example.org already exists") {
		t.Fatalf("duplicate: %d %q", code, errs)
	}
	if code, out, _ = runCLI(t, "", "user", "set-role", "--db", db, "ed@example.org", "admin"); code != 0 || !strings.Contains(out, "now has role admin") {
		t.Fatalf("set-role: %d %q", code, out)
	}
	if code, out, _ = runCLI(t, "another long password\n", "user", "passwd", "--db", db, "ed@example.org"); code != 0 {
		t.Fatalf("passwd: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "user", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "ed@example.org") || !strings.Contains(out, "admin") || strings.Contains(out, "b@example.org") {
		t.Fatalf("list: %d %q", code, out)
	}
	if code, _, errs = runCLI(t, "", "user", "set-role", "--db", db, "nobody@example.org", "admin"); code != 1 || !strings.Contains(errs, "no user with e-mail nobody@example.org") {
		t.Fatalf("set-role unknown: %d %q", code, errs)
	}
}

// TestServeRefusesNewerSchema: a database written by a newer civicmon is
// refused, with the reason, and left as it was.
func TestServeRefusesNewerSchema(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			if code, _, errs := runCLI(t, "", "migrate", "--db", dsn); code != 0 {
				t.Fatalf("migrate: %s", errs)
			}
			d, err := store.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.WriteDB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (42, 'from_the_future', 'x')`); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			code := run(ctx, []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--demo"}, strings.NewReader(""), &out, &errb)
			if code != 1 {
				t.Fatalf("serve exit %d, want 1; stdout %q", code, out.String())
			}
			for _, want := range []string{"schema is at version 42", fmt.Sprintf("knows versions up to %d", latestVersion(t)), "upgrade civicmon"} {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr %q lacks %q", errb.String(), want)
				}
			}
			if strings.Contains(out.String(), "serving") {
				t.Error("serve started anyway")
			}
			var countries int
			if err := d.WriteDB().QueryRow(`SELECT COUNT(*) FROM countries`).Scan(&countries); err != nil || countries != 0 {
				t.Errorf("refused database was changed: %d countries (%v)", countries, err)
			}
		})
	}
}

// latestVersion is the newest schema version this binary knows.
func latestVersion(t *testing.T) int {
	d, err := sqlite.Open(storetest.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	v, err := d.LatestVersion()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds civicmon once for the tests that run it as a process.
func binary(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "civicmon-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "civicmon")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// TestServeDemoAndSIGTERM is the README's first command in a new directory:
// it serves the demo data, answers /healthz and /readyz, and stops cleanly on
// SIGTERM.
func TestServeDemoAndSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary(t), "serve", "--demo", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CIVICMON_DB=")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				urlc <- sc.Text()[i:]
			}
		}
		close(urlc)
	}()
	var base string
	select {
	case base = <-urlc:
	case <-time.After(60 * time.Second):
		t.Fatalf("no URL printed; stderr:\n%s", stderr.String())
	}
	if base == "" {
		t.Fatalf("server exited; stderr:\n%s", stderr.String())
	}
	for path, want := range map[string]string{"healthz": "ok", "readyz": "ready"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
			t.Fatalf("/%s: %d %q", path, resp.StatusCode, body)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "civicmon.db")); err != nil {
		t.Fatalf("the default database civicmon.db was not created in the working directory: %v", err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "civicmon.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM updates`).Scan(&n); err != nil || n != 10 {
		t.Fatalf("demo updates in civicmon.db: %d (%v)", n, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", stderr.String())
	}
}

// auditedDB returns a database with a demo load's worth of audit entries.
func auditedDB(t *testing.T, e storetest.Engine) string {
	dsn := e.DSN(t)
	if code, _, errs := runCLI(t, "", "demo", "--db", dsn); code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	code, out, errs := runCLI(t, "", "audit", "verify", "--db", dsn)
	if code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify on an untouched log: %d %q %q", code, out, errs)
	}
	return dsn
}

func tamper(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	d, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, q := range stmts {
		if _, err := d.WriteDB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func wantAuditProblem(t *testing.T, dsn, want string) {
	t.Helper()
	code, out, errs := runCLI(t, "", "audit", "verify", "--db", dsn)
	if code != 1 || !strings.Contains(errs, want) {
		t.Fatalf("audit verify: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errs, want)
	}
}

func TestAuditVerifyFindsEditedEntry(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := auditedDB(t, e)
			tamper(t, dsn, `UPDATE audit_log SET detail = 'nothing to see' WHERE id = 57`)
			wantAuditProblem(t, dsn, "audit log entry 57: changed or moved")
		})
	}
}

func TestAuditVerifyFindsDeletedEntry(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := auditedDB(t, e)
			tamper(t, dsn, `DELETE FROM audit_log WHERE id = 300`)
			wantAuditProblem(t, dsn, "audit log entry 301: entries removed or reordered: expected entry 300 next, found 301")
		})
	}
}

func TestAuditVerifyFindsSwappedEntries(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := auditedDB(t, e)
			tamper(t, dsn,
				`UPDATE audit_log SET id = -1 WHERE id = 120`,
				`UPDATE audit_log SET id = 120 WHERE id = 121`,
				`UPDATE audit_log SET id = 121 WHERE id = -1`)
			wantAuditProblem(t, dsn, "audit log entry 120: changed or moved")
		})
	}
}

func TestExportImport(t *testing.T) {
	src := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "demo", "--db", src); code != 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "civicmon.ndjson")
	if code, _, errs := runCLI(t, "", "export", "--db", src, "--format", "ndjson", "--out", file); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	dst := migratedDB(t)
	code, out, errs := runCLI(t, "", "import", "--db", dst, "--dry-run", file)
	if code != 0 || !strings.Contains(out, "dry run, nothing stored") || !strings.Contains(out, "updates: 10 created") {
		t.Fatalf("dry run: %d %q %q", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "import", "--db", dst, file)
	if code != 0 || !strings.Contains(out, "countries: 197 created") || !strings.Contains(out, "updates: 10 created") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if code, out, _ = runCLI(t, "", "import", "--db", dst, file); code != 0 || !strings.Contains(out, "updates: 0 created, 0 updated, 10 unchanged") {
		t.Fatalf("second import: %d %q", code, out)
	}
	if code, _, errs = runCLI(t, "", "export", "--db", src, "--format", "csv", "--out", filepath.Join(dir, "csv")); code != 0 {
		t.Fatalf("csv export: %s", errs)
	}
	for _, tb := range []string{"countries", "ratings", "updates", "incidents"} {
		if _, err := os.Stat(filepath.Join(dir, "csv", tb+".csv")); err != nil {
			t.Errorf("csv export lacks %s.csv", tb)
		}
	}
	bad := filepath.Join(dir, "bad.ndjson")
	os.WriteFile(bad, []byte(`{"type":"planet"}`+"\n"), 0o644)
	code, _, errs = runCLI(t, "", "import", "--db", dst, bad)
	if code != 1 || !strings.Contains(errs, `bad.ndjson:1: type: "planet" is not a record type`) || !strings.Contains(errs, "nothing was imported") {
		t.Fatalf("bad import: %d %q", code, errs)
	}
}

func TestReindex(t *testing.T) {
	db := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "demo", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCLI(t, "", "reindex", "--db", db)
	if code != 0 || !strings.Contains(out, "search index rebuilt: 10 published updates") {
		t.Fatalf("reindex: %d %q %q", code, out, errs)
	}
}
