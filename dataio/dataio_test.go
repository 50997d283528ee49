package dataio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
)

var ctx = context.Background()

var asOf = civicmon.MustDate("2026-11-26")

// source is a database with the demo data and synthetic updates, which
// carry every public field an export has (sources, translations,
// incidents, periods).
func source(t *testing.T, e storetest.Engine) *sqldb.DB {
	db := e.Open(t)
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Run(ctx, db.Store(), gen.Options{Updates: 300, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	return db
}

func export(t *testing.T, s civicmon.Store, format dataio.Format, table dataio.Table) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := dataio.Export(ctx, s, &b, dataio.ExportOptions{Format: format, Table: table, AsOf: asOf}); err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return b.Bytes()
}

func importBytes(t *testing.T, s civicmon.Store, files map[string][]byte, dry bool) (*dataio.Report, error) {
	t.Helper()
	var in []dataio.Input
	for name, b := range files {
		in = append(in, dataio.Input{Name: name, R: bytes.NewReader(b)})
	}
	return dataio.Import(ctx, s, in, dataio.ImportOptions{DryRun: dry})
}

// exportAll exports in the format: one file, or the four CSV tables.
func exportAll(t *testing.T, s civicmon.Store, format dataio.Format) map[string][]byte {
	if format != dataio.CSV {
		return map[string][]byte{"export." + string(format): export(t, s, format, "")}
	}
	files := map[string][]byte{}
	for _, tb := range []dataio.Table{dataio.Countries, dataio.Ratings, dataio.Updates, dataio.Incidents} {
		files[string(tb)+".csv"] = export(t, s, format, tb)
	}
	return files
}

// TestRoundTrip: export → import into an empty database of the other
// engine → export again gives the same bytes, and back again.
func TestRoundTrip(t *testing.T) {
	engines := storetest.Engines(t)
	for _, format := range []dataio.Format{dataio.NDJSON, dataio.JSON, dataio.CSV} {
		t.Run(string(format), func(t *testing.T) {
			first := engines[len(engines)-1] // PostgreSQL when there is one
			src := source(t, storetest.SQLite)
			plantHostile(t, src.Store())
			_, published, _ := src.Store().FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}})
			files := exportAll(t, src.Store(), format)
			checkHostile(t, format, files)
			hop := []storetest.Engine{first, storetest.SQLite}
			for _, e := range hop {
				dst := e.Open(t)
				rep, err := importBytes(t, dst.Store(), files, false)
				if err != nil {
					t.Fatalf("import into %s: %v", e.Name, err)
				}
				if rep.Updates.Created != published || published < 250 || rep.Countries.Created != 197 {
					t.Fatalf("import into %s: %v", e.Name, rep)
				}
				again := exportAll(t, dst.Store(), format)
				for name, b := range files {
					if !bytes.Equal(b, again[name]) {
						t.Fatalf("%s: %s exported from %s differs from the file imported (%d vs %d bytes)%s",
							format, name, e.Name, len(again[name]), len(b), firstDiff(b, again[name]))
					}
				}
				// A second import changes nothing.
				rep, err = importBytes(t, dst.Store(), files, false)
				if err != nil || rep.Updates.Created != 0 || rep.Updates.Updated != 0 || rep.Countries.Unchanged != 197 {
					t.Fatalf("second import into %s: %v, %v", e.Name, rep, err)
				}
				files = again
			}
		})
	}
}

// hostile are values a spreadsheet would run as formulas were they the
// start of a cell, and values that already start with the quote a CSV
// export puts before those.
var hostile = []string{`=HYPERLINK("http://evil","click")`, "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=already quoted", "''+twice"}

