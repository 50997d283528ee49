package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/store"
	"github.com/civicmon/civicmon/storetest"
)

// dbCommands are the command lines that use a database, without --db.
var dbCommands = [][]string{
	{"serve", "--addr", "127.0.0.1:0"}, {"gen", "--updates", "1"}, {"user", "list"}, {"user", "set-role", "a@example.org", "admin"},
	{"user", "passwd", "a@example.org"}, {"user", "add", "--email", "a@example.org", "--name", "A", "--role", "admin"},
	{"audit", "verify"}, {"token", "create", "--name", "n", "--role", "editor"}, {"token", "list"}, {"token", "revoke", "1"},
	{"reindex"}, {"export"}, {"export", "site", "--unsigned", "OUT"}, {"import", "FILE"},
}

// TestMissingDatabaseIsRefused: every command but migrate and demo (and
// serve --demo) refuses a database file that does not exist, names the
// files of the directory with close names, and makes no file.
func TestMissingDatabaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "civicmon.db")
	if code, _, errs := runCLI(t, "", "migrate", "--db", real); code != 0 {
		t.Fatal(errs)
	}
	file := filepath.Join(dir, "in.ndjson")
	os.WriteFile(file, []byte("\n"), 0o644)
	typo := filepath.Join(dir, "civicmom.db")
	for _, c := range dbCommands {
		args := append([]string(nil), c...)
		for i, a := range args {
			switch a {
			case "OUT":
				args[i] = filepath.Join(dir, "out")
			case "FILE":
				args[i] = file
			}
		}
		code, _, errs := runCLI(t, "a long password\n", append(args, "--db", typo)...)
		want := "database " + typo + " does not exist; did you mean " + real + "?\nto make a new database there: civicmon migrate --db " + typo
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("%s: exit %d, stderr %q\nwant %q", strings.Join(c, " "), code, errs, want)
		}
		if _, err := os.Stat(typo); err == nil {
			t.Fatalf("%s made %s", strings.Join(c, " "), typo)
		}
	}
	// Far from every name: the directory's databases are offered.
	other := filepath.Join(dir, "research.db")
	if code, _, errs := runCLI(t, "", "user", "list", "--db", other); code != 1 || !strings.Contains(errs, "did you mean "+real+"?") {
		t.Errorf("a far name: %d %q", code, errs)
	}
	// No database anywhere near: no guess.
	lone := filepath.Join(t.TempDir(), "x.db")
	if code, _, errs := runCLI(t, "", "reindex", "--db", lone); code != 1 || strings.Contains(errs, "did you mean") || !strings.Contains(errs, "does not exist") {
		t.Errorf("an empty directory: %d %q", code, errs)
	}
	// migrate and demo make it.
	for _, c := range []string{"migrate", "demo"} {
		p := filepath.Join(t.TempDir(), "new.db")
		if code, _, errs := runCLI(t, "", c, "--db", p); code != 0 {
			t.Errorf("%s: %s", c, errs)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s made no database: %v", c, err)
		}
	}
}

