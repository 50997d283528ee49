package workspace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// The readable history: what a revision changed, field by field, in the
// form's words, with changed words marked in texts. Revisions keep the
// whole record as JSON (civicmon.Revision); two neighbours are compared
// here, for people, rather than as lines of JSON.

// segment is a run of words a text diff keeps (' '), removes ('-') or adds ('+').
type segment struct {
	Op   byte
	Text string
}

// fieldChange is one changed field of a revision.
type fieldChange struct {
	Label string
	// Words is the change of a text, as marked runs of words; Before and
	// After the old and new value of anything else.
	Words         []segment
	Before, After string
}

// fieldSpec names a snapshot's key for people and says how to show its value.
type fieldSpec struct {
	Key   string
	Label string // an English message, translated where shown
	Kind  string // "text" (word diff), "value", "list" (of records: Item fields), "country", "status", "user", "freedoms", "bool", "terms"
	Item  []fieldSpec
}

// Labels of the records' fields, in the order the forms show them.
// Keys a snapshot has that are not here (ids, timestamps, the version)
// are bookkeeping and not shown.
var (
	incidentFields = []fieldSpec{
		{"OccurredOn", msgid("Date"), "value", nil},
		{"DateApproximate", msgid("The date is approximate"), "bool", nil},
		{"Freedom", msgid("Freedom"), "freedom", nil},
		{"Violation", msgid("Violation type"), "terms", nil},
		{"Target", msgid("Target group"), "terms", nil},
		{"PeopleAffected", msgid("People affected"), "value", nil},
		{"Place", msgid("Place"), "text", nil},
		{"Description", msgid("Description"), "text", nil},
		{"VictimName", msgid("Victim's name (private)"), "text", nil},
	}
	sourceFields = []fieldSpec{
		{"url", msgid("Address"), "value", nil},
		{"title", msgid("Title"), "text", nil},
		{"publisher", msgid("Publisher"), "text", nil},
		{"published_on", msgid("Date"), "value", nil},
		{"contact", msgid("Contact (private)"), "text", nil},
	}
	translationFields = []fieldSpec{
		{"language", msgid("Language"), "value", nil},
		{"title", msgid("Title"), "text", nil},
		{"summary", msgid("Summary"), "text", nil},
		{"body", msgid("Text"), "text", nil},
	}
	recordFields = map[string][]fieldSpec{
		"update": {
			{"Title", msgid("Title"), "text", nil},
			{"CountryCode", msgid("Country"), "country", nil},
			{"Status", msgid("Status"), "status", nil},
			{"AuthorID", msgid("Author"), "user", nil},
			{"Slug", msgid("Web address"), "value", nil},
			{"Summary", msgid("Summary"), "text", nil},
			{"Body", msgid("Text"), "text", nil},
			{"Language", msgid("Language"), "value", nil},
			{"PublishedOn", msgid("Publication date"), "value", nil},
			{"DateApproximate", msgid("The date is approximate"), "bool", nil},
			{"PeriodStart", msgid("Reporting period from"), "value", nil},
			{"PeriodEnd", msgid("Reporting period to"), "value", nil},
			{"Freedoms", msgid("Freedoms"), "freedoms", nil},
			{"Violations", msgid("Violation types"), "terms", nil},
			{"Partner", msgid("Research partner"), "text", nil},
			{"Sources", msgid("Source %d"), "list", sourceFields},
			{"Translations", msgid("Translation %d"), "list", translationFields},
			{"Incidents", msgid("Incident %d"), "list", incidentFields},
			{"InternalNotes", msgid("Internal notes"), "text", nil},
		},
		"rating": {
			{"CountryCode", msgid("Country"), "country", nil},
			{"EffectiveDate", msgid("Effective from"), "value", nil},
			{"DateApproximate", msgid("The date is approximate"), "bool", nil},
			{"Score", msgid("Score"), "value", nil},
			{"Category", msgid("Category"), "category", nil},
			{"Rationale", msgid("Rationale"), "text", nil},
			{"Source", msgid("Source"), "text", nil},
		},
		"watchlist": {
			{"Title", msgid("Title"), "text", nil},
			{"PublishedOn", msgid("Publication date"), "value", nil},
			{"DateApproximate", msgid("The date is approximate"), "bool", nil},
			{"Introduction", msgid("Introduction"), "text", nil},
			{"Entries", msgid("Country %d on the list"), "list", []fieldSpec{
				{"CountryCode", msgid("Country"), "country", nil},
				{"Narrative", msgid("Narrative"), "text", nil},
			}},
		},
	}
)

// valueNamer shows a value of a kind in the reader's words: a country's
// name for its code, an account's name for its id…
type valueNamer func(kind string, v any) string

// snapshotChanges lists what changed from one snapshot to the next ("" for
// none: a creation or a deletion), in the order of fields.
func snapshotChanges(entity, before, after string, name valueNamer, label func(string, ...any) string) []fieldChange {
	a, b := decodeSnapshot(before), decodeSnapshot(after)
	var out []fieldChange
	for _, f := range recordFields[entity] {
		out = append(out, fieldChanges(f, a[f.Key], b[f.Key], name, label, "")...)
	}
	return out
}

