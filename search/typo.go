package search

import "unicode"

// MinTypoRunes is the shortest word that a search widens to the words one
// edit away when nothing matches it: shorter words are one edit from too
// many others ("cat": bat, cut, car…).
const MinTypoRunes = 5

// maxTypoRunes: longer tokens are not widened (the variants grow with the
// length, and so does the engine's lookup).
const maxTypoRunes = 24

var (
	latinLetters    = []rune("abcdefghijklmnopqrstuvwxyz")
	cyrillicLetters = []rune("абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")
)

// Typos returns the tokens one edit (a letter left out, added, changed,
// or two neighbours swapped) from tok, a normalised token of at least
// MinTypoRunes letters of one script, Latin or Cyrillic; none for other
// tokens (digits, other scripts, short words).
func Typos(tok string) []string {
	rs := []rune(tok)
	if len(rs) < MinTypoRunes || len(rs) > maxTypoRunes {
		return nil
	}
	var alphabet []rune
	for i, r := range rs {
		var a []rune
		switch {
		case 'a' <= r && r <= 'z':
			a = latinLetters
		case unicode.Is(unicode.Cyrillic, r):
			a = cyrillicLetters
		default:
			return nil
		}
		if i > 0 && &a[0] != &alphabet[0] {
			return nil // two scripts
		}
		alphabet = a
	}
	seen := map[string]bool{tok: true}
	var out []string
	add := func(v []rune) {
		s := string(v)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	buf := make([]rune, 0, len(rs)+1)
	for i := range rs {
		add(append(append(buf[:0], rs[:i]...), rs[i+1:]...)) // deletion
		if i+1 < len(rs) && rs[i] != rs[i+1] {
			v := append(buf[:0], rs...)
			v[i], v[i+1] = v[i+1], v[i]
			add(v) // transposition
		}
		for _, c := range alphabet {
			if c != rs[i] {
				v := append(buf[:0], rs...)
				v[i] = c
				add(v) // substitution
			}
		}
	}
	for i := 0; i <= len(rs); i++ {
		for _, c := range alphabet {
			v := append(append(append(buf[:0], rs[:i]...), c), rs[i:]...)
			add(v) // insertion
		}
	}
	return out
}

// TypoClauses returns, by clause number, the typos of each of q's positive
// clauses that is a single word (nil for the others): what a search that
// found nothing may widen to.
func (q *Query) TypoClauses() [][]string {
	out := make([][]string, len(q.Clauses))
	some := false
	for i, c := range q.Clauses {
		if c.Not || len(c.Alts) != 1 || len(c.Alts[0]) != 1 {
			continue
		}
		out[i] = Typos(c.Alts[0][0])
		some = some || out[i] != nil
	}
	if !some {
		return nil
	}
	return out
}

// Widen returns a copy of q with each clause's typos as further
// alternatives.
func (q *Query) Widen(typos [][]string) *Query {
	out := &Query{Truncated: q.Truncated, Dropped: q.Dropped, Clauses: make([]Clause, len(q.Clauses)), written: q.written}
	for i, c := range q.Clauses {
		nc := Clause{Not: c.Not, Alts: append([]Phrase(nil), c.Alts...)}
		if i < len(typos) {
			for _, t := range typos[i] {
				nc.Alts = append(nc.Alts, Phrase{t})
			}
		}
		out.Clauses[i] = nc
	}
	return out
}

// Corrected is q with the word of each widened clause replaced by the
// typo found: the query "showing results for". found maps a clause number
// to its typo; clauses without one keep their words.
func (q *Query) Corrected(found map[int]string) string {
	c := &Query{Clauses: make([]Clause, len(q.Clauses))}
	for i, cl := range q.Clauses {
		if t, ok := found[i]; ok {
			c.Clauses[i] = Clause{Not: cl.Not, Alts: []Phrase{{t}}}
		} else {
			c.Clauses[i] = cl
		}
	}
	return c.String()
}
