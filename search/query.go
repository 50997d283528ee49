// Package search is civicmon's search language and text normalisation,
// shared by both stores so that SQLite (FTS5) and PostgreSQL (tsvector)
// index the same tokens and answer the same queries. It touches no
// database.
//
// # Query syntax
//
// A reader's query is a list of words and "quoted phrases"; an update
// matches when it contains all of them:
//
//	internet shutdown             both words, anywhere in the update
//	"internet shutdown"           the two words next to each other, in this order
//	journalists -Belarus          journalists, and not Belarus
//	-"state of emergency"         excludes the phrase
//	detained OR arrested          either word (OR in capitals, or |)
//	police "tear gas" OR batons   police, and "tear gas" or batons
//
// Details, each chosen so that no input is an error:
//   - Words and phrases are normalised like indexed text (see Normalize):
//     case and diacritics do not matter ("cote" finds "Côte d'Ivoire");
//     a word that normalises to several tokens is a phrase of them
//     ("e-mail" is "e mail", "d'Ivoire" is "d ivoire").
//   - OR binds tighter than the implied AND: `a b OR c d` is a AND (b OR c)
//     AND d. Only OR in capitals (or a lone |) is the operator: a
//     lower-case "or" is a word, as it is in French ("or" is gold) and in
//     place names. An OR that does not stand between two words or phrases
//     (at the start, at the end, twice in a row, or beside an exclusion) is
//     ignored.
//   - A "-" at the start of a word or before a quote excludes it. A query
//     of exclusions only ("-police") matches every update without them.
//   - A quote that is never closed runs to the end of the query.
//   - Other characters of query languages — * ^ : ( ) { } + ~ NEAR AND NOT —
//     have no meaning here: punctuation separates words like a space, and
//     NEAR, AND and NOT are words. Nothing the reader types reaches an
//     engine's own query parser (see MatchFTS5, MatchTS).
//   - There are no stop words: "the" is a word like any other.
//   - A query longer than MaxQueryBytes is cut there (Query.Truncated), and
//     words after the first MaxTerms tokens are left out (Query.Dropped),
//     so that a pasted page of text costs no more than a long query.
//   - A query with no word left (empty, only punctuation, only operators)
//     is empty: it matches every update, as browsing does.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQueryBytes is the longest query read; the rest is ignored.
const MaxQueryBytes = 10 << 10

// MaxTerms is the number of tokens a query may hold, phrases' included.
const MaxTerms = 32

// Phrase is a sequence of normalised tokens that must appear in this
// order, next to each other. A phrase of one token is a word.
type Phrase []string

// Clause is one condition of a query: one of the phrases of Alts appears
// (or, when Not is set, none does). A Not clause has one phrase.
type Clause struct {
	Not  bool
	Alts []Phrase
}

// Query is a parsed query: every clause must hold.
type Query struct {
	Clauses []Clause
	// Truncated is set when the input was longer than MaxQueryBytes and
	// was cut.
	Truncated bool
	// Dropped counts the words and phrases left out because the query
	// already had MaxTerms tokens.
	Dropped int
	// written maps a word's token to the word as typed, lower-cased,
	// when they differ (accents: French and Spanish stemmers read them).
	written map[string]string
}