// plantHostile stores a published update, its incidents and a rating
// whose every free-text field is one of the hostile values.
func plantHostile(t *testing.T, s civicmon.Store) {
	t.Helper()
	us, _, err := s.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(us))
	for i := range us {
		ids[i] = us[i].ID
	}
	byUpdate, err := s.IncidentsByUpdate(ctx, ids)
	var model civicmon.Incident
	for _, ins := range byUpdate {
		if len(ins) > 0 {
			model = ins[0]
		}
	}
	if err != nil || model.Violation == "" {
		t.Fatalf("no incident to copy the vocabulary of: %v", err)
	}
	for i, v := range hostile {
		w := hostile[(i+1)%len(hostile)]
		u := civicmon.Update{CountryCode: "KZ", Title: v + " title", Summary: v, Body: w, Partner: v,
			Status: civicmon.StatusPublished, PublishedOn: asOf.AddDays(-i - 1), Freedoms: civicmon.NewFreedomSet(civicmon.Expression),
			Sources: []civicmon.Source{{URL: "https://example.org/" + strconv.Itoa(i), Title: v, Publisher: w}},
			Incidents: []civicmon.Incident{{Freedom: model.Freedom, Violation: model.Violation,
				Target: model.Target, Place: v, Description: w}}}
		if i%2 == 0 {
			u.Title = v // the title itself starts with it
		}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatalf("planting %q: %v", v, err)
		}
	}
	if err := s.AddRating(ctx, &civicmon.Rating{CountryCode: "KZ", EffectiveDate: asOf.AddDays(-1), Category: civicmon.Repressed,
		Rationale: hostile[0], Source: hostile[3]}); err != nil {
		t.Fatalf("planting a rating: %v", err)
	}
}

// checkHostile: no cell of a CSV export starts as a formula, the planted
// values are there with one quote before them; the JSON formats carry
// them as they are.
func checkHostile(t *testing.T, format dataio.Format, files map[string][]byte) {
	t.Helper()
	if format != dataio.CSV {
		for name, b := range files {
			for _, v := range hostile {
				if q := jsonQuote(v); !bytes.Contains(b, []byte(q)) {
					t.Errorf("%s lacks %s as it was stored", name, q)
				}
				if q := jsonQuote("'" + v); bytes.Contains(b, []byte(q)) {
					t.Errorf("%s holds %s: JSON is not a spreadsheet and carries values as they are", name, q)
				}
			}
		}
		return
	}
	seen := map[string]bool{}
	for name, b := range files {
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, row := range rows {
			for j, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s row %d column %d starts as a formula: %q", name, i+1, j+1, cell)
				}
				seen[cell] = true
			}
		}
	}
	for _, v := range hostile {
		if !seen["'"+v] {
			t.Errorf("no CSV cell holds %q, the neutralised %q", "'"+v, v)
		}
	}
}

