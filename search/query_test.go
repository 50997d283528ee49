package search

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in, norm, fts5, ts string
	}{
		{`internet shutdown`, `internet shutdown`, `"internet" AND "shutdown"`, `'internet' & 'shutdown'`},
		{`"Internet Shutdown"`, `"internet shutdown"`, `"internet shutdown"`, `('internet' <-> 'shutdown')`},
		{`journalists -Belarus`, `journalists -belarus`, `("journalists") NOT ("belarus")`, `'journalists' & !('belarus')`},
		{`detained OR arrested`, `detained OR arrested`, `("detained" OR "arrested")`, `('detained' | 'arrested')`},
		{`detained | arrested`, `detained OR arrested`, `("detained" OR "arrested")`, `('detained' | 'arrested')`},
		{`police "tear gas" OR batons -"rubber bullets"`, `police "tear gas" OR batons -"rubber bullets"`,
			`("police" AND ("tear gas" OR "batons")) NOT ("rubber bullets")`,
			`'police' & (('tear' <-> 'gas') | 'batons') & !(('rubber' <-> 'bullets'))`},
		{`a b OR c d`, `a b OR c d`, `"a" AND ("b" OR "c") AND "d"`, `'a' & ('b' | 'c') & 'd'`},
		{`a OR b OR c`, `a OR b OR c`, `("a" OR "b" OR "c")`, `('a' | 'b' | 'c')`},
		// lower-case "or" is a word
		{`police or army`, `police or army`, `"police" AND "or" AND "army"`, `'police' & 'or' & 'army'`},
		// OR without two operands is ignored
		{`OR police OR`, `police`, `"police"`, `'police'`},
		{`police OR OR army`, `police OR army`, `("police" OR "army")`, `('police' | 'army')`},
		{`police OR -army`, `police -army`, `("police") NOT ("army")`, `'police' & !('army')`},
		{`-army OR police`, `-army police`, `("police") NOT ("army")`, `'police' & !('army')`},
		// diacritics, case, scripts
		{`Côte d'Ivoire`, `cote "d ivoire"`, `"cote" AND "d ivoire"`, `'cote' & ('d' <-> 'ivoire')`},
		{`ҚАЗАҚСТАН свобода`, `қазақстан свобода`, `"қазақстан" AND "свобода"`, `'қазақстан' & 'свобода'`},
		{`e-mail`, `"e mail"`, `"e mail"`, `('e' <-> 'mail')`},
		// unbalanced quote: runs to the end
		{`"peaceful assembly`, `"peaceful assembly"`, `"peaceful assembly"`, `('peaceful' <-> 'assembly')`},
		{`shutdown "`, `shutdown`, `"shutdown"`, `'shutdown'`},
		{`a"b c"d`, `a "b c" d`, `"a" AND "b c" AND "d"`, `'a' & ('b' <-> 'c') & 'd'`},
		// query-language characters are punctuation; keywords are words
		{`title:police* NEAR (a b) ^x {body} +y ~z AND NOT`, `"title police" near a b x body y z and not`,
			`"title police" AND "near" AND "a" AND "b" AND "x" AND "body" AND "y" AND "z" AND "and" AND "not"`,
			`('title' <-> 'police') & 'near' & 'a' & 'b' & 'x' & 'body' & 'y' & 'z' & 'and' & 'not'`},
		// a chunk between spaces is one word or phrase
		{`NEAR(a b)`, `"near a" b`, `"near a" AND "b"`, `('near' <-> 'a') & 'b'`},
		{`it's`, `"it s"`, `"it s"`, `('it' <-> 's')`},
		// exclusions only
		{`-police -"tear gas"`, `-police -"tear gas"`, ``, ``},
		// nothing left
		{``, ``, ``, ``},
		{`  " " - -- OR | () * : ^ `, ``, ``, ``},
		{`-`, ``, ``, ``},
		{`--police`, `-police`, ``, ``},
	} {
		q := Parse(c.in)
		if got := q.String(); got != c.norm {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, c.norm)
		}
		if got := q.MatchFTS5(); got != c.fts5 {
			t.Errorf("Parse(%q).MatchFTS5() = %q, want %q", c.in, got, c.fts5)
		}
		if got := q.MatchTS(); got != c.ts {
			t.Errorf("Parse(%q).MatchTS() = %q, want %q", c.in, got, c.ts)
		}
	}
}

func TestParseExclusionsOnly(t *testing.T) {
	q := Parse(`-police -"tear gas"`)
	if q.HasPositive() || q.Empty() {
		t.Fatalf("HasPositive %v, Empty %v", q.HasPositive(), q.Empty())
	}
	if got, want := q.ExcludeFTS5(), `"police" OR "tear gas"`; got != want {
		t.Errorf("ExcludeFTS5 = %q, want %q", got, want)
	}
	if got, want := q.ExcludeTS(), `'police' | ('tear' <-> 'gas')`; got != want {
		t.Errorf("ExcludeTS = %q, want %q", got, want)
	}
}

func TestParseLimits(t *testing.T) {
	long := strings.Repeat("word ", 3000) // 15 KB
	q := Parse(long)
	if !q.Truncated {
		t.Error("a 15 KB query is not marked truncated")
	}
	if q.Terms() != MaxTerms || q.Dropped == 0 {
		t.Errorf("Terms %d, Dropped %d; want %d terms and some dropped", q.Terms(), q.Dropped, MaxTerms)
	}
	// Cut on a character boundary.
	q = Parse(strings.Repeat("ж", MaxQueryBytes)) // 2 bytes each
	if !q.Truncated || len(q.Clauses) != 1 || len(q.Clauses[0].Alts[0][0]) != MaxTokenBytes {
		t.Errorf("Cyrillic 20 KB: %+v", q)
	}
	// A phrase that does not fit is left out whole, and so is the rest.
	q = Parse(strings.Repeat("a ", 30) + `"b c d" e`)
	if q.Terms() != 30 || q.Dropped != 2 {
		t.Errorf("Terms %d, Dropped %d; want 30 and 2", q.Terms(), q.Dropped)
	}
}

