package sqldb

// Imports leave the engine's full-text index to after their commit. The
// engine's index (FTS5, tsvectors) is most of an import's writing
// (docs/benchmarks.md, "Imports"), and searches no longer need it to be in
// step: the postings find words and phrases, and catch up with every
// write from the change feed. So an import (InBulkTx) stores its updates
// without engine rows and records their ids in search_deferred; the
// postings' flush (the server's, every few seconds, and `civicmon import`
// once its import has committed) indexes them, a chunk per transaction.
//
// Until then the engine's answers would miss them, so every engine lookup
// (matchIDs, matchSet, the vocabulary for typos) answers for the deferred
// ids in Go instead: it reads the published ones, analyses them as the
// index would have and matches them as the index would (search.Query.
// Matches). Deferred ids are taken out of the engine's answer before the
// Go answer goes in, so that the result is exact even where the index
// holds a row for one of them (on PostgreSQL, ids an import reserves are
// not always contiguous: another writer's update may fall in its range).
//
// A write that changes or deletes a deferred update leaves the engine's
// index alone (there is nothing of it there to forget): the flush indexes
// what the update is when it gets to it. On PostgreSQL both take the audit
// lock first, so that a write and the flush's indexing of the same update
// do not interleave.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/search"
)

// deferredChunk is how many ids the flush indexes per transaction: each
// holds the writer for a fraction of a second.
const deferredChunk = 2000

// deferSearch records that updates first to last were stored without their
// engine rows.
func (tx *Store) deferSearch(ctx context.Context, first, last int64) error {
	_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO search_deferred (first_id, last_id) VALUES (?, ?)`), first, last)
	if err != nil {
		return fmt.Errorf("search: record updates %d to %d for indexing after the import: %w", first, last, err)
	}
	return nil
}

// searchDeferred reports whether update id is waiting for the flush to put
// it in the engine's index. Where writers run side by side (PostgreSQL) a
// yes is asked again under the audit lock, which the flush's indexing
// holds: a write must not leave an update to a flush that has just read
// it. A no needs no lock: an update not waiting now is only ever added to
// a range by an import that reserved ids around its own, and then the
// flush indexes it again, as it is.
func (tx *Store) searchDeferred(ctx context.Context, id int64) (bool, error) {
	ask := func() (bool, error) {
		var n int
		err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT COUNT(*) FROM search_deferred WHERE first_id <= ? AND last_id >= ?`), id, id).Scan(&n)
		if err != nil {
			if tx.db.dialect.isMissingTable(err) {
				return false, nil // migrating: the table comes later
			}
			return false, fmt.Errorf("search: is update %d waiting to be indexed: %w", id, err)
		}
		return n > 0, nil
	}
	later, err := ask()
	if !later || err != nil {
		return false, err
	}
	if lock := tx.db.dialect.LockAudit; lock != nil {
		if err := lock(ctx, tx.tx); err != nil {
			return false, err
		}
		return ask()
	}
	return true, nil
}

// A deferredChunk of ids, read and analysed ahead of its transaction.
type preparedChunk struct {
	first, upto int64
	rows        map[int64]preparedRow // by update id
	err         error
}

type preparedRow struct {
	version int64
	doc     search.Doc
}

// IndexDeferred puts the updates imports stored without engine rows into
// the engine's index, deferredChunk ids per transaction, and returns how
// many published updates it indexed. FlushPostings runs it first; `civicmon
// import` runs it once its import has committed. progress, when set, is
// told the ids done so far and those done and waiting.
//
// The analysis, most of the work, runs ahead on another goroutine (as an
// import's did beside its writer), from the read pool; the transaction
// then checks each update's version and analyses again the few a write
// changed meanwhile.
func (s *Store) IndexDeferred(ctx context.Context, progress func(done, total int)) (int, error) {
	// Searches say to reindex when the index is of another normaliser;
	// until then, nothing is added to it.
	var normalizer int
	if err := s.db.read.QueryRowContext(ctx, `SELECT normalizer FROM search_state WHERE id = 1`).Scan(&normalizer); err != nil {
		return 0, fmt.Errorf("search state: %w", err)
	}
	if normalizer != search.IndexVersion {
		return 0, nil
	}
	indexed, done, total := 0, 0, 0
	for {
		ranges, err := s.deferredRanges(ctx)
		if err != nil || len(ranges) == 0 {
			return indexed, err
		}
		total = done
		for _, r := range ranges {
			total += int(r[1] - r[0] + 1)
		}
		n, err := s.indexRanges(ctx, ranges, func(ids int) {
			if done += ids; progress != nil {
				progress(done, total)
			}
		})
		indexed += n
		if err != nil {
			return indexed, err
		}
	}
}