func firstDiff(a, b []byte) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			lo := max(0, i-60)
			return "\n at byte " + itoa(i) + ":\n want …" + string(a[lo:min(len(a), i+60)]) + "\n  got …" + string(b[lo:min(len(b), i+60)])
		}
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestExportIsPublic: nothing unpublished and no private field leaves in
// an export.
func TestExportIsPublic(t *testing.T) {
	db := source(t, storetest.SQLite)
	s := db.Store()
	u := civicmon.Update{CountryCode: "KZ", Title: "Draft zqcanary", Status: civicmon.StatusDraft}
	if err := s.CreateUpdate(ctx, &u); err != nil {
		t.Fatal(err)
	}
	p := civicmon.Update{CountryCode: "KZ", Title: "Published", Status: civicmon.StatusPublished, PublishedOn: asOf,
		InternalNotes: "zqcanary note", Sources: []civicmon.Source{{URL: "https://example.org", Contact: "zqcanary contact"}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", VictimName: "zqcanary victim"}}}
	if err := s.CreateUpdate(ctx, &p); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"ndjson": export(t, s, dataio.NDJSON, ""), "json": export(t, s, dataio.JSON, ""),
		"updates.csv": export(t, s, dataio.CSV, dataio.Updates), "incidents.csv": export(t, s, dataio.CSV, dataio.Incidents)} {
		if bytes.Contains(b, []byte("zqcanary")) {
			t.Errorf("%s export carries a secret", name)
		}
	}
}

// TestMalformedFilesChangeNothing: each file of testdata/malformed gives
// its expected error, and the database is as it was.
func TestMalformedFilesChangeNothing(t *testing.T) {
	db := storetest.SQLite.Open(t)
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/malformed/*")
	want := map[string]string{}
	expected, err := os.ReadFile("testdata/malformed/EXPECTED")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(expected)), "\n") {
		name, msg, _ := strings.Cut(line, " → ")
		want[name] = msg
	}
	n := 0
	for _, f := range files {
		name := filepath.Base(f)
		if name == "EXPECTED" {
			continue
		}
		n++
		msg, ok := want[name]
		if !ok {
			t.Errorf("%s has no expected error in testdata/malformed/EXPECTED", name)
			continue
		}
		before, _ := db.DataVersion(ctx)
		b, _ := os.ReadFile(f)
		_, err := dataio.Import(ctx, db.Store(), []dataio.Input{{Name: name, R: bytes.NewReader(b)}}, dataio.ImportOptions{})
		if err == nil {
			t.Errorf("%s: imported without error", name)
			continue
		}
		if err.Error() != msg {
			t.Errorf("%s:\n got %s\nwant %s", name, err, msg)
		}
		if after, _ := db.DataVersion(ctx); after != before {
			t.Errorf("%s: the failed import changed the database", name)
		}
	}
	if n < 12 {
		t.Fatalf("only %d malformed files", n)
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	src := source(t, storetest.SQLite)
	files := exportAll(t, src.Store(), dataio.NDJSON)
	dst := storetest.SQLite.Open(t)
	rep, err := importBytes(t, dst.Store(), files, true)
	if err != nil || !rep.DryRun || rep.Updates.Created < 250 || rep.Ratings.Created < 500 {
		t.Fatalf("dry run: %v, %v", rep, err)
	}
	if cs, _ := dst.Store().Countries(ctx); len(cs) != 0 {
		t.Fatalf("a dry run stored %d countries", len(cs))
	}
}

// TestImportKeepsPrivateFields: importing an export over the database it
// came from leaves internal notes and victims' names alone, and an edited
// summary is taken.
func TestImportKeepsPrivateFields(t *testing.T) {
	db := source(t, storetest.SQLite)
	s := db.Store()
	kz, _, _ := s.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: "KZ", Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1})
	u, _ := s.UpdateByID(ctx, kz[0].ID)
	u.InternalNotes = "keep this note"
	u.Incidents = append(u.Incidents, civicmon.Incident{Freedom: civicmon.Expression, Violation: "censorship", VictimName: "keep this name"})
	if err := s.SaveUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	b := export(t, s, dataio.NDJSON, "")
	b = bytes.Replace(b, []byte(jsonQuote(u.Summary)), []byte(jsonQuote(u.Summary+" Edited.")), 1)
	rep, err := importBytes(t, s, map[string][]byte{"x.ndjson": b}, false)
	if err != nil || rep.Updates.Updated != 1 {
		t.Fatalf("import: %v, %v", rep, err)
	}
	got, _ := s.UpdateByID(ctx, u.ID)
	if !strings.HasSuffix(got.Summary, " Edited.") || got.InternalNotes != "keep this note" || got.Incidents[len(got.Incidents)-1].VictimName != "keep this name" {
		t.Fatalf("after import: summary %q, note %q", got.Summary, got.InternalNotes)
	}
}

func jsonQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// TestExportAll: several files written from one read of the updates are
// the bytes each would be on its own, with or without a filter, and a
// file no update goes into is made without reading any.
func TestExportAll(t *testing.T) {
	s := source(t, storetest.SQLite).Store()
	outputs := []dataio.Output{{Format: dataio.NDJSON}, {Format: dataio.JSON}, {Format: dataio.CSV, Table: dataio.Countries},
		{Format: dataio.CSV, Table: dataio.Ratings}, {Format: dataio.CSV, Table: dataio.Updates}, {Format: dataio.CSV, Table: dataio.Incidents}}
	for _, f := range []civicmon.UpdateFilter{{}, {CountryCode: "KZ"}, {Region: civicmon.Regions[0], Since: civicmon.MustDate("2024-01-01")}} {
		o := dataio.ExportOptions{Filter: f, AsOf: asOf}
		bufs := make([]bytes.Buffer, len(outputs))
		outs := slices.Clone(outputs)
		for i := range outs {
			outs[i].W = &bufs[i]
		}
		if err := dataio.ExportAll(ctx, s, o, outs...); err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		for i, out := range outs {
			var want bytes.Buffer
			o.Format, o.Table = out.Format, out.Table
			if err := dataio.Export(ctx, s, &want, o); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bufs[i].Bytes(), want.Bytes()) {
				t.Errorf("%+v: %s %s written with the others differs from the same export alone", f, out.Format, out.Table)
			}
		}
	}
	read := 0
	o := dataio.ExportOptions{AsOf: asOf, Progress: func(n int) { read = n }}
	if err := dataio.ExportAll(ctx, s, o, dataio.Output{Format: dataio.CSV, Table: dataio.Ratings, W: io.Discard}); err != nil || read != 0 {
		t.Fatalf("ratings.csv alone: %v, %d updates read", err, read)
	}
	err := dataio.ExportAll(ctx, s, o, dataio.Output{Format: dataio.JSON, W: io.Discard}, dataio.Output{Format: dataio.CSV, Table: "people", W: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "people") {
		t.Fatalf("a CSV of no table: %v", err)
	}
}