func TestClauseColumns(t *testing.T) {
	q := Parse(`"tear gas" OR batons -police`)
	c := q.Clauses[0]
	if got, want := ClauseFTS5(c, "title"), `{title} : (("tear gas" OR "batons"))`; got != want {
		t.Errorf("ClauseFTS5 = %q, want %q", got, want)
	}
	if got, want := ClauseTS(c), `(('tear' <-> 'gas') | 'batons')`; got != want {
		t.Errorf("ClauseTS = %q, want %q", got, want)
	}
}

func TestTSVector(t *testing.T) {
	got := TSVector("a b", "", "b c a", "it's")
	want := `'a':1,6 'b':2,4 'c':5 'it''s':8`
	if got != want {
		t.Errorf("TSVector = %q, want %q", got, want)
	}
	// positions clamp at 16383, lexemes keep 256 positions
	long := strings.Repeat("x ", 20000) + "y"
	v := TSVector(long)
	if !strings.HasSuffix(v, "'y':16383") || strings.Count(v, ",") != 255 {
		t.Errorf("long TSVector: %d commas, ends %q", strings.Count(v, ","), v[len(v)-20:])
	}
}

func TestPlainText(t *testing.T) {
	md := "# Heading #\n\nSome **bold** and _em_ text with a [link](https://example.org/x) and ![img](a.png).\n\n" +
		"- item one\n- item `two`\n1. first\n> quoted <b>tag</b> <https://x.org>\n\n---\n[ref]: https://example.org\n```\ncode here\n```\nsnake_case stays"
	want := "Heading Some bold and em text with a link and img. item one item two first quoted tag https://x.org code here snake_case stays"
	if got := PlainText(md); got != want {
		t.Errorf("PlainText =\n%q, want\n%q", got, want)
	}
}

// Bodies may be 500 KB of anything: the text functions must take linear
// time on the inputs that trip up naive scanners. A quadratic path would
// take hours on these and fail by the test binary's timeout; the speed
// itself is BenchmarkTextFunctions' to show, not a test's.
func TestTextLinear(t *testing.T) {
	m := Parse(`a "b c" OR d`).Matcher()
	for _, unit := range textLinearUnits {
		s := strings.Repeat(unit, 500_000/len(unit))
		PlainText(s)
		m.Snippet(s, 200)
		m.Highlight(s[:min(len(s), 2000)])
		Normalize(s)
		TSVector(Normalize(s))
	}
}

var textLinearUnits = []string{"<", "](", "][", "[a](", "a ", "b c ", "_*`", "\\", "и\u0306", "北"}

// BenchmarkTextFunctions times the text functions on 50 KB and 500 KB of
// each awkward input: linear time shows as a tenfold ratio.
//
//	go test -run '^$' -bench BenchmarkTextFunctions ./search/
func BenchmarkTextFunctions(b *testing.B) {
	m := Parse(`a "b c" OR d`).Matcher()
	for _, unit := range textLinearUnits {
		for _, size := range []int{50_000, 500_000} {
			s := strings.Repeat(unit, size/len(unit))
			b.Run(fmt.Sprintf("%q/%dKB", unit, size/1000), func(b *testing.B) {
				for b.Loop() {
					PlainText(s)
					m.Snippet(s, 200)
					Normalize(s)
					TSVector(Normalize(s))
				}
			})
		}
	}
}

func TestHighlightAndSnippet(t *testing.T) {
	q := Parse(`"internet shutdown" Almaty -police`)
	m := q.Matcher()
	got := m.Highlight("The Internet  shutdown in ALMATY; internet was back.")
	want := []Segment{{"The ", false}, {"Internet shutdown", true}, {" in ", false}, {"ALMATY", true}, {"; internet was back.", false}}
	if !equalSegments(got, want) {
		t.Errorf("Highlight = %+v, want %+v", got, want)
	}
	text := strings.Repeat("lorem ipsum dolor ", 30) + "the internet shutdown in almaty lasted days " + strings.Repeat("sit amet ", 30)
	segs, ok := m.Snippet(text, 80)
	if !ok {
		t.Fatal("Snippet found nothing")
	}
	var b strings.Builder
	marks := 0
	for _, s := range segs {
		b.WriteString(s.Text)
		if s.Match {
			marks++
		}
	}
	s := b.String()
	if marks != 2 || !strings.HasPrefix(s, "… ") || !strings.HasSuffix(s, " …") || len([]rune(s)) > 100 {
		t.Errorf("Snippet = %q (%d marks)", s, marks)
	}
	if _, ok := m.Snippet("nothing here", 80); ok {
		t.Error("Snippet matched text without the terms")
	}
	// Cyrillic and diacritics highlight in the original spelling.
	m = Parse("казахстан cote").Matcher()
	got = m.Highlight("Côte d’Ivoire")
	if !equalSegments(got, []Segment{{"Côte", true}, {" d’Ivoire", false}}) {
		t.Errorf("Highlight = %+v", got)
	}
}

func equalSegments(a, b []Segment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