// deferredRanges lists search_deferred, oldest ids first.
func (s *Store) deferredRanges(ctx context.Context) ([][2]int64, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT first_id, last_id FROM search_deferred ORDER BY first_id`)
	if err != nil {
		if s.db.dialect.isMissingTable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("search: read the updates waiting to be indexed: %w", err)
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var r [2]int64
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// indexRanges indexes ranges chunk by chunk, each prepared while the one
// before is written.
func (s *Store) indexRanges(ctx context.Context, ranges [][2]int64, chunkDone func(ids int)) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var chunks []preparedChunk
	for _, r := range ranges {
		for first := r[0]; first <= r[1]; first += deferredChunk {
			chunks = append(chunks, preparedChunk{first: first, upto: min(r[1], first+deferredChunk-1)})
		}
	}
	// The chunks are analysed on every processor, a few ahead of the
	// writer at most, and written in order.
	workers := max(1, runtime.GOMAXPROCS(0))
	ahead := make(chan struct{}, workers+1)
	ready := make([]chan preparedChunk, len(chunks))
	next := make(chan int)
	for i := range ready {
		ready[i] = make(chan preparedChunk, 1)
	}
	for range workers {
		go func() {
			for i := range next {
				c := chunks[i]
				c.rows, c.err = s.prepareDeferred(ctx, c.first, c.upto)
				if hook := s.db.afterPrepare; hook != nil {
					hook(c.first, c.upto)
				}
				ready[i] <- c
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range chunks {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	indexed := 0
	for i := range chunks {
		var c preparedChunk
		select {
		case c = <-ready[i]:
		case <-ctx.Done():
			return indexed, ctx.Err()
		}
		<-ahead
		if c.err != nil {
			return indexed, c.err
		}
		var n int
		var gone bool
		err := s.writeQuiet(ctx, func(tx *Store) error {
			var err error
			n, gone, err = tx.indexDeferredChunk(ctx, c)
			return err
		})
		if err != nil {
			return indexed, err
		}
		indexed += n
		if gone {
			break // another process indexes them: read the ranges again
		}
		chunkDone(int(c.upto - c.first + 1))
	}
	return indexed, nil
}

// prepareDeferred reads and analyses the published updates first to upto.
func (s *Store) prepareDeferred(ctx context.Context, first, upto int64) (map[int64]preparedRow, error) {
	rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT id, title, summary, body, translations, language, version FROM updates
		WHERE status = 'published' AND id >= ? AND id <= ?`), first, upto)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]preparedRow{}
	for rows.Next() {
		var u civicmon.Update
		var translations string
		if err := rows.Scan(&u.ID, &u.Title, &u.Summary, &u.Body, &translations, &u.Language, &u.Version); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(translations), &u.Translations); err != nil {
			return nil, fmt.Errorf("update %d: translations: %w", u.ID, err)
		}
		out[u.ID] = preparedRow{version: u.Version, doc: searchDoc(&u)}
	}
	return out, rows.Err()
}

