package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdExport(e *env, args []string) error {
	if len(args) > 0 && args[0] == "site" {
		return cmdExportSite(e, args[1:])
	}
	fs := newFlags(e, "export", "export [--format ndjson|json|csv] [--table T] [--out FILE|DIR] [filters] [--db DB]\n       civicmon export site --help   (the static mirror)")
	db := dbFlag(fs)
	format := fs.String("format", "ndjson", "ndjson, json or csv")
	table := fs.String("table", "", "with csv: countries, ratings, updates or incidents (all four into --out DIR when empty)")
	out := fs.String("out", "", "file to write (a directory for all CSV tables); standard output when empty")
	country := fs.String("country", "", "only this country (ISO code, e.g. KZ)")
	region := fs.String("region", "", "only this region (e.g. europe-central-asia)")
	freedom := fs.String("freedom", "", "only updates on this freedom")
	violation := fs.String("violation", "", "only updates with this violation tag")
	since := fs.String("since", "", "only updates published on or after this day (YYYY-MM-DD)")
	until := fs.String("until", "", "only updates published on or before this day (YYYY-MM-DD)")
	if err := parse(e, fs, args); err != nil {
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
	fs := newFlags(e, "import", "import [--dry-run] FILE... [--db DB]")
	db := dbFlag(fs)
	dry := fs.Bool("dry-run", false, "check everything and report what would change, but store nothing")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
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
	o := dataio.ImportOptions{DryRun: *dry}
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
	return nil
}
