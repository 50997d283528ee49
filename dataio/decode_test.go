package dataio

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
)

// sampleUpdate has every public field an export carries.
func sampleUpdate() UpdateRecord {
	return UpdateRecord{Type: "update", PublicUpdate: civicmon.PublicUpdate{
		UID: "aaaaaac4wyrjmephvw3d", Slug: "synthetic-3-92", CountryCode: "KZ",
		Title:       "Қазақстан: \"quotes\", back\\slash, tab\t, <b>&amp;</b>, é, 北, 😀",
		Summary:     "Line one.\nLine two \u2028 and \u0001 control.",
		Body:        "# Heading\n\nBody with [a link](https://example.org/?a=1&b=2).",
		PublishedOn: civicmon.MustDate("2016-01-30"), DateApproximate: true,
		PeriodStart: civicmon.MustDate("2016-01-01"), PeriodEnd: civicmon.MustDate("2016-03-31"),
		Freedoms:   []civicmon.Freedom{civicmon.Association, civicmon.Expression},
		Violations: []string{"detention-of-journalists", "censorship"},
		Partner:    "Partner",
		Sources: []civicmon.PublicSource{
			{URL: "https://example.org/1", Title: "One", Publisher: "P", PublishedOn: civicmon.MustDate("2016-01-14")},
			{URL: "https://example.org/2"},
		},
		Language:     "en",
		Translations: []civicmon.Translation{{Language: "ru", Title: "Заголовок", Summary: "Кратко", Body: "Текст"}},
		Incidents: []civicmon.PublicIncident{
			{OccurredOn: civicmon.MustDate("2015-10-18"), DateApproximate: true, Freedom: civicmon.Association,
				Violation: "detention-of-journalists", Target: "hrds", PeopleAffected: 12, Place: "Almaty", Description: "D"},
			{Freedom: civicmon.Expression, Violation: "censorship", PeopleAffected: -3},
		},
	}}
}

func encodeRecord(t testing.TB, r UpdateRecord) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// checkDecode fails when decodeUpdate accepts line but strictJSON would
// refuse it or make something else of it.
func checkDecode(t *testing.T, line []byte) (fast bool) {
	t.Helper()
	var got UpdateRecord
	if !decodeUpdate(line, &got) {
		return false
	}
	var want UpdateRecord
	if err := strictJSON(line, &want); err != nil {
		t.Fatalf("decodeUpdate accepted %q, which strictJSON refuses: %v", line, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeUpdate(%q) =\n%#v\nstrictJSON gives\n%#v", line, got, want)
	}
	return true
}

func TestDecodeUpdate(t *testing.T) {
	full := encodeRecord(t, sampleUpdate())
	minimal := encodeRecord(t, UpdateRecord{Type: "update", PublicUpdate: civicmon.PublicUpdate{UID: "x", Incidents: []civicmon.PublicIncident{}}})
	for _, line := range [][]byte{full, minimal} {
		if !checkDecode(t, line) {
			t.Errorf("decodeUpdate refused civicmon's own record %s", line)
		}
	}
	// Records the fast path must leave to encoding/json (which accepts
	// some of them and refuses others).
	slow := []string{
		strings.Replace(string(full), `"slug"`, `"Slug"`, 1),                       // keys match without case in encoding/json
		strings.Replace(string(full), `"slug":"synthetic-3-92"`, `"slug":null`, 1), // null
		strings.Replace(string(full), `"id":`, `"id":"a","id":`, 1),                // a key twice
		strings.Replace(string(full), `"people_affected":12`, `"people_affected":1.2e1`, 1),
		strings.Replace(string(full), `"people_affected":12`, `"people_affected":012`, 1),
		strings.Replace(string(full), `"people_affected":12`, `"people_affected":"12"`, 1),
		strings.Replace(string(full), `"date_approximate":true`, `"date_approximate":1`, 1),
		strings.Replace(string(full), `"published_on":"2016-01-30"`, `"published_on":"30.1.2016"`, 1),
		strings.Replace(string(full), `"partner":"Partner"`, `"partner":"\ud83d\ude00"`, 1), // escaped surrogates
		strings.Replace(string(full), `"partner":"Partner"`, "\"partner\":\"\xff\"", 1),     // invalid UTF-8
		strings.Replace(string(full), `"partner":"Partner"`, `"partner":"Partner","extra":1`, 1),
		strings.Replace(string(full), `"partner":"Partner"`, `"p\u0061rtner":"Partner"`, 1),
		string(full) + ` {}`,
		string(full[:len(full)-1]),
		`{"type":"update","id":"x","incidents":[],}`,
		`[]`,
		``,
	}
	for _, s := range slow {
		if checkDecode(t, []byte(s)) {
			t.Errorf("decodeUpdate took %q", s)
		}
	}
	// Escapes and white space it decodes itself.
	for _, s := range []string{
		` { "type" : "update" , "id" : "a\"b\\c\/d\b\f\n\r\t\u00e9\u4e00" , "incidents" : [ ] } `,
		`{"type":"update","id":"x","freedoms":[],"violations":[],"sources":[],"translations":[],"incidents":[{}]}`,
		`{"type":"update","id":"x","incidents":[{"people_affected":-0},{"people_affected":999999999999999999}]}`,
	} {
		if !checkDecode(t, []byte(s)) {
			t.Errorf("decodeUpdate refused %s", s)
		}
	}
}

func FuzzDecodeUpdate(f *testing.F) {
	f.Add(encodeRecord(f, sampleUpdate()))
	f.Add([]byte(`{"type":"update","id":"x","incidents":[{"people_affected":-0}],"title":"\u00e9\ud83d\ude00"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		checkDecode(t, line)
	})
}

func BenchmarkDecodeUpdate(b *testing.B) {
	line := encodeRecord(b, sampleUpdate())
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			var r UpdateRecord
			if !decodeUpdate(line, &r) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("strict", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			var r UpdateRecord
			if err := strictJSON(line, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeUpdateFile(b *testing.B) {
	data, err := os.ReadFile(os.Getenv("X_FILE"))
	if err != nil {
		b.Skip(err)
	}
	var lines [][]byte
	for l := range bytes.SplitSeq(data, []byte("\n")) {
		if bytes.HasPrefix(l, []byte(`{"type":"update"`)) {
			lines = append(lines, l)
			if len(lines) == 1000 {
				break
			}
		}
	}
	b.Run("fast", func(b *testing.B) {
		c0 := cpu()
		for b.Loop() {
			for _, l := range lines {
				var r UpdateRecord
				if !decodeUpdate(l, &r) {
					b.Fatal("refused")
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines))/1000, "µs/update")
		b.ReportMetric(float64((cpu()-c0).Nanoseconds())/float64(b.N*len(lines))/1000, "cpu-µs/update")
	})
	b.Run("strict", func(b *testing.B) {
		c0 := cpu()
		for b.Loop() {
			for _, l := range lines {
				var r UpdateRecord
				if err := strictJSON(l, &r); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines))/1000, "µs/update")
		b.ReportMetric(float64((cpu()-c0).Nanoseconds())/float64(b.N*len(lines))/1000, "cpu-µs/update")
	})
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