func decodeSnapshot(s string) map[string]any {
	m := map[string]any{}
	if strings.TrimSpace(s) == "" {
		return m
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	dec.Decode(&m)
	return m
}

func fieldChanges(f fieldSpec, a, b any, name valueNamer, label func(string, ...any) string, prefix string) []fieldChange {
	if f.Kind == "list" {
		as, _ := a.([]any)
		bs, _ := b.([]any)
		var out []fieldChange
		for i := 0; i < max(len(as), len(bs)); i++ {
			var x, y map[string]any
			if i < len(as) {
				x, _ = as[i].(map[string]any)
			}
			if i < len(bs) {
				y, _ = bs[i].(map[string]any)
			}
			item := label(f.Label, i+1)
			switch {
			case x == nil:
				out = append(out, fieldChange{Label: item, After: label("added")})
			case y == nil:
				out = append(out, fieldChange{Label: item, After: label("removed")})
			}
			for _, sub := range f.Item {
				var va, vb any
				if x != nil {
					va = x[sub.Key]
				}
				if y != nil {
					vb = y[sub.Key]
				}
				if y == nil {
					continue // a removed item: its fields need no list
				}
				out = append(out, fieldChanges(sub, va, vb, name, label, item+" — ")...)
			}
		}
		return out
	}
	sa, sb := name(f.Kind, a), name(f.Kind, b)
	if sa == sb {
		return nil
	}
	c := fieldChange{Label: prefix + label(f.Label)}
	if f.Kind == "text" {
		c.Words = trimSegments(wordDiff(sa, sb), 8)
	} else {
		c.Before, c.After = sa, sb
	}
	return []fieldChange{c}
}

// plainValue shows a snapshot value as text: "" for none.
func plainValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		if x == "0" {
			return ""
		}
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return ""
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, plainValue(e))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// maxWordCells bounds the word LCS: past it, the changed middle of two
// texts shows as removed then added.
const maxWordCells = 2_000_000

// wordDiff compares two texts word by word (spaces kept with the word
// before them), and returns the runs kept, removed and added.
func wordDiff(a, b string) []segment {
	x, y := tokens(a), tokens(b)
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var out []segment
	add := func(op byte, s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += s
			return
		}
		out = append(out, segment{op, s})
	}
	for _, w := range x[:pre] {
		add(' ', w)
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	if len(mx)*len(my) > maxWordCells {
		for _, w := range mx {
			add('-', w)
		}
		for _, w := range my {
			add('+', w)
		}
	} else {
		w := len(my) + 1
		n := make([]int32, (len(mx)+1)*w)
		for i := len(mx) - 1; i >= 0; i-- {
			for j := len(my) - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					n[i*w+j] = n[(i+1)*w+j+1] + 1
				} else {
					n[i*w+j] = max(n[(i+1)*w+j], n[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(mx) && j < len(my) {
			switch {
			case mx[i] == my[j]:
				add(' ', mx[i])
				i, j = i+1, j+1
			case n[(i+1)*w+j] >= n[i*w+j+1]:
				add('-', mx[i])
				i++
			default:
				add('+', my[j])
				j++
			}
		}
		for ; i < len(mx); i++ {
			add('-', mx[i])
		}
		for ; j < len(my); j++ {
			add('+', my[j])
		}
	}
	for _, w := range x[len(x)-suf:] {
		add(' ', w)
	}
	return out
}

// tokens splits text into words and the runs of spaces between them, so
// that a change of a word leaves the spaces around it unchanged.
func tokens(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if i > start && unicode.IsSpace(r) != isSpaceAt(s, start) {
			out = append(out, s[start:i])
			start = i
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func isSpaceAt(s string, i int) bool {
	for _, r := range s[i:] {
		return unicode.IsSpace(r)
	}
	return false
}

// words splits text into words, each with the spaces that follow it.
func words(s string) []string {
	var out []string
	start := 0
	inSpace := false
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if !sp && inSpace {
			out = append(out, s[start:i])
			start = i
		}
		inSpace = sp
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// trimSegments shortens the unchanged runs of a long text to n words of
// context on each side of a change, with "…" for what was left out.
func trimSegments(segs []segment, n int) []segment {
	out := make([]segment, 0, len(segs))
	for i, s := range segs {
		if s.Op != ' ' {
			out = append(out, s)
			continue
		}
		ws := words(s.Text)
		first, last := i == 0, i == len(segs)-1
		switch {
		case first && last, len(ws) <= 2*n+1:
			out = append(out, s)
		case first:
			out = append(out, segment{' ', "… " + strings.TrimLeftFunc(strings.Join(ws[len(ws)-n:], ""), unicode.IsSpace)})
		case last:
			out = append(out, segment{' ', strings.TrimRightFunc(strings.Join(ws[:n+1], ""), unicode.IsSpace) + " …"})
		default:
			out = append(out, segment{' ', strings.TrimRightFunc(strings.Join(ws[:n+1], ""), unicode.IsSpace) + " … " +
				strings.TrimLeftFunc(strings.Join(ws[len(ws)-n:], ""), unicode.IsSpace)})
		}
	}
	return out
}
