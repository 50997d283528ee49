package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
)

// surfaceDirs are the packages whose pages and answers the reader sees.
var surfaceDirs = []string{"../web", "../site", "../workspace", "../api"}

// uiMessages collects every message the interface shows: literal T calls in
// templates (templ and html/template) and Go code, and the names of categories, regions, freedoms
// and the default vocabularies, which reach T through variables.
func uiMessages(t *testing.T) []string {
	t.Helper()
	set := map[string]bool{}
	tmplCall := regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`)
	goCall := regexp.MustCompile(`\b(?:p\.T|msgid)\("((?:[^"\\]|\\.)*)"`)
	var files []string
	for _, dir := range surfaceDirs {
		for _, pattern := range []string{"templates/*.html", "*.go", "*.templ"} {
			m, _ := filepath.Glob(filepath.Join(dir, pattern))
			files = append(files, m...)
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := tmplCall
		if filepath.Ext(f) != ".html" {
			re = goCall
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil {
				t.Fatalf("%s: %q: %v", f, m[1], err)
			}
			set[s] = true
		}
	}
	for _, c := range civicmon.Categories {
		set[c.Name()] = true
	}
	for _, r := range civicmon.Regions {
		set[r.Name()] = true
	}
	for _, f := range civicmon.Freedoms {
		set[f.Name()] = true
	}
	for _, v := range civicmon.DefaultViolations {
		set[v.Name] = true
	}
	for _, v := range civicmon.DefaultTargets {
		set[v.Name] = true
	}
	for _, k := range i18n.MonthKeys() {
		set[k] = true
	}
	var out []string
	for k := range set {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestTranslationsComplete fails when a message of the interface has no
// translation in one of the languages, and when a catalog keeps messages
// the interface no longer uses.
func TestTranslationsComplete(t *testing.T) {
	msgs := uiMessages(t)
	if len(msgs) < 100 {
		t.Fatalf("found only %d messages: the extraction is broken", len(msgs))
	}
	for _, l := range i18n.Supported[1:] {
		have := map[string]bool{}
		for _, k := range i18n.Keys(l) {
			have[k] = true
		}
		var missing []string
		for _, m := range msgs {
			if !have[m] {
				missing = append(missing, m)
			}
			delete(have, m)
		}
		if len(missing) > 0 {
			t.Errorf("%s: %d messages without a translation, e.g. %q", l, len(missing), missing[:min(5, len(missing))])
		}
		for k := range have {
			t.Errorf("%s: catalog keeps %q, which the interface does not use", l, k)
		}
	}
}

// TestWriteMessageList writes the messages to translate when asked:
// CIVICMON_WRITE_MESSAGES=path go test -run TestWriteMessageList ./server/
func TestWriteMessageList(t *testing.T) {
	path := os.Getenv("CIVICMON_WRITE_MESSAGES")
	if path == "" {
		t.Skip("set CIVICMON_WRITE_MESSAGES=file to write the message list")
	}
	var b []byte
	for _, m := range uiMessages(t) {
		b = append(b, strconv.Quote(m)...)
		b = append(b, '\n')
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
