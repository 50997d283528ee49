package search

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: any input parses without panicking into a query whose
// normalised form parses back to itself, whose tokens are normalised, and
// whose FTS5 and tsquery outputs are well formed for their engine. The
// seed corpus is testdata/fuzz/FuzzParse plus the cases below; CI runs
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 30s ./search/
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`internet shutdown`, `"peaceful assembly" -police`, `detained OR arrested`, `a OR`, `OR`,
		`"unbalanced`, `""`, `"`, `-`, `- -`, `-"`, `--"x`, `*`, `^:()`, `NEAR(a b, 3)`, `{title}: x`,
		`Қазақстан свобода`, `Côte d'Ivoire`, `it's "a ""b"" c"`, `a|b | c`, `x AND NOT y`,
		"\xff\xfe", "e\u0301", "и\u0306", `北京 "人权"`, strings.Repeat(`"a b" OR `, 40),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		if q.Terms() > MaxTerms {
			t.Fatalf("%d terms, more than %d", q.Terms(), MaxTerms)
		}
		for _, c := range q.Clauses {
			if len(c.Alts) == 0 || (c.Not && len(c.Alts) != 1) {
				t.Fatalf("bad clause %+v", c)
			}
			for _, p := range c.Alts {
				if len(p) == 0 {
					t.Fatalf("empty phrase in %+v", c)
				}
				for _, tok := range p {
					if tok == "" || len(tok) > MaxTokenBytes || !utf8.ValidString(tok) || Normalize(tok) != tok {
						t.Fatalf("token %q is not a normalised token (Normalize gives %q)", tok, Normalize(tok))
					}
				}
			}
		}
		norm := q.String()
		if again := Parse(norm).String(); again != norm {
			t.Fatalf("normalised form %q parses to %q", norm, again)
		}

		fts := q.MatchFTS5()
		if (fts == "") != !q.HasPositive() {
			t.Fatalf("MatchFTS5 %q for a query with positive clauses: %v", fts, q.HasPositive())
		}
		for _, e := range []string{fts, q.ExcludeFTS5()} {
			if e != "" {
				if err := checkFTS5(e); err != nil {
					t.Fatalf("FTS5 expression %q: %v", e, err)
				}
			}
		}
		for _, c := range q.Clauses {
			if err := checkFTS5(ClauseFTS5(c, "title")); err != nil {
				t.Fatalf("FTS5 clause %q: %v", ClauseFTS5(c, "title"), err)
			}
			if err := checkTS(ClauseTS(c)); err != nil {
				t.Fatalf("tsquery clause %q: %v", ClauseTS(c), err)
			}
		}
		ts := q.MatchTS()
		if (ts == "") != !q.HasPositive() {
			t.Fatalf("MatchTS %q for a query with positive clauses: %v", ts, q.HasPositive())
		}
		for _, e := range []string{ts, q.ExcludeTS()} {
			if e != "" {
				if err := checkTS(e); err != nil {
					t.Fatalf("tsquery %q: %v", e, err)
				}
			}
		}

		// Highlighting the query's own text never panics, and marks only
		// text that is there.
		m := q.Matcher()
		for _, seg := range m.Highlight(s) {
			if seg.Match && !strings.Contains(strings.Join(strings.Fields(s), " "), seg.Text) {
				t.Fatalf("marked %q, not in the text", seg.Text)
			}
		}
		m.Snippet(s, 40)
		PlainText(s)
		TSVector(Normalize(s), s)
	})
}

// checkFTS5 parses the subset of the FTS5 query grammar the package
// writes: expr := primary (("AND" | "OR" | "NOT") primary)*, primary :=
// string | "(" expr ")" | "{" column "}" ":" primary, where a string is
// double-quoted with "" for a quote inside and holds at least one token.
func checkFTS5(s string) error {
	toks, err := lexFTS5(s)
	if err != nil {
		return err
	}
	p := &tokParser{toks: toks}
	if err := p.expr(map[string]bool{"AND": true, "OR": true, "NOT": true}, fts5Primary); err != nil {
		return err
	}
	if p.i != len(p.toks) {
		return fmt.Errorf("trailing %q", p.toks[p.i:])
	}
	return nil
}

