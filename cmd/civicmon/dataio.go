package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdExport(e *env, args []string) error {
	if len(args) > 0 && args[0] == "site" {
		return cmdExportSite(e, args[1:])
	}
	fs := newFlags(e, "export", "export [--format FORMAT] [--table TABLE] [--out PATH] [--country CODE] [--region REGION]\n                [--freedom FREEDOM] [--violation TAG] [--since DAY] [--until DAY] [--db DB]\n       civicmon export site --help   (the static mirror)")
	db := dbFlag(fs)
	format := fs.String("format", "ndjson", "the `FORMAT`: ndjson, json or csv")
	table := fs.String("table", "", "with csv, the `TABLE`: countries, ratings, updates or incidents (all four into --out DIR when empty)")
	out := fs.String("out", "", "the `PATH` to write: a file, or a directory for all four CSV tables; standard output when empty")
	country := fs.String("country", "", "only this country: its ISO `CODE`, e.g. KZ")
	region := fs.String("region", "", "only this `REGION`: africa, americas, asia-pacific, europe-central-asia or middle-east-north-africa")
	freedom := fs.String("freedom", "", "only updates on this `FREEDOM`: association, peaceful-assembly or expression")
	violation := fs.String("violation", "", "only updates with this violation `TAG` (a slug, e.g. internet-shutdown)")
	since := fs.String("since", "", "only updates published on or after this `DAY` (YYYY-MM-DD)")
	until := fs.String("until", "", "only updates published on or before this `DAY` (YYYY-MM-DD)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 && fs.Arg(0) == "site" {
		fmt.Fprintf(e.stderr, "civicmon export: put site first, right after export: civicmon export site [flags] DIR\n")
		return errUsage
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	o := dataio.ExportOptions{Format: dataio.Format(*format), Table: dataio.Table(*table), AsOf: civicmon.DateOf(timeNow())}
	f := &o.Filter
	f.CountryCode, f.Violation = strings.ToUpper(*country), *violation
	if *region != "" {
		r, ok := civicmon.ParseRegion(*region)
		if !ok {
			return fmt.Errorf("--region %q is not a region; allowed: africa, americas, asia-pacific, europe-central-asia, middle-east-north-africa", *region)
		}
		f.Region = r
	}
	if *freedom != "" {
		fr, ok := civicmon.ParseFreedom(*freedom)
		if !ok {
			return fmt.Errorf("--freedom %q is not a freedom; allowed: association, peaceful-assembly, expression", *freedom)
		}
		f.Freedom = fr
	}
	var err error
	if f.Since, err = civicmon.ParseDate(*since); err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	if f.Until, err = civicmon.ParseDate(*until); err != nil {
		return fmt.Errorf("--until: %w", err)
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	s := d.Store()
	if o.Format == dataio.CSV && o.Table == "" {
		if *out == "" {
			return fmt.Errorf("a CSV export of every table needs --out DIR (or choose one with --table)")
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		for _, t := range []dataio.Table{dataio.Countries, dataio.Ratings, dataio.Updates, dataio.Incidents} {
			o.Table = t
			if err := exportTo(e, s, filepath.Join(*out, string(t)+".csv"), o); err != nil {
				return err
			}
		}
		return nil
	}
	return exportTo(e, s, *out, o)
}

func exportTo(e *env, s civicmon.Store, path string, o dataio.ExportOptions) error {
	var w io.Writer = e.stdout
	if path != "" {
		// Write beside the target and rename, so that a failed export
		// leaves no half file under the name asked for.
		tmp, err := os.CreateTemp(filepath.Dir(path), ".civicmon-export-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		w = tmp
		o.Progress = func(n int) { e.log.Info("exporting", "file", path, "updates", n) }
		if err := dataio.Export(e.ctx, s, w, o); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), path)
	}
	return dataio.Export(e.ctx, s, w, o)
}

func cmdImport(e *env, args []string) error {
	fs := newFlags(e, "import", "import [--as EMAIL [--approved-by EMAIL]] [--dry-run] [--comma SEPARATOR] FILE... [--db DB]\n\n"+
		"Reads NDJSON, JSON and CSV exports and country-page dossiers (.txt), all or nothing.\n"+
		"Ratings become proposals that a second person approves in the workspace\n"+
		"(/admin/ratings), unless --approved-by names that second person now.")
	db := dbFlag(fs)
	dry := fs.Bool("dry-run", false, "check everything and report what would change, but store nothing")
	as := fs.String("as", "", "your account's `EMAIL`, required once the database has accounts: the account proposes the ratings, is the author of a dossier's updates, and the audit log names it")
	approvedBy := fs.String("approved-by", "", "the `EMAIL` of a second account, with the ratings:approve permission, that approves the imported ratings now (the audit log records it); without it they wait in the workspace")
	comma := fs.String("comma", ",", "the `SEPARATOR` of CSV files: , (the default), ; | or tab")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 1, -1); err != nil {
		return err
	}
	sep, err := csvSeparator(*comma)
	if err != nil {
		return err
	}
	var inputs []dataio.Input
	for _, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("%w: check the path", err)
		}
		defer f.Close()
		inputs = append(inputs, dataio.Input{Name: name, R: f})
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	actor, approver, err := importAccounts(e, d.Store(), *as, *approvedBy)
	if err != nil {
		return err
	}
	o := dataio.ImportOptions{DryRun: *dry, Actor: actor, ApprovedBy: approver, Comma: sep, Today: civicmon.DateOf(timeNow())}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("records"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish())
		o.Progress = func(n int) { bar.Set(n) }
		defer bar.Finish()
	} else {
		o.Progress = func(n int) {
			if n%50000 == 0 {
				e.log.Info("importing", "records", n)
			}
		}
	}
	rep, err := dataio.Import(e.ctx, d.Store(), inputs, o)
	if err != nil {
		return fmt.Errorf("%w\nnothing was imported: fix the file and run the import again", err)
	}
	fmt.Fprintln(e.stdout, rep)
	if !*dry {
		// The import left the engine's full-text index to after its
		// commit; a server would catch up within seconds, but the
		// database may have none.
		start := time.Now()
		var progress func(done, total int)
		n, err := d.Store().IndexDeferred(e.ctx, func(done, total int) {
			if total < 20_000 {
				return // a few seconds at most
			}
			if progress == nil {
				progress = progressFunc(e, "indexing for search", total)
			}
			progress(done, total)
		})
		if err != nil {
			return fmt.Errorf("the import is stored, but indexing it for search failed: %w\nrun `civicmon reindex` or start the server, which indexes it", err)
		}
		if n > 0 {
			e.log.Info("indexed the imported updates for search", "updates", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

// csvSeparator reads --comma.
func csvSeparator(s string) (rune, error) {
	switch s {
	case ",", ";", "|":
		return rune(s[0]), nil
	case "tab", "\\t", "\t":
		return '\t', nil
	}
	return 0, fmt.Errorf("--comma %q: give , or ; or | or tab", s)
}

// importAccounts finds the accounts of --as and --approved-by. --as is
// required once the database has accounts, so that the audit log names a
// person for every import.
func importAccounts(e *env, s civicmon.Store, as, approvedBy string) (actor, approver int64, err error) {
	if as == "" {
		users, err := s.Users(e.ctx)
		if err != nil {
			return 0, 0, err
		}
		if len(users) == 0 {
			if approvedBy != "" {
				return 0, 0, fmt.Errorf("--approved-by needs --as: the approver approves the ratings of the person who imports them")
			}
			return 0, 0, nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "the database has %s: say whose import this is with --as EMAIL, your account's e-mail address", plural(len(users), "account", "accounts"))
		b.WriteString("\nthe accounts:")
		for i, u := range users {
			if i == 10 {
				fmt.Fprintf(&b, "\n  … and %d more (civicmon user list shows them all)", len(users)-10)
				break
			}
			state := ""
			if u.Disabled {
				state = ", disabled"
			}
			fmt.Fprintf(&b, "\n  %s (%s%s)", u.Email, u.Role, state)
		}
		return 0, 0, errors.New(b.String())
	}
	find := func(flag, email string) (int64, error) {
		u, err := s.UserByEmail(e.ctx, email)
		if civicmon.ErrorCode(err) == civicmon.ENOTFOUND {
			return 0, fmt.Errorf("%s %s: there is no account with that e-mail address (civicmon user list shows the accounts; civicmon user add makes one)", flag, email)
		}
		if err != nil {
			return 0, err
		}
		if u.Disabled {
			return 0, fmt.Errorf("%s %s: the account is disabled; an administrator can enable it in the workspace (Users)", flag, email)
		}
		return u.ID, nil
	}
	if actor, err = find("--as", as); err != nil {
		return 0, 0, err
	}
	if approvedBy != "" {
		if approver, err = find("--approved-by", approvedBy); err != nil {
			return 0, 0, err
		}
	}
	return actor, approver, nil
}
