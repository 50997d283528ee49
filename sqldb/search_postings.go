package sqldb

// Matching a query's text with the postings (postings.go) rather than the
// engine's index: a word is the union of its forms' bitmaps, a clause the
// union of its alternatives, the query the intersection of its positive
// clauses less the union of its negative ones. A phrase is its words'
// postings narrowed by each of its pairs' (postings.Pairs): a popular
// pair's are exact, so a phrase of two words that is one needs nothing
// more; otherwise the few updates left are read and checked, and when
// there are too many to read, the phrase is asked of the engine's index.

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/postings"
	"github.com/civicmon/civicmon/search"
)

// anyField selects every field.
const anyField = -1

// phraseCheckMax is the most updates a search reads, by default, to check
// a phrase in them, rather than ask the engine.
const phraseCheckMax = 2000

// SetPhraseCheck sets the most updates a search reads to check a phrase
// in them rather than ask the engine (0: the default, negative: none, so
// that tests compare the engine's answers for phrases too).
func (db *DB) SetPhraseCheck(most int) {
	px := db.postings()
	px.mu.Lock()
	defer px.mu.Unlock()
	px.checkMost = most
}

// phraseCheckLimit is the most updates a search reads to check a phrase.
func (db *DB) phraseCheckLimit() uint64 {
	px := db.postings()
	px.mu.RLock()
	defer px.mu.RUnlock()
	switch {
	case px.checkMost < 0:
		return 0
	case px.checkMost == 0:
		return phraseCheckMax
	}
	return uint64(px.checkMost)
}

// postingsMatch matches eq (q's expansion) with the postings, and for
// relevance the scored clauses' title, summary and exact sets.
func (s *Store) postingsMatch(ctx context.Context, q, eq *search.Query, relevance bool) (*textMatch, error) {
	var pos, epos []search.Clause
	if relevance {
		pos, epos = q.Positive(), eq.Positive()
		pos, epos = pos[:min(len(pos), maxScoredClauses)], epos[:min(len(epos), maxScoredClauses)]
	}
	px := s.db.postings()
	px.mu.RLock()
	pairs := px.pairs
	px.mu.RUnlock()
	if pairs == nil {
		pairs = postings.NewPairs(nil)
	}
	// The phrases of more than one word the search needs, by field.
	var phrases []phraseKey
	seen := map[phraseKey]bool{}
	need := func(c search.Clause, field int) {
		for _, p := range c.Alts {
			if k := phraseKeyOf(p, field); len(p) > 1 && !seen[k] {
				seen[k] = true
				phrases = append(phrases, k)
			}
		}
	}
	for _, c := range eq.Clauses {
		need(c, anyField)
	}
	for j := range epos {
		need(epos[j], postings.Title)
		need(epos[j], postings.Summary)
		need(pos[j], anyField)
	}
	var tokens []string
	for _, cs := range [][]search.Clause{eq.Clauses, pos} {
		for _, c := range cs {
			for _, p := range c.Alts {
				tokens = append(tokens, p...)
				for i := 1; i < len(p); i++ {
					tok, _ := pairs.Token(p[i-1], p[i])
					tokens = append(tokens, tok)
				}
			}
		}
	}
	slices.Sort(tokens)
	tokens = slices.Compact(tokens)
	post, err := px.lookup(ctx, s.db, tokens)
	if err != nil {
		return nil, err
	}
	// inField is a token's postings in one field, or in any.
	inField := func(tok string, field int) *roaring.Bitmap {
		f := post[tok]
		switch {
		case f == nil:
			return roaring.New()
		case field == anyField:
			return f.Any()
		case f[field] == nil:
			return roaring.New()
		}
		return f[field].Clone()
	}
	found := map[phraseKey]*roaring.Bitmap{}
	engine := newPhraseLookups(s)
	for _, k := range phrases {
		set, err := s.pairsPhrase(ctx, pairs, strings.Fields(k.phrase), k.field, inField)
		if err != nil {
			return nil, err
		}
		if set != nil {
			found[k] = set
		} else {
			engine.wantKey(k)
		}
	}
	if err := engine.run(ctx, inField); err != nil {
		return nil, err
	}
	phraseSet := func(p search.Phrase, field int) (*roaring.Bitmap, error) {
		if len(p) == 1 {
			return inField(p[0], field), nil
		}
		if b := found[phraseKeyOf(p, field)]; b != nil {
			return b.Clone(), nil
		}
		return engine.get(p, field)
	}
	clauseSet := func(c search.Clause, field int) (*roaring.Bitmap, error) {
		out := roaring.New()
		for _, p := range c.Alts {
			b, err := phraseSet(p, field)
			if err != nil {
				return nil, err
			}
			out.Or(b)
		}
		return out, nil
	}
	m := &textMatch{all: !eq.HasPositive()}
	neg := roaring.New()
	for _, c := range eq.Clauses {
		if !c.Not {
			continue
		}
		b, err := clauseSet(c, anyField)
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
		b, err := clauseSet(c, anyField)
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
		t, err := clauseSet(epos[j], postings.Title)
		if err != nil {
			return nil, err
		}
		sm, err := clauseSet(epos[j], postings.Summary)
		if err != nil {
			return nil, err
		}
		e, err := clauseSet(pos[j], anyField)
		if err != nil {
			return nil, err
		}
		m.title, m.summary, m.exact = append(m.title, t), append(m.summary, sm), append(m.exact, e)
	}
	return m, nil
}