// indexDeferredChunk writes the engine rows of chunk c, when its ids are
// still the first of a deferred range (gone: they are not, another
// process took them), and takes them out of the range.
func (tx *Store) indexDeferredChunk(ctx context.Context, c preparedChunk) (indexed int, gone bool, err error) {
	if lock := tx.db.dialect.LockAudit; lock != nil {
		if err := lock(ctx, tx.tx); err != nil {
			return 0, false, err
		}
	}
	var last int64
	err = tx.tx.QueryRowContext(ctx, tx.q(`SELECT last_id FROM search_deferred WHERE first_id = ?`), c.first).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, true, nil
	case err != nil:
		return 0, false, fmt.Errorf("search: read the updates waiting to be indexed: %w", err)
	case last < c.upto:
		return 0, true, nil
	}
	// An index of another normaliser is rebuilt whole by Reindex, which
	// empties search_deferred: nothing to add to it here.
	if ok, err := tx.searchCurrent(ctx); err != nil {
		return 0, false, err
	} else if !ok {
		return 0, false, errSearchStale()
	}
	// The updates as they are now: those a write changed since they were
	// prepared are read and analysed again.
	rows, err := tx.tx.QueryContext(ctx, tx.q(`SELECT id, version FROM updates WHERE status = 'published' AND id >= ? AND id <= ? ORDER BY id`), c.first, c.upto)
	if err != nil {
		return 0, false, err
	}
	type current struct {
		id      int64
		version int64
	}
	var now []current
	for rows.Next() {
		var u current
		if err := rows.Scan(&u.id, &u.version); err != nil {
			rows.Close()
			return 0, false, err
		}
		now = append(now, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	text := tx.db.dialect.Text
	notThere := func() (search.Doc, bool, error) { return search.Doc{}, false, nil }
	ins := tx.newBulkInsert(text.Insert())
	defer ins.Close()
	var batch []any
	for i := 0; i < len(now); i += ins.rows {
		part := now[i:min(i+ins.rows, len(now))]
		batch = batch[:0]
		for _, u := range part {
			p, ok := c.rows[u.id]
			if !ok || p.version != u.version {
				fresh, err := tx.prepareOne(ctx, u.id)
				if err != nil {
					return 0, false, err
				}
				p.doc = fresh
			}
			// Where the engine keeps a row per update (PostgreSQL), another
			// writer's update inside the range has one already.
			if err := text.Forget(ctx, tx.tx, u.id, notThere); err != nil {
				return 0, false, err
			}
			batch = append(batch, text.Row(u.id, p.doc)...)
		}
		if _, err := ins.exec(ctx, len(part), batch); err != nil {
			return 0, false, fmt.Errorf("search: index updates %d to %d: %w", part[0].id, part[len(part)-1].id, err)
		}
	}
	if c.upto == last {
		_, err = tx.tx.ExecContext(ctx, tx.q(`DELETE FROM search_deferred WHERE first_id = ?`), c.first)
	} else {
		_, err = tx.tx.ExecContext(ctx, tx.q(`UPDATE search_deferred SET first_id = ? WHERE first_id = ?`), c.upto+1, c.first)
	}
	if err != nil {
		return 0, false, fmt.Errorf("search: mark updates %d to %d indexed: %w", c.first, c.upto, err)
	}
	return len(now), false, nil
}

// prepareOne reads and analyses update id inside tx.
func (tx *Store) prepareOne(ctx context.Context, id int64) (search.Doc, error) {
	var u civicmon.Update
	row := tx.tx.QueryRowContext(ctx, tx.q(`SELECT id, title, summary, body, translations, language FROM updates WHERE id = ?`), id)
	if err := scanIndexedText(row, &u); err != nil {
		return search.Doc{}, fmt.Errorf("search: read update %d to index it: %w", id, err)
	}
	return searchDoc(&u), nil
}

// deferredText is what the engine's index lacks between two ids: the
// deferred ranges, and every id in them.
type deferredText struct {
	ranges [][2]int64
	ids    *roaring.Bitmap
}

// readDeferred returns the deferred ranges between ids lo and hi (not
// including hi), or nil when there are none. Read before the engine is
// asked: an update the flush indexes in between is then answered twice,
// the same way, rather than not at all.
func (s *Store) readDeferred(ctx context.Context, lo, hi int64) (*deferredText, error) {
	rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT first_id, last_id FROM search_deferred WHERE last_id >= ? AND first_id < ? ORDER BY first_id`), lo, hi)
	if err != nil {
		if s.db.dialect.isMissingTable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("search: read the updates waiting to be indexed: %w", err)
	}
	defer rows.Close()
	d := &deferredText{ids: roaring.New()}
	for rows.Next() {
		var r [2]int64
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			return nil, err
		}
		r[0], r[1] = max(r[0], lo, 0), min(r[1], hi-1)
		if _, err := bitmapID(r[1]); err != nil {
			return nil, err
		}
		d.ranges = append(d.ranges, r)
		d.ids.AddRange(uint64(r[0]), uint64(r[1])+1)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(d.ranges) == 0 {
		return nil, nil
	}
	return d, nil
}

// deferredReadIDs is how many ids of a range eachDeferred reads at a time:
// the analysed text of the waiting updates is never all in memory.
const deferredReadIDs = 500

// eachDeferred reads the published updates of d's ranges and calls fn
// with each analysed — its document and its fields' tokens — on as many
// goroutines as there are processors (fn must be safe for that; worker
// tells them apart, from 0).
func (s *Store) eachDeferred(ctx context.Context, d *deferredText, fn func(worker int, id uint32, doc search.Doc, fields [][]string)) error {
	type span struct{ lo, hi int64 }
	spans := make(chan span)
	workers := max(1, runtime.GOMAXPROCS(0))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for sp := range spans {
				if errs[w] != nil {
					continue
				}
				errs[w] = s.analyseDeferred(ctx, sp.lo, sp.hi, func(id uint32, doc search.Doc, fields [][]string) { fn(w, id, doc, fields) })
			}
		})
	}
	for _, r := range d.ranges {
		for lo := r[0]; lo <= r[1]; lo += deferredReadIDs {
			if ctx.Err() != nil {
				break
			}
			spans <- span{lo, min(r[1], lo+deferredReadIDs-1)}
		}
	}
	close(spans)
	wg.Wait()
	return errors.Join(append(errs, ctx.Err())...)
}

// analyseDeferred calls fn with each published update from id lo to hi,
// analysed.
func (s *Store) analyseDeferred(ctx context.Context, lo, hi int64, fn func(id uint32, doc search.Doc, fields [][]string)) error {
	return readSearchDocs(ctx, s.db, s.db.read, []civicmon.IDRange{{First: lo, Last: hi}}, func(id int64, u *civicmon.Update) {
		doc := searchDoc(u)
		fn(uint32(id), doc, [][]string{strings.Fields(doc.Title), strings.Fields(doc.Summary), strings.Fields(doc.Body)})
	})
}

// deferredMatch answers each of ls for the updates of d, as the engine
// would have.
func (s *Store) deferredMatch(ctx context.Context, d *deferredText, ls []Lookup) ([]*roaring.Bitmap, error) {
	workers := max(1, runtime.GOMAXPROCS(0))
	found := make([][]*roaring.Bitmap, workers)
	for w := range found {
		found[w] = make([]*roaring.Bitmap, len(ls))
		for j := range ls {
			found[w][j] = roaring.New()
		}
	}
	err := s.eachDeferred(ctx, d, func(w int, id uint32, doc search.Doc, fields [][]string) {
		for j, l := range ls {
			if int64(id) >= l.Lo && int64(id) < l.Hi && lookupMatches(l, doc, fields) {
				found[w][j].Add(id)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := found[0]
	for _, f := range found[1:] {
		for j := range out {
			out[j].Or(f[j])
		}
	}
	return out, nil
}

// lookupMatches reports whether an analysed document matches l as the
// engine's index would.
func lookupMatches(l Lookup, doc search.Doc, fields [][]string) bool {
	inFields := func(c search.Clause, fields [][]string) bool {
		for _, p := range c.Alts {
			for _, f := range fields {
				if search.HasPhrase(f, p) {
					return true
				}
			}
		}
		return false
	}
	switch l.Kind {
	case LookupMatch:
		return l.Query.HasPositive() && l.Query.Matches(doc)
	case LookupExclude:
		for _, c := range l.Query.Clauses {
			if c.Not && inFields(c, fields) {
				return true
			}
		}
	case LookupTitle:
		return inFields(l.Clause, fields[:1])
	case LookupSummary:
		return inFields(l.Clause, fields[1:2])
	case LookupExact:
		return inFields(l.Clause, fields)
	}
	return false
}

// deferredKnown keeps of tokens those some update of d holds.
func (s *Store) deferredKnown(ctx context.Context, d *deferredText, tokens []string) ([]string, error) {
	want := make(map[string]bool, len(tokens))
	for _, t := range tokens {
		want[t] = true
	}
	var mu sync.Mutex
	found := map[string]bool{}
	err := s.eachDeferred(ctx, d, func(_ int, _ uint32, _ search.Doc, fields [][]string) {
		for _, f := range fields {
			for _, t := range f {
				if want[t] {
					mu.Lock()
					found[t] = true
					mu.Unlock()
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tokens {
		if found[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// withDeferred is the engine's answer set to l with the deferred updates'
// answer in place of the engine's for their ids.
func withDeferred(set *roaring.Bitmap, d *deferredText, answer *roaring.Bitmap) *roaring.Bitmap {
	if d != nil {
		set.AndNot(d.ids)
		set.Or(answer)
	}
	return set
}