// Parse parses a reader's query. It never fails: see the package
// documentation for how it reads every input.
func Parse(input string) *Query {
	q := &Query{}
	if len(input) > MaxQueryBytes {
		cut := MaxQueryBytes
		for cut > 0 && !utf8.RuneStart(input[cut]) {
			cut--
		}
		input = input[:cut]
		q.Truncated = true
	}
	type item struct {
		or, not bool
		phrase  Phrase
	}
	var items []item
	for i := 0; i < len(input); {
		r, n := utf8.DecodeRuneInString(input[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		j := i
		for j < len(input) && input[j] == '-' {
			j++
		}
		not := j > i
		if not && (j == len(input) || spaceAt(input, j)) {
			i = j // a lone "-"
			continue
		}
		if input[j] == '"' {
			text := input[j+1:]
			if k := strings.IndexByte(text, '"'); k >= 0 {
				text = text[:k]
				i = j + 1 + k + 1
			} else {
				i = len(input)
			}
			if toks := Tokens(text); len(toks) > 0 {
				items = append(items, item{not: not, phrase: toks})
			}
			continue
		}
		k := j
		for k < len(input) {
			r, n := utf8.DecodeRuneInString(input[k:])
			if r == '"' || unicode.IsSpace(r) {
				break
			}
			k += n
		}
		word := input[j:k]
		i = k
		if !not && (word == "OR" || word == "|") {
			items = append(items, item{or: true})
			continue
		}
		var toks []string
		var span string
		Tokenize(word, func(tok string, start, end int) bool {
			toks = append(toks, tok)
			span = word[start:end]
			return true
		})
		if len(toks) > 0 {
			items = append(items, item{not: not, phrase: toks})
			if len(toks) == 1 && !isASCII(span) {
				if q.written == nil {
					q.written = map[string]string{}
				}
				q.written[toks[0]] = strings.ToLower(span)
			}
		}
	}

	tokens, or, full := 0, false, false
	for _, it := range items {
		if it.or {
			or = true
			continue
		}
		if full || tokens+len(it.phrase) > MaxTerms {
			full = true
			q.Dropped++
			continue
		}
		tokens += len(it.phrase)
		last := len(q.Clauses) - 1
		if or && !it.not && last >= 0 && !q.Clauses[last].Not {
			q.Clauses[last].Alts = append(q.Clauses[last].Alts, it.phrase)
		} else {
			q.Clauses = append(q.Clauses, Clause{Not: it.not, Alts: []Phrase{it.phrase}})
		}
		or = false
	}
	return q
}

func spaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// Empty reports whether the query has no clause: it matches everything.
func (q *Query) Empty() bool { return len(q.Clauses) == 0 }

// HasPositive reports whether some clause must appear (not only be absent).
func (q *Query) HasPositive() bool {
	for _, c := range q.Clauses {
		if !c.Not {
			return true
		}
	}
	return false
}

// Positive returns the clauses that must appear.
func (q *Query) Positive() []Clause { return q.filter(false) }

// Negative returns the clauses that must not appear.
func (q *Query) Negative() []Clause { return q.filter(true) }

func (q *Query) filter(not bool) []Clause {
	var out []Clause
	for _, c := range q.Clauses {
		if c.Not == not {
			out = append(out, c)
		}
	}
	return out
}

// Terms counts the tokens of the query.
func (q *Query) Terms() int {
	n := 0
	for _, c := range q.Clauses {
		for _, p := range c.Alts {
			n += len(p)
		}
	}
	return n
}

// String is the query's normalised form: what it was understood as, in the
// query syntax. Parse(q.String()) gives the same query again.
func (q *Query) String() string {
	var b strings.Builder
	for i, c := range q.Clauses {
		if i > 0 {
			b.WriteByte(' ')
		}
		if c.Not {
			b.WriteByte('-')
		}
		for j, p := range c.Alts {
			if j > 0 {
				b.WriteString(" OR ")
			}
			if len(p) == 1 {
				b.WriteString(p[0])
				continue
			}
			b.WriteByte('"')
			b.WriteString(strings.Join(p, " "))
			b.WriteByte('"')
		}
	}
	return b.String()
}

// FTS5 MATCH expressions. Every phrase is a quoted FTS5 string, so the
// engine sees strings and the operators written here, never an operator
// or a column filter taken from the reader's text. Tokens hold no quote
// (punctuation separates tokens), but one is doubled anyway, as FTS5
// escapes it.

func fts5Phrase(b *strings.Builder, p Phrase) {
	b.WriteByte('"')
	for i, t := range p {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
	}
	b.WriteByte('"')
}

func fts5Clause(b *strings.Builder, c Clause) {
	if len(c.Alts) == 1 {
		fts5Phrase(b, c.Alts[0])
		return
	}
	b.WriteByte('(')
	for i, p := range c.Alts {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fts5Phrase(b, p)
	}
	b.WriteByte(')')
}

func fts5Any(b *strings.Builder, cs []Clause) {
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fts5Clause(b, c)
	}
}

// MatchFTS5 is the FTS5 MATCH expression of the query, over every column;
// "" when the query has no positive clause (FTS5 cannot match on exclusions
// alone: see ExcludeFTS5).
func (q *Query) MatchFTS5() string {
	pos, neg := q.Positive(), q.Negative()
	if len(pos) == 0 {
		return ""
	}
	var b strings.Builder
	if len(neg) > 0 {
		b.WriteByte('(')
	}
	for i, c := range pos {
		if i > 0 {
			b.WriteString(" AND ")
		}
		fts5Clause(&b, c)
	}
	if len(neg) > 0 {
		b.WriteString(") NOT (")
		fts5Any(&b, neg)
		b.WriteByte(')')
	}
	return b.String()
}

// ExcludeFTS5 matches the updates that a query of exclusions only leaves
// out: any of its negative clauses; "" when there is none.
func (q *Query) ExcludeFTS5() string {
	neg := q.Negative()
	if len(neg) == 0 {
		return ""
	}
	var b strings.Builder
	fts5Any(&b, neg)
	return b.String()
}

// ClauseFTS5 matches clause c (its phrases, whether or not c.Not) in the
// named column only.
func ClauseFTS5(c Clause, column string) string {
	var b strings.Builder
	b.WriteString("{")
	b.WriteString(column)
	b.WriteString("} : (")
	fts5Clause(&b, Clause{Alts: c.Alts})
	b.WriteString(")")
	return b.String()
}

// PostgreSQL tsquery literals, cast with ::tsquery: lexemes are quoted, so
// PostgreSQL neither parses nor normalises them again.

func tsLexeme(b *strings.Builder, t string) {
	b.WriteByte('\'')
	for _, r := range t {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}

func tsPhrase(b *strings.Builder, p Phrase) {
	if len(p) > 1 {
		b.WriteByte('(')
	}
	for i, t := range p {
		if i > 0 {
			b.WriteString(" <-> ")
		}
		tsLexeme(b, t)
	}
	if len(p) > 1 {
		b.WriteByte(')')
	}
}

func tsClause(b *strings.Builder, c Clause) {
	if len(c.Alts) == 1 {
		tsPhrase(b, c.Alts[0])
		return
	}
	b.WriteByte('(')
	for i, p := range c.Alts {
		if i > 0 {
			b.WriteString(" | ")
		}
		tsPhrase(b, p)
	}
	b.WriteByte(')')
}

func tsAny(b *strings.Builder, cs []Clause) {
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" | ")
		}
		tsClause(b, c)
	}
}

// MatchTS is the query as a PostgreSQL tsquery literal; "" when the query
// has no positive clause (see ExcludeTS).
func (q *Query) MatchTS() string {
	pos, neg := q.Positive(), q.Negative()
	if len(pos) == 0 {
		return ""
	}
	var b strings.Builder
	for i, c := range pos {
		if i > 0 {
			b.WriteString(" & ")
		}
		tsClause(&b, c)
	}
	if len(neg) > 0 {
		b.WriteString(" & !(")
		tsAny(&b, neg)
		b.WriteByte(')')
	}
	return b.String()
}

// ExcludeTS is the tsquery of ExcludeFTS5.
func (q *Query) ExcludeTS() string {
	neg := q.Negative()
	if len(neg) == 0 {
		return ""
	}
	var b strings.Builder
	tsAny(&b, neg)
	return b.String()
}

// ClauseTS is the tsquery of clause c's phrases.
func ClauseTS(c Clause) string {
	var b strings.Builder
	tsClause(&b, Clause{Alts: c.Alts})
	return b.String()
}