// pairsPhrase returns the updates holding phrase p (two words or more) in
// field, from its words' and pairs' postings (inField) — exact for a
// popular pair, else checked by reading what they leave — or nil when
// that is more than phraseCheckMax updates to read.
func (s *Store) pairsPhrase(ctx context.Context, pairs *postings.Pairs, p search.Phrase, field int, inField func(tok string, field int) *roaring.Bitmap) (*roaring.Bitmap, error) {
	fields := []int{field}
	if field == anyField {
		// Field by field: a phrase never runs from one field into the
		// next.
		fields = []int{postings.Title, postings.Summary, postings.Body}
	}
	out := roaring.New()
	var check postings.Fields
	var toRead uint64
	for _, f := range fields {
		set := inField(p[0], f)
		exact := len(p) == 2
		for i := 1; i < len(p) && !set.IsEmpty(); i++ {
			set.And(inField(p[i], f))
			tok, popular := pairs.Token(p[i-1], p[i])
			set.And(inField(tok, f))
			exact = exact && popular
		}
		switch {
		case set.IsEmpty():
		case exact:
			out.Or(set)
		default:
			check[f] = set
			toRead += set.GetCardinality()
		}
	}
	if toRead == 0 {
		return out, nil
	}
	var all roaring.Bitmap
	for _, b := range check {
		if b != nil {
			all.Or(b)
		}
	}
	if all.GetCardinality() > s.db.phraseCheckLimit() {
		return nil, nil
	}
	held, err := s.checkPhrase(ctx, &check, p)
	if err != nil {
		return nil, err
	}
	for _, b := range held {
		if b != nil {
			out.Or(b)
		}
	}
	return out, nil
}

// checkPhrase keeps of each field's candidates those that hold phrase p
// there: it reads them and finds their words (search.DocBuilder.AddWords).
func (s *Store) checkPhrase(ctx context.Context, candidates *postings.Fields, p search.Phrase) (*postings.Fields, error) {
	out := &postings.Fields{}
	all := candidates.Any()
	body := "''" // not read unless needed: it is most of the text
	if b := candidates[postings.Body]; b != nil && !b.IsEmpty() {
		body = "body"
	}
	ids := all.ToArray()
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		list := make([]int64, len(part))
		for j, id := range part {
			list[j] = int64(id)
		}
		rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT id, title, summary, `+body+`, translations, language FROM updates
			WHERE status = 'published' AND id`+s.db.dialect.InIDs), jsonIDs(list))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var u civicmon.Update
			if err := scanIndexedText(rows, &u); err != nil {
				rows.Close()
				return nil, err
			}
			var b search.DocBuilder
			b.AddWords(u.Title, u.Summary, u.Body)
			for _, t := range u.Translations {
				b.AddWords(t.Title, t.Summary, t.Body)
			}
			d := b.Doc()
			for f, text := range [postings.NumFields]string{d.Title, d.Summary, d.Body} {
				c := candidates[f]
				if c == nil || !c.Contains(uint32(u.ID)) || !search.HasPhrase(strings.Fields(text), p) {
					continue
				}
				if out[f] == nil {
					out[f] = roaring.New()
				}
				out[f].Add(uint32(u.ID))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// knownTokens keeps of tokens those the postings hold (in a segment, or
// in the newest changes), in the order given. A token only of updates
// changed since may be kept: the search it widens finds nothing by it.
func (s *Store) knownTokens(ctx context.Context, tokens []string) ([]string, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	args := make([]any, len(tokens))
	for i, t := range tokens {
		args[i] = t
	}
	rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT DISTINCT token FROM search_postings WHERE token IN (`+placeholders(len(tokens))+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("search: look up the words near the query's: %w", err)
	}
	defer rows.Close()
	known := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		known[t] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	px := s.db.postings()
	px.mu.RLock()
	for _, b := range px.batches {
		for _, t := range tokens {
			if f := b.post[t]; f != nil && !f.Empty() {
				known[t] = true
			}
		}
	}
	px.mu.RUnlock()
	var out []string
	for _, t := range tokens {
		if known[t] {
			out = append(out, t)
		}
	}
	return out, nil
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
			return s.postingsMatch(ctx, q, eq, relevance)
		}
	}
	return s.matchText(ctx, ix, q, eq, relevance)
}