// TestFlagsAfterArguments: flags are read before and after the arguments,
// "--" ends the flags, and an argument where none belongs is refused.
func TestFlagsAfterArguments(t *testing.T) {
	db := migratedDB(t)
	if code, out, errs := runCLI(t, "a long password\n", "user", "add", "--email", "ed@example.org", "--name", "Ed", "--role", "editor", "--db", db); code != 0 {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	if code, out, errs := runCLI(t, "", "user", "set-role", "ed@example.org", "--db", db, "admin"); code != 0 || !strings.Contains(out, "now has role admin") {
		t.Fatalf("set-role with --db between the arguments: %d %q %q", code, out, errs)
	}
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "", "keygen", "--out", filepath.Join(dir, "k")); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := runCLI(t, "", "export", "site", filepath.Join(dir, "site"), "--key", filepath.Join(dir, "k"), "--db", db, "--langs", "en", "--base-url", "https://monitor.example.org"); code != 0 || !strings.Contains(out, "signed with key") {
		t.Fatalf("export site DIR --key K: %d %q %q", code, out, errs)
	}
	if code, out, errs := runCLI(t, "", "verify-mirror", filepath.Join(dir, "site"), "--pubkey", filepath.Join(dir, "k.pub")); code != 0 || !strings.Contains(out, "OK: every file") {
		t.Fatalf("verify-mirror DIR --pubkey P: %d %q %q", code, out, errs)
	}
	// After "--", a name that starts with a dash is an argument.
	dash := filepath.Join(dir, "-odd.ndjson")
	os.WriteFile(dash, []byte("\n"), 0o644)
	if code, out, errs := runCLI(t, "", "import", "--db", db, "--as", "ed@example.org", "--", dash); code != 0 || !strings.Contains(out, "countries: 0 created") {
		t.Fatalf("import -- FILE: %d %q %q", code, out, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", db}, `civicmon migrate: takes no arguments, got "` + db + `" (a database is given with --db ` + db + ")\n\nUsage: civicmon migrate"},
		{[]string{"token", "revoke", "--db", db}, "civicmon token revoke: missing argument\n\nUsage: civicmon token revoke ID"},
		{[]string{"token", "revoke", "1", "2", "--db", db}, `civicmon token revoke: too many arguments: ["2"]`},
		{[]string{"export", "--db", db, "site", "x"}, "civicmon export: put site first, right after export: civicmon export site [flags] DIR"},
		{[]string{"keygen"}, "civicmon keygen: missing --out\n\nUsage: civicmon keygen --out FILE"},
		{[]string{"user", "add", "--db", db, "--role", "editor"}, "civicmon user add: missing --email, --name\n\nUsage: civicmon user add"},
		{[]string{"token", "create", "--db", db}, "civicmon token create: missing --name, --role\n\nUsage: civicmon token create"},
		{[]string{"import", "--db", db}, "civicmon import: missing argument\n\nUsage: civicmon import"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q\nwant %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
}

// subcommandLines are every command and subcommand, for help and flags.
func subcommandLines() [][]string {
	var out [][]string
	for _, c := range commands() {
		switch c.name {
		case "user":
			for _, s := range []string{"add", "list", "set-role", "passwd"} {
				out = append(out, []string{"user", s})
			}
		case "token":
			for _, s := range []string{"create", "list", "revoke"} {
				out = append(out, []string{"token", s})
			}
		case "audit":
			out = append(out, []string{"audit", "verify"})
		case "export":
			out = append(out, []string{"export"}, []string{"export", "site"})
		default:
			out = append(out, []string{c.name})
		}
	}
	return out
}

// flagLine is a flag's line in a usage: the flag and, for a flag with a
// value, one word in capitals naming it.
var flagLine = regexp.MustCompile(`^  -[a-z][a-z0-9-]*( [A-Z][A-Z:]*)?$`)

// TestHelpIsReadable: every command's --help starts with its usage line,
// and every flag names its value with one capitalised word (a backquoted
// phrase in a flag's text would take its place: "-pubkey civicmon keygen").
func TestHelpIsReadable(t *testing.T) {
	for _, c := range subcommandLines() {
		name := strings.Join(c, " ")
		code, out, errs := runCLI(t, "", append(c, "--help")...)
		if code != 0 || !strings.HasPrefix(out, "Usage: civicmon "+name) || errs != "" {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", name, code, out, errs)
			continue
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "  -") && !flagLine.MatchString(l) {
				t.Errorf("%s --help: flag line %q", name, l)
			}
		}
	}
}

// TestWrongFlagsGetUsage: an unknown flag, or a flag without its value,
// is named, with the command's usage, and exit status 2.
func TestWrongFlagsGetUsage(t *testing.T) {
	for _, c := range subcommandLines() {
		name := strings.Join(c, " ")
		code, out, errs := runCLI(t, "", append(c, "--colour", "red")...)
		if code != 2 || out != "" || !strings.HasPrefix(errs, "civicmon "+name+": unknown flag --colour\n\nUsage: civicmon "+name) {
			t.Errorf("%s --colour: exit %d, stdout %q, stderr %q", name, code, out, errs)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"imprt"}, `civicmon: unknown command "imprt"; did you mean import?`},
		{[]string{"user", "ad"}, `civicmon user: unknown subcommand "ad"; did you mean add?`},
		{[]string{"import", "--dryrun", "x.ndjson"}, "civicmon import: unknown flag --dryrun; did you mean --dry-run?\n\nUsage: civicmon import"},
		{[]string{"gen", "--update", "5"}, "civicmon gen: unknown flag --update; did you mean --updates?"},
	} {
		if code, _, errs := runCLI(t, "", c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: %d %q\nwant %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
	code, _, errs := runCLI(t, "", "gen", "--updates")
	if code != 2 || !strings.HasPrefix(errs, "civicmon gen: the flag --updates needs a value\n\nUsage: civicmon gen") {
		t.Errorf("gen --updates: %d %q", code, errs)
	}
	code, _, errs = runCLI(t, "", "gen", "--updates", "many")
	if code != 2 || !strings.Contains(errs, `invalid value "many" for flag -updates`) || !strings.Contains(errs, "Usage: civicmon gen") {
		t.Errorf("gen --updates many: %d %q", code, errs)
	}
}

// TestGenRefusesRealData: gen adds to the demo data and its own, but
// refuses, saying what it found, a database with anything else, unless
// --force; on both databases.
func TestGenRefusesRealData(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			if code, _, errs := runCLI(t, "", "demo", "--db", dsn); code != 0 {
				t.Fatal(errs)
			}
			if code, out, errs := runCLI(t, "", "gen", "--db", dsn, "--updates", "20"); code != 0 || !strings.Contains(out, "generated 20 synthetic updates") {
				t.Fatalf("gen on the demo: %d %q %q", code, out, errs)
			}
			if code, out, errs := runCLI(t, "", "gen", "--db", dsn, "--updates", "20", "--seed", "2"); code != 0 {
				t.Fatalf("gen on the demo and synthetic updates: %d %q %q", code, out, errs)
			}
			d, err := store.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			s := d.Store()
			ctx := context.Background()
			u := civicmon.Update{CountryCode: "KZ", Title: "A real report", Status: civicmon.StatusDraft}
			if err := s.CreateUpdate(ctx, &u); err != nil {
				t.Fatal(err)
			}
			if err := s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2025-01-01"), Category: civicmon.Closed}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateUser(ctx, &civicmon.User{Email: "a@example.org", Name: "A", Role: civicmon.RoleAdmin, PasswordHash: "x"}); err != nil {
				t.Fatal(err)
			}
			_, before, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{Limit: 1})
			code, out, errs := runCLI(t, "", "gen", "--db", dsn, "--updates", "20", "--seed", "3")
			want := "holds more than the demo data and synthetic updates: 1 account; 1 update not made by civicmon demo or gen; 1 rating not in the demo data.\n" +
				"gen would publish 20 made-up updates on its site"
			if code != 1 || out != "" || !strings.Contains(errs, want) || !strings.Contains(errs, "--force") {
				t.Fatalf("gen on real data: %d %q\n%s\nwant %q", code, out, errs, want)
			}
			if _, after, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{Limit: 1}); after != before {
				t.Fatalf("the refused gen changed the updates: %d → %d", before, after)
			}
			if code, out, errs := runCLI(t, "", "gen", "--db", dsn, "--updates", "20", "--seed", "3", "--force"); code != 0 || !strings.Contains(out, "generated 20") {
				t.Fatalf("gen --force: %d %q %q", code, out, errs)
			}
		})
	}
}