func lexFTS5(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '(' || c == ')' || c == ':':
			toks = append(toks, string(c))
			i++
		case c == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("unclosed {")
			}
			toks = append(toks, s[i:i+j+1])
			i += j + 1
		case c == '"':
			j := i + 1
			var body strings.Builder
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unbalanced quotes")
				}
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						body.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				body.WriteByte(s[j])
				j++
			}
			if strings.TrimSpace(body.String()) == "" {
				return nil, fmt.Errorf("empty string")
			}
			toks = append(toks, `"`+body.String()+`"`)
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '(' && s[j] != ')' {
				j++
			}
			w := s[i:j]
			if w != "AND" && w != "OR" && w != "NOT" {
				return nil, fmt.Errorf("bare word %q outside quotes", w)
			}
			toks = append(toks, w)
			i = j
		}
	}
	return toks, nil
}

func fts5Primary(p *tokParser) error {
	t, ok := p.next()
	switch {
	case !ok:
		return fmt.Errorf("expression ends early")
	case strings.HasPrefix(t, `"`):
		return nil
	case t == "(":
		if err := p.expr(map[string]bool{"AND": true, "OR": true, "NOT": true}, fts5Primary); err != nil {
			return err
		}
		if t, ok := p.next(); !ok || t != ")" {
			return fmt.Errorf("unbalanced parentheses")
		}
		return nil
	case strings.HasPrefix(t, "{"):
		if t, ok := p.next(); !ok || t != ":" {
			return fmt.Errorf("column filter without :")
		}
		return fts5Primary(p)
	}
	return fmt.Errorf("unexpected %q", t)
}

// checkTS parses the subset of tsquery syntax the package writes: expr :=
// unary (("&" | "|" | "<->") unary)*, unary := "!" unary | lexeme | "("
// expr ")", where a lexeme is single-quoted with ” for a quote inside.
func checkTS(s string) error {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '(' || c == ')' || c == '&' || c == '|' || c == '!':
			toks = append(toks, string(c))
			i++
		case strings.HasPrefix(s[i:], "<->"):
			toks = append(toks, "<->")
			i += 3
		case c == '\'':
			j := i + 1
			n := 0
			for {
				if j >= len(s) {
					return fmt.Errorf("unbalanced quotes")
				}
				if s[j] == '\\' {
					j += 2
					n++
					continue
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2
						n++
						continue
					}
					break
				}
				j++
				n++
			}
			if n == 0 {
				return fmt.Errorf("empty lexeme")
			}
			toks = append(toks, "'")
			i = j + 1
		default:
			return fmt.Errorf("unexpected %q", s[i:])
		}
	}
	p := &tokParser{toks: toks}
	if err := p.expr(map[string]bool{"&": true, "|": true, "<->": true}, tsUnary); err != nil {
		return err
	}
	if p.i != len(p.toks) {
		return fmt.Errorf("trailing %q", p.toks[p.i:])
	}
	return nil
}

func tsUnary(p *tokParser) error {
	t, ok := p.next()
	switch {
	case !ok:
		return fmt.Errorf("expression ends early")
	case t == "!":
		return tsUnary(p)
	case t == "'":
		return nil
	case t == "(":
		if err := p.expr(map[string]bool{"&": true, "|": true, "<->": true}, tsUnary); err != nil {
			return err
		}
		if t, ok := p.next(); !ok || t != ")" {
			return fmt.Errorf("unbalanced parentheses")
		}
		return nil
	}
	return fmt.Errorf("unexpected %q", t)
}

type tokParser struct {
	toks []string
	i    int
}

func (p *tokParser) next() (string, bool) {
	if p.i >= len(p.toks) {
		return "", false
	}
	p.i++
	return p.toks[p.i-1], true
}

func (p *tokParser) expr(ops map[string]bool, primary func(*tokParser) error) error {
	if err := primary(p); err != nil {
		return err
	}
	for p.i < len(p.toks) && ops[p.toks[p.i]] {
		p.i++
		if err := primary(p); err != nil {
			return err
		}
	}
	return nil
}
