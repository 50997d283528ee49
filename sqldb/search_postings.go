package sqldb

// Matching a query's text with the postings (postings.go) rather than the
// engine's index: a word is the union of its forms' bitmaps, a clause the
// union of its alternatives, the query the intersection of its positive
// clauses less the union of its negative ones. Phrases need the words'
// positions, which the postings do not hold: a clause's phrases are asked
// of the engine's index, as before, and joined to its words' bitmaps.

import (
	"context"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/civicmon/civicmon/postings"
	"github.com/civicmon/civicmon/search"
)

// bitmapMatch is what a query's text matched, as bitmaps of update ids.
type bitmapMatch struct {
	all     bool            // no positive clause: every update but exclude
	ids     *roaring.Bitmap // the matches, when !all
	exclude *roaring.Bitmap // when all: what the negative clauses match
	// For relevance, per scored clause: the updates with it (in any of
	// its forms) in the title, in the summary, and as written anywhere.
	title, summary, exact []*roaring.Bitmap
}

// clauseTokens splits a clause's alternatives into words and phrases.
func clauseTokens(c search.Clause) (words []string, phrases search.Clause) {
	for _, p := range c.Alts {
		if len(p) == 1 {
			words = append(words, p[0])
		} else {
			phrases.Alts = append(phrases.Alts, p)
		}
	}
	return words, phrases
}

// postingsMatch matches eq (q's expansion) with the postings, and for
// relevance the scored clauses' title, summary and exact sets.
func (s *Store) postingsMatch(ctx context.Context, q, eq *search.Query, relevance bool) (*bitmapMatch, error) {
	var pos, epos []search.Clause
	if relevance {
		pos, epos = q.Positive(), eq.Positive()
		pos, epos = pos[:min(len(pos), maxScoredClauses)], epos[:min(len(epos), maxScoredClauses)]
	}
	var tokens []string
	for _, cs := range [][]search.Clause{eq.Clauses, pos} {
		for _, c := range cs {
			w, _ := clauseTokens(c)
			tokens = append(tokens, w...)
		}
	}
	slices.Sort(tokens)
	tokens = slices.Compact(tokens)
	post, err := s.db.postings().lookup(ctx, s.db, tokens)
	if err != nil {
		return nil, err
	}
	// field selects a clause's words' postings: any field (-1), or one.
	clauseSet := func(c search.Clause, field int, kind LookupKind) (*roaring.Bitmap, error) {
		words, phrases := clauseTokens(c)
		out := roaring.New()
		for _, w := range words {
			f := post[w]
			if f == nil {
				continue
			}
			if field < 0 {
				out.Or(f.Any())
			} else if f[field] != nil {
				out.Or(f[field])
			}
		}
		if len(phrases.Alts) > 0 {
			ids, err := s.matchIDs(ctx, Lookup{Kind: kind, Clause: phrases, Lo: minID, Hi: maxID})
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				out.Add(uint32(id))
			}
		}
		return out, nil
	}
	m := &bitmapMatch{all: !eq.HasPositive()}
	neg := roaring.New()
	for _, c := range eq.Clauses {
		if !c.Not {
			continue
		}
		b, err := clauseSet(c, -1, LookupExact)
		if err != nil {
			return nil, err
		}
		neg.Or(b)
	}
	if m.all {
		m.exclude = neg
		return m, nil
	}
	for _, c := range eq.Clauses {
		if c.Not {
			continue
		}
		b, err := clauseSet(c, -1, LookupExact)
		if err != nil {
			return nil, err
		}
		if m.ids == nil {
			m.ids = b
		} else {
			m.ids.And(b)
		}
		if m.ids.IsEmpty() {
			break
		}
	}
	m.ids.AndNot(neg)
	for j := range epos {
		t, err := clauseSet(epos[j], postings.Title, LookupTitle)
		if err != nil {
			return nil, err
		}
		sm, err := clauseSet(epos[j], postings.Summary, LookupSummary)
		if err != nil {
			return nil, err
		}
		e, err := clauseSet(pos[j], -1, LookupExact)
		if err != nil {
			return nil, err
		}
		m.title, m.summary, m.exact = append(m.title, t), append(m.summary, sm), append(m.exact, e)
	}
	return m, nil
}

// knownTokens keeps of tokens those the postings hold.
func (s *Store) knownTokens(ctx context.Context, tokens []string) ([]string, error) {
	post, err := s.db.postings().lookup(ctx, s.db, tokens)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tokens {
		if post[t] != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// textMatchOf turns a bitmapMatch into the engine's form of an answer
// (one part, id lists), for the pass over the facet index.
func textMatchOf(b *bitmapMatch) *textMatch {
	ids := func(x *roaring.Bitmap) []int64 {
		if x == nil {
			return nil
		}
		out := make([]int64, 0, x.GetCardinality())
		it := x.Iterator()
		for it.HasNext() {
			out = append(out, int64(it.Next()))
		}
		return out
	}
	p := partMatch{lo: minID, hi: maxID, ids: ids(b.ids), exclude: ids(b.exclude)}
	for j := range b.title {
		p.title = append(p.title, ids(b.title[j]))
		p.summary = append(p.summary, ids(b.summary[j]))
		p.exact = append(p.exact, ids(b.exact[j]))
	}
	return &textMatch{all: b.all, parts: []partMatch{p}}
}

// findText matches the query's text with the postings when they are up to
// date, and with the engine's index otherwise.
func (s *Store) findText(ctx context.Context, ix *facetIndex, q, eq *search.Query, relevance bool) (*textMatch, error) {
	if !q.Empty() {
		ok, err := s.db.postings().usable(ctx, s.db)
		if err != nil {
			return nil, err
		}
		if ok {
			b, err := s.postingsMatch(ctx, q, eq, relevance)
			if err != nil {
				return nil, err
			}
			return textMatchOf(b), nil
		}
	}
	return s.matchText(ctx, ix, q, eq, relevance)
}