// TestImportAsAPerson: once the database has accounts, an import names
// who runs it; its ratings wait for a second person unless --approved-by
// names one; the audit log names both; a ';' CSV from Excel (with its
// byte-order mark) needs --comma ';' and says so.
func TestImportAsAPerson(t *testing.T) {
	db := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "demo", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	for _, u := range []struct{ email, role string }{{"ed@example.org", "editor"}, {"rev@example.org", "reviewer"}, {"gone@example.org", "editor"}} {
		if code, _, errs := runCLI(t, "a long password\n", "user", "add", "--db", db, "--email", u.email, "--name", u.email, "--role", u.role); code != 0 {
			t.Fatal(errs)
		}
	}
	d, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := d.Store()
	ctx := context.Background()
	gone, _ := s.UserByEmail(ctx, "gone@example.org")
	gone.Disabled = true
	if err := s.SaveUser(ctx, gone); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	semi := filepath.Join(dir, "ratings.csv")
	os.WriteFile(semi, []byte("\ufeffcountry;effective_date;date_approximate;score;category;rationale;source\n"+
		"KZ;2026-10-01;false;85;open;Reformed, at last;Report\n"), 0o644)

	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "civicmon import: the database has 3 accounts: say whose import this is with --as EMAIL, your account's e-mail address\nthe accounts:\n  ed@example.org (editor)\n  gone@example.org (editor, disabled)\n  rev@example.org (reviewer)\n"},
		{[]string{"--as", "nobody@example.org"}, "--as nobody@example.org: there is no account with that e-mail address (civicmon user list shows the accounts"},
		{[]string{"--as", "gone@example.org"}, "--as gone@example.org: the account is disabled"},
		{[]string{"--as", "ed@example.org", "--approved-by", "ed@example.org"}, "ed@example.org cannot approve their own import's ratings"},
		{[]string{"--as", "ed@example.org"}, "ratings.csv:1: this file uses ';' — civicmon reads ',' separated CSV; re-export it or pass --comma ';'\nnothing was imported"},
		{[]string{"--as", "ed@example.org", "--comma", "x"}, `--comma "x": give , or ; or | or tab`},
	} {
		code, out, errs := runCLI(t, "", append(append([]string{"import", "--db", db}, c.args...), semi)...)
		if code != 1 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("import %s: exit %d, stdout %q, stderr %q\nwant %q", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
	if ps, _ := s.RatingProposals(ctx, ""); len(ps) != 0 {
		t.Fatalf("refused imports left %d proposals", len(ps))
	}
	code, out, errs := runCLI(t, "", "import", semi, "--db", db, "--as", "ed@example.org", "--comma", ";")
	if code != 0 || !strings.Contains(out, "ratings: 1 proposed, 0 unchanged") || !strings.Contains(out, "the proposed rating is not public") {
		t.Fatalf("import --as: %d %q %q", code, out, errs)
	}
	ps, _ := s.RatingProposals(ctx, civicmon.ProposalPending)
	ed, _ := s.UserByEmail(ctx, "ed@example.org")
	if len(ps) != 1 || ps[0].ProposedBy != ed.ID || ps[0].Rationale != "Reformed, at last" {
		t.Fatalf("pending: %+v", ps)
	}
	if cur, _ := s.CurrentRatings(ctx, civicmon.MustDate("2026-11-01")); cur["KZ"].Category == civicmon.Open {
		t.Fatal("the imported rating took effect without a second person")
	}
	// Another rating, approved now by the reviewer.
	later := filepath.Join(dir, "later.csv")
	os.WriteFile(later, []byte("country,effective_date,date_approximate,score,category,rationale,source\nKZ,2026-10-15,false,70,narrowed,Eased,Report\n"), 0o644)
	code, out, errs = runCLI(t, "", "import", later, "--db", db, "--as", "ed@example.org", "--approved-by", "rev@example.org")
	if code != 0 || !strings.Contains(out, "ratings approved by rev@example.org: 1") {
		t.Fatalf("import --approved-by: %d %q %q", code, out, errs)
	}
	rev, _ := s.UserByEmail(ctx, "rev@example.org")
	var proposedBy, approvedBy int64
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if strings.HasPrefix(e.Detail, "KZ 2026-10-15") {
			switch e.Action {
			case "rating.propose":
				proposedBy = e.ActorID
			case "rating.approve":
				approvedBy = e.ActorID
			}
		}
		return nil
	})
	if proposedBy != ed.ID || approvedBy != rev.ID {
		t.Fatalf("audit log: proposed by %d, approved by %d", proposedBy, approvedBy)
	}
}
