package mirror_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/mirror"
	"github.com/civicmon/civicmon/storetest"
)

// TestSameMirrorFromEitherEngine exports the same data from SQLite and from
// PostgreSQL (when CIVICMON_TEST_POSTGRES is set): the mirrors are the
// same, file for file.
func TestSameMirrorFromEitherEngine(t *testing.T) {
	var manifests [][]byte
	for _, e := range storetest.Engines(t) {
		db := e.Open(t)
		ctx := context.Background()
		if _, err := demo.Load(ctx, db.Store()); err != nil {
			t.Fatal(err)
		}
		u := civicmon.Update{CountryCode: "KZ", UID: "mirrorenginetest0001", Title: "Қазақстан: бейбіт жиналыс", Slug: "qazaqstan-beibit-zhinalys",
			Summary: "Алматы.", Language: "kk", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2025-05-04"),
			Freedoms: civicmon.NewFreedomSet(civicmon.Assembly)}
		if err := db.Store().CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "mirror")
		if d := os.Getenv("KEEPDIR"); d != "" {
			dir = filepath.Join(d, e.Name)
			os.RemoveAll(dir)
		}
		export(t, db.Store(), dir, mirror.Options{Unsigned: true})
		m, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
		if err != nil {
			t.Fatal(err)
		}
		manifests = append(manifests, m)
	}
	if len(manifests) < 2 {
		return
	}
	if !bytes.Equal(manifests[0], manifests[1]) {
		a, b := strings.Split(string(manifests[0]), "\n"), strings.Split(string(manifests[1]), "\n")
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				t.Errorf("the mirrors differ, first at line %d:\n sqlite:   %s\n postgres: %s", i+1, a[i], b[i])
				break
			}
		}
		if len(a) != len(b) {
			t.Errorf("sqlite mirror %d lines, postgres %d", len(a), len(b))
		}
	}
}