// phraseLookups asks the engine's index for a search's phrases, each
// (phrase, field) once, side by side, and on an engine that looks up part
// of the ids for less than all (TextIndex.Ranges) in parts of the id
// space, one per processor.
type phraseLookups struct {
	s     *Store
	jobs  map[phraseKey]*roaring.Bitmap
	order []phraseKey
}

type phraseKey struct {
	phrase string
	field  int
}

func newPhraseLookups(s *Store) *phraseLookups {
	return &phraseLookups{s: s, jobs: map[phraseKey]*roaring.Bitmap{}}
}

func phraseKeyOf(p search.Phrase, field int) phraseKey {
	return phraseKey{strings.Join(p, " "), field}
}

// wantKey notes a phrase in a field.
func (l *phraseLookups) wantKey(k phraseKey) {
	if _, ok := l.jobs[k]; !ok {
		l.jobs[k] = nil
		l.order = append(l.order, k)
	}
}

// run asks the engine for each phrase anywhere, then narrows those to a
// field: an update has the phrase in its title only if it has it
// somewhere and has each of its words in the title (inField, from the
// postings). None such: none; a few: their titles are read and checked;
// many: the engine is asked.
func (l *phraseLookups) run(ctx context.Context, inField func(tok string, field int) *roaring.Bitmap) error {
	if len(l.order) == 0 {
		return nil
	}
	var anywhere, inFields []phraseKey
	for _, k := range l.order {
		if k.field == anyField {
			anywhere = append(anywhere, k)
		} else {
			inFields = append(inFields, k)
		}
	}
	if err := l.ask(ctx, anywhere); err != nil {
		return err
	}
	var ask []phraseKey
	for _, k := range inFields {
		words := strings.Fields(k.phrase)
		cand := l.jobs[phraseKey{k.phrase, anyField}]
		if cand == nil {
			ask = append(ask, k)
			continue
		}
		cand = cand.Clone()
		for _, w := range words {
			if cand.IsEmpty() {
				break
			}
			cand.And(inField(w, k.field))
		}
		switch {
		case cand.IsEmpty():
			l.jobs[k] = cand
		case cand.GetCardinality() <= l.s.db.phraseCheckLimit():
			var check postings.Fields
			check[k.field] = cand
			found, err := l.s.checkPhrase(ctx, &check, search.Phrase(words))
			if err != nil {
				return err
			}
			l.jobs[k] = found[k.field]
			if l.jobs[k] == nil {
				l.jobs[k] = roaring.New()
			}
		default:
			ask = append(ask, k)
		}
	}
	return l.ask(ctx, ask)
}

// ask looks the phrases of keys up in the engine's index.
func (l *phraseLookups) ask(ctx context.Context, keys []phraseKey) error {
	if len(keys) == 0 {
		return nil
	}
	type job struct {
		k      phraseKey
		lo, hi int64
		ids    []int64
		err    error
	}
	var jobs []*job
	// searchParts: balanced id ranges where the engine looks them up for
	// less (see there).
	parts := l.s.db.facets().searchParts(l.s.db)
	for _, k := range keys {
		for _, p := range parts {
			jobs = append(jobs, &job{k: k, lo: p.lo, hi: p.hi})
		}
	}
	kinds := map[int]LookupKind{anyField: LookupExact, postings.Title: LookupTitle, postings.Summary: LookupSummary}
	next := make(chan *job, len(jobs))
	for _, j := range jobs {
		next <- j
	}
	close(next)
	var wg sync.WaitGroup
	for range min(len(jobs), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for j := range next {
				c := search.Clause{Alts: []search.Phrase{strings.Fields(j.k.phrase)}}
				j.ids, j.err = l.s.matchIDs(ctx, Lookup{Kind: kinds[j.k.field], Clause: c, Lo: j.lo, Hi: j.hi})
			}
		})
	}
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			return j.err
		}
		b := l.jobs[j.k]
		if b == nil {
			b = roaring.New()
			l.jobs[j.k] = b
		}
		for _, id := range j.ids {
			b.Add(uint32(id))
		}
	}
	return nil
}

// get returns the updates with phrase p in field (a new bitmap).
func (l *phraseLookups) get(p search.Phrase, field int) (*roaring.Bitmap, error) {
	b := l.jobs[phraseKeyOf(p, field)]
	if b == nil {
		return nil, fmt.Errorf("search: the phrase %q was not looked up", strings.Join(p, " "))
	}
	return b.Clone(), nil
}
