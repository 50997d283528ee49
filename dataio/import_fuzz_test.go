package dataio_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
)

var (
	fuzzDBOnce sync.Once
	fuzzDB     *sqldb.DB
)

// FuzzImport reads junk as an NDJSON export or a CSV table of each kind,
// through the whole import (a dry run, over the demo data in a real
// SQLite database): it never panics, a refusal names the file and is the
// import's own error (where and what), and a dry run stores nothing.
func FuzzImport(f *testing.F) {
	ctx := context.Background()
	fuzzDBOnce.Do(func() {
		fuzzDB = storetest.SQLite.Open(f)
		if _, err := demo.Load(ctx, fuzzDB.Store()); err != nil {
			f.Fatal(err)
		}
	})
	s := fuzzDB.Store()
	// Seeds: the demo's own exports, one per format and table.
	var ndjson bytes.Buffer
	if err := dataio.Export(ctx, s, &ndjson, dataio.ExportOptions{Format: dataio.NDJSON}); err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(ndjson.String(), "\n")
	f.Add(uint8(0), []byte(strings.Join(lines[:min(len(lines), 3)], "")))
	f.Add(uint8(0), []byte(lines[len(lines)-2]))
	for i, table := range dataio.Tables {
		var b bytes.Buffer
		if err := dataio.Export(ctx, s, &b, dataio.ExportOptions{Format: dataio.CSV, Table: table}); err != nil {
			f.Fatal(err)
		}
		rows := strings.SplitAfter(b.String(), "\n")
		f.Add(uint8(i+1), []byte(strings.Join(rows[:min(len(rows), 4)], "")))
	}
	f.Add(uint8(2), []byte("\ufeffcountry;effective_date\r\nKZ;2022-13-01\r\n"))
	v0, _ := fuzzDB.DataVersion(ctx)
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		name := "fuzz.ndjson"
		if k := int(kind) % (len(dataio.Tables) + 1); k > 0 {
			name = string(dataio.Tables[k-1]) + ".csv"
		}
		_, err := dataio.Import(ctx, s, []dataio.Input{{Name: name, R: bytes.NewReader(data)}}, dataio.ImportOptions{DryRun: true})
		if err != nil {
			var ie *dataio.Error
			var ve *civicmon.ValidationError
			if !errors.As(err, &ie) && !errors.As(err, &ve) && civicmon.ErrorCode(err) == civicmon.EINTERNAL {
				t.Fatalf("%s: an internal error, not the file's: %v", name, err)
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("the error does not name the file %s: %v", name, err)
			}
		}
		if v, _ := fuzzDB.DataVersion(ctx); v != v0 {
			t.Fatal("a dry run stored something")
		}
	})
}
