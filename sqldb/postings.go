package sqldb

// Postings of our own (package postings), stored in the database: the
// search's inverted index, the same on both engines. See
// docs/architecture.md, "Search: postings of our own".
//
// The index is split by blocks of 65,536 update ids, each block into a few
// segments (search_segments, search_postings); a segment speaks for a set
// of updates as they were when it was written, and a newer one of the
// same block for the updates it names in place of an older one. Segments
// are written from the change feed (search_log) by FlushPostings — the
// server runs it in the background — and merged within their block; every
// change to them is one transaction that commits only if it finds
// search_state.postings_epoch as it read it, so concurrent flushers in
// several processes cannot interleave.
//
// Each process's view (postingsIndex) holds the segments' lists of updates
// and, in memory, the postings of the changes the segments do not cover
// yet, read from the feed as the facet index reads it: a search sees every
// committed write, whether or not it was flushed. When the segments are
// far behind (a database just migrated, a large import not yet flushed),
// the view is not used and searches ask the engine's index instead.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/postings"
	"github.com/civicmon/civicmon/search"
)

// postingsFormat names what the stored postings hold: the package's
// encoding and the analysis that made the tokens (search.IndexVersion).
// Postings of another format are built again by the next flush.
const postingsFormat = postings.Version*100_000 + search.IndexVersion

// postingsBlockBits: a block holds the ids with the same id>>16, one
// Roaring container's worth.
const postingsBlockBits = 16

// maxPostingsTail is the most updates a view analyses in memory beyond the
// segments; with more, searches use the engine until the flush catches up.
const maxPostingsTail = 20_000

// postingsInsertRows is how many postings rows one INSERT carries.
const postingsInsertRows = 200

// errPostingsMoved: another process changed the segments meanwhile.
var errPostingsMoved = errors.New("postings: the segments changed meanwhile")

// postingsIndexes holds each open DB's view, as facetIndexes does.
var postingsIndexes sync.Map // *DB → *postingsIndex

func (db *DB) postings() *postingsIndex {
	if px, ok := postingsIndexes.Load(db); ok {
		return px.(*postingsIndex)
	}
	px, _ := postingsIndexes.LoadOrStore(db, &postingsIndex{})
	return px.(*postingsIndex)
}

// forgetPostings drops db's view when db closes.
func (db *DB) forgetPostings() { postingsIndexes.Delete(db) }

type segmentInfo struct {
	part  postings.Part
	block int64
	size  int64
}

type postingsBatch struct {
	part postings.Part
	post postings.Postings
}

// postingsIndex is one process's view of the postings.
type postingsIndex struct {
	refresh sync.Mutex // serialises catching up
	mu      sync.RWMutex

	off       bool            // SetSearchPostings(false): searches use the engine
	pairs     *postings.Pairs // the popular pairs the segments were built with
	pairsKey  string          // postings_pairs' first line: which choice they are
	popular   int             // SetPopularPairs; 0: popularPairDocs
	checkMost int             // SetPhraseCheck; 0: phraseCheckMax
	loaded    bool            // segments read at least once
	epoch     int64           // search_state.postings_epoch of the segments held
	mark      int64           // search_state.postings_upto
	seq       int64           // the feed entry the batches cover up to
	segments  map[int64]*segmentInfo
	batches   []*postingsBatch // oldest first
	tail      int              // updates the batches speak for
	behind    bool             // the tail is too long: use the engine
	parts     []*postings.Part // every segment and batch, oldest first, masked
	gen       uint64           // counts the changes to parts

	// The postings of recent lookups, masked as parts were at gen: a
	// reader choosing facets or turning pages repeats a text query.
	cacheLimit int // bytes; 0: postingsCacheBytes, negative: none
	cache      map[string]*postings.Fields
	cacheGen   uint64
	cacheBytes int
	cacheOrder []string // least recently stored first
	commits    uint64
	checked    time.Time
	stale      bool // this process changed the segments: reread them
}

// SetSearchPostings switches searches between the postings (the default)
// and the engine's index, for tests and benchmarks that compare them.
func (db *DB) SetSearchPostings(on bool) {
	px := db.postings()
	px.mu.Lock()
	defer px.mu.Unlock()
	px.off = !on
}

// postingsState is search_state's postings columns and the feed's newest
// entry, read together.
type postingsState struct {
	epoch, mark, seq int64
	current          bool // written in this version's format
}

func readPostingsState(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (postingsState, error) {
	var st postingsState
	var version int
	err := q.QueryRowContext(ctx, `SELECT postings_epoch, postings_upto, (SELECT COALESCE(MAX(seq), 0) FROM search_log), postings_version
		FROM search_state WHERE id = 1`).Scan(&st.epoch, &st.mark, &st.seq, &version)
	st.current = version == postingsFormat
	if !st.current {
		st.mark = -1 // to be built again
	}
	return st, err
}

// usable brings the view up to date and reports whether searches may use
// it. It trusts itself for searchFreshness unless this process wrote.
func (px *postingsIndex) usable(ctx context.Context, db *DB) (bool, error) {
	commits := db.Commits()
	now := time.Now()
	upToDate := func() (fresh, ok bool) {
		px.mu.RLock()
		defer px.mu.RUnlock()
		if px.off {
			return true, false
		}
		return px.loaded && !px.stale && commits == px.commits && now.Sub(px.checked) < searchFreshness, !px.behind && px.mark >= 0
	}
	if fresh, ok := upToDate(); fresh {
		return ok, nil
	}
	px.refresh.Lock()
	defer px.refresh.Unlock()
	if fresh, ok := upToDate(); fresh {
		return ok, nil
	}
	if err := px.catchUp(ctx, db); err != nil {
		return false, err
	}
	px.mu.Lock()
	defer px.mu.Unlock()
	px.commits, px.checked = commits, now
	return !px.behind && px.mark >= 0, nil
}

// catchUp rereads the segments when they changed and analyses the feed's
// entries after them. The caller holds refresh.
func (px *postingsIndex) catchUp(ctx context.Context, db *DB) error {
	st, err := readPostingsState(ctx, db.read)
	if err != nil {
		return fmt.Errorf("search: read the postings' state: %w", err)
	}
	px.mu.RLock()
	reload := !px.loaded || px.stale || st.epoch != px.epoch
	px.mu.RUnlock()
	if reload {
		if err := px.loadSegments(ctx, db); err != nil {
			return err
		}
		if st, err = readPostingsState(ctx, db.read); err != nil {
			return err
		}
	}
	px.mu.RLock()
	mark, from := px.mark, max(px.seq, px.mark)
	px.mu.RUnlock()
	if mark < 0 || st.seq <= from {
		return nil
	}
	ranges, err := db.Store().ChangedUpdates(ctx, from, st.seq)
	if err != nil {
		return err
	}
	docs := roaring.New()
	for _, r := range ranges {
		if r.First < 0 || r.Last > math.MaxUint32 {
			return fmt.Errorf("search: update ids %d to %d are beyond the postings' range (0 to %d)", r.First, r.Last, uint32(math.MaxUint32))
		}
		docs.AddRange(uint64(r.First), uint64(r.Last)+1)
	}
	px.mu.RLock()
	tail := px.tail
	px.mu.RUnlock()
	if tail+int(docs.GetCardinality()) > maxPostingsTail {
		px.mu.Lock()
		px.behind = true
		px.mu.Unlock()
		return nil
	}
	px.mu.RLock()
	pairs := px.pairs
	px.mu.RUnlock()
	post, _, err := buildBlock(ctx, db, ranges, pairs)
	if err != nil {
		return err
	}
	px.mu.Lock()
	defer px.mu.Unlock()
	if px.epoch != st.epoch {
		return nil // the segments moved meanwhile: the next search catches up
	}
	b := &postingsBatch{part: postings.Part{Key: -int64(len(px.batches) + 1), Upto: st.seq, Docs: docs}, post: post}
	px.batches = append(px.batches, b)
	px.tail += int(docs.GetCardinality())
	px.seq = st.seq
	px.behind = false
	px.remask()
	return nil
}

// loadSegments rereads the list of segments (their ids, blocks and the
// updates they speak for) and the popular pairs, and drops the batches
// the segments now cover.
func (px *postingsIndex) loadSegments(ctx context.Context, db *DB) error {
	for attempt := 0; ; attempt++ {
		err := px.loadSegmentsOnce(ctx, db)
		if !errors.Is(err, errPostingsMoved) || attempt == 3 {
			return err
		}
	}
}

// readPairs returns the popular pairs of search_state, and whether the
// epoch is still epoch. It reads and parses them only when they are not
// those the view holds: postings_pairs' first line names the choice.
func (px *postingsIndex) readPairs(ctx context.Context, db *DB, epoch int64) (*postings.Pairs, string, bool, error) {
	var now int64
	var head string
	if err := db.read.QueryRowContext(ctx, `SELECT postings_epoch, substr(postings_pairs, 1, 40) FROM search_state WHERE id = 1`).Scan(&now, &head); err != nil {
		return nil, "", false, fmt.Errorf("search: read the postings' pairs: %w", err)
	}
	key, _, _ := strings.Cut(head, "\n")
	px.mu.RLock()
	have, haveKey := px.pairs, px.pairsKey
	px.mu.RUnlock()
	if have != nil && key == haveKey {
		// Held since an earlier moment, and choices never come back:
		// the segments read since are of this choice's build.
		return have, key, true, nil
	}
	var text string
	if err := db.read.QueryRowContext(ctx, `SELECT postings_epoch, postings_pairs FROM search_state WHERE id = 1`).Scan(&now, &text); err != nil {
		return nil, "", false, fmt.Errorf("search: read the postings' pairs: %w", err)
	}
	pairs, key := parsePairs(text)
	return pairs, key, now == epoch, nil
}

// parsePairs reads postings_pairs: a first line naming the choice, then
// one pair per line.
func parsePairs(text string) (*postings.Pairs, string) {
	lines := strings.Split(text, "\n")
	return postings.NewPairs(lines[1:]), lines[0]
}

func (px *postingsIndex) loadSegmentsOnce(ctx context.Context, db *DB) error {
	// One statement, so that the list and the epoch are of one moment.
	rows, err := db.read.QueryContext(ctx, `SELECT st.postings_epoch, st.postings_upto, st.postings_version, s.id, s.block, s.upto, s.size, s.docs
		FROM search_state st LEFT JOIN search_segments s ON 1 = 1 WHERE st.id = 1 ORDER BY s.id`)
	if err != nil {
		return fmt.Errorf("search: read the postings' segments: %w", err)
	}
	defer rows.Close()
	var epoch, mark int64
	var version int
	segs := map[int64]*segmentInfo{}
	for rows.Next() {
		var id, block, upto, size sql.NullInt64
		var docs []byte
		if err := rows.Scan(&epoch, &mark, &version, &id, &block, &upto, &size, &docs); err != nil {
			return err
		}
		if version != postingsFormat {
			mark = -1
			break // another format's: not read
		}
		if !id.Valid {
			continue
		}
		set, err := postings.DecodeSet(docs)
		if err != nil {
			return fmt.Errorf("search: segment %d: %w", id.Int64, err)
		}
		segs[id.Int64] = &segmentInfo{part: postings.Part{Key: id.Int64, Upto: upto.Int64, Docs: set}, block: block.Int64, size: size.Int64}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if mark >= 0 {
		// The pairs change only with a new build, which moves the
		// epoch: read with the epoch, they are those of the segments.
		pairs, key, same, err := px.readPairs(ctx, db, epoch)
		if err != nil {
			return err
		}
		if !same {
			return errPostingsMoved
		}
		px.mu.Lock()
		// Batches made with other pairs post a pair differently (its
		// own, or its bucket): they go, and the feed is read again. (A
		// build's mark covers every batch made before it, and none is
		// made while it runs, so this is a guard, not a path.)
		rechosen := px.pairsKey != key
		px.pairs, px.pairsKey = pairs, key
		if rechosen {
			px.batches = nil
		}
		px.mu.Unlock()
	}
	px.mu.Lock()
	defer px.mu.Unlock()
	px.loaded, px.stale, px.epoch, px.mark, px.segments = true, false, epoch, mark, segs
	if mark < 0 {
		px.batches, px.tail, px.seq = nil, 0, 0
	} else {
		// Batches the segments now cover are dropped; the others stay,
		// after the segments.
		kept := px.batches[:0]
		px.tail = 0
		for _, b := range px.batches {
			if b.part.Upto > mark {
				kept = append(kept, b)
				px.tail += int(b.part.Docs.GetCardinality())
			}
		}
		px.batches = kept
		if len(kept) == 0 {
			px.seq = mark
		}
	}
	px.remask()
	return nil
}

// remask orders the parts, oldest first, and sets what each speaks for.
// The caller holds mu.
func (px *postingsIndex) remask() {
	parts := make([]*postings.Part, 0, len(px.segments)+len(px.batches))
	for _, s := range px.segments {
		parts = append(parts, &s.part)
	}
	slices.SortFunc(parts, func(a, b *postings.Part) int {
		if a.Upto != b.Upto {
			return compareInt64(a.Upto, b.Upto)
		}
		return compareInt64(a.Key, b.Key)
	})
	for _, b := range px.batches {
		parts = append(parts, &b.part)
	}
	postings.Mask(parts)
	px.parts = parts
	px.gen++
}

// postingsCacheBytes bounds the cache of looked-up postings by default.
const postingsCacheBytes = 16 << 20

// cached returns the tokens' postings the cache holds (its map is the
// caller's), the tokens it does not, and the view's generation.
func (px *postingsIndex) cached(tokens []string) (map[string]*postings.Fields, []string, uint64) {
	px.mu.RLock()
	defer px.mu.RUnlock()
	out := make(map[string]*postings.Fields, len(tokens))
	if px.cacheGen != px.gen || px.cache == nil {
		return out, tokens, px.gen
	}
	var missing []string
	for _, t := range tokens {
		if f, ok := px.cache[t]; ok {
			if f != nil {
				out[t] = f
			}
		} else {
			missing = append(missing, t)
		}
	}
	return out, missing, px.gen
}

// remember keeps the postings of tokens (absent from found: none) looked
// up at generation gen, unless the view moved on since.
func (px *postingsIndex) remember(gen uint64, tokens []string, found map[string]*postings.Fields) {
	px.mu.Lock()
	defer px.mu.Unlock()
	limit := px.cacheLimit
	if limit == 0 {
		limit = postingsCacheBytes
	}
	if limit < 0 || gen != px.gen {
		return
	}
	if px.cacheGen != gen || px.cache == nil {
		px.cache, px.cacheGen, px.cacheBytes, px.cacheOrder = map[string]*postings.Fields{}, gen, 0, nil
	}
	for _, t := range tokens {
		if _, ok := px.cache[t]; ok {
			continue
		}
		f := found[t]
		size := cachedSize(t, f)
		if size > limit/4 {
			continue // one would push out most others
		}
		for px.cacheBytes+size > limit && len(px.cacheOrder) > 0 {
			old := px.cacheOrder[0]
			px.cacheOrder = px.cacheOrder[1:]
			px.cacheBytes -= cachedSize(old, px.cache[old])
			delete(px.cache, old)
		}
		px.cache[t] = f
		px.cacheOrder = append(px.cacheOrder, t)
		px.cacheBytes += size
	}
}

func cachedSize(t string, f *postings.Fields) int {
	size := len(t) + 64
	if f != nil {
		for _, b := range f {
			if b != nil {
				size += int(b.GetSizeInBytes())
			}
		}
	}
	return size
}

// setPostingsCache bounds the cache of looked-up postings (bytes), or
// switches it off (negative).
func (db *DB) setPostingsCache(bytes int) {
	px := db.postings()
	px.mu.Lock()
	defer px.mu.Unlock()
	px.cacheLimit, px.cache, px.cacheBytes, px.cacheOrder = bytes, nil, 0, nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lookup returns the postings of tokens, every segment's and batch's
// masked and joined. A token no update holds is absent from the map.
func (px *postingsIndex) lookup(ctx context.Context, db *DB, tokens []string) (map[string]*postings.Fields, error) {
	out, missing, gen := px.cached(tokens)
	if len(missing) == 0 {
		return out, nil
	}
	for attempt := 0; ; attempt++ {
		found, err := px.lookupOnce(ctx, db, missing)
		if err == nil {
			px.remember(gen, missing, found)
			for t, f := range found {
				out[t] = f
			}
			return out, nil
		}
		if !errors.Is(err, errPostingsMoved) || attempt == 3 {
			return nil, err
		}
		px.refresh.Lock()
		err = px.loadSegments(ctx, db)
		px.refresh.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

func (px *postingsIndex) lookupOnce(ctx context.Context, db *DB, tokens []string) (map[string]*postings.Fields, error) {
	out := map[string]*postings.Fields{}
	if len(tokens) == 0 {
		return out, nil
	}
	args := make([]any, len(tokens))
	for i, t := range tokens {
		args[i] = t
	}
	// The epoch in the same statement: the rows and the epoch are of one
	// moment, so rows of segments a merge replaced are never missed.
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(`SELECT NULL, postings_epoch, NULL FROM search_state WHERE id = 1
		UNION ALL SELECT token, segment, bits FROM search_postings WHERE token IN (`+placeholders(len(tokens))+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("search: read postings: %w", err)
	}
	defer rows.Close()
	px.mu.RLock()
	defer px.mu.RUnlock()
	for rows.Next() {
		var token sql.NullString
		var seg int64
		var bits []byte
		if err := rows.Scan(&token, &seg, &bits); err != nil {
			return nil, err
		}
		if !token.Valid {
			if seg != px.epoch {
				return nil, errPostingsMoved
			}
			continue
		}
		s := px.segments[seg]
		if s == nil {
			return nil, errPostingsMoved
		}
		f, err := postings.Decode(bits)
		if err != nil {
			return nil, fmt.Errorf("search: postings of %q in segment %d: %w", token.String, seg, err)
		}
		acc := out[token.String]
		if acc == nil {
			acc = &postings.Fields{}
			out[token.String] = acc
		}
		acc.OrMasked(f, s.part.Live)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, b := range px.batches {
		for _, t := range tokens {
			if f := b.post[t]; f != nil {
				acc := out[t]
				if acc == nil {
					acc = &postings.Fields{}
					out[t] = acc
				}
				acc.OrMasked(f, b.part.Live)
			}
		}
	}
	for t, f := range out {
		if f.Empty() {
			delete(out, t)
		}
	}
	return out, nil
}

// readSearchDocs calls fn with each published update of the id ranges,
// with the text the index holds (title, summary, body, translations,
// language), in id order.
func readSearchDocs(ctx context.Context, db *DB, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, ranges []civicmon.IDRange, fn func(id int64, u *civicmon.Update)) error {
	for _, r := range ranges {
		after := r.First - 1
		for {
			rows, err := q.QueryContext(ctx, db.dialect.rebind(`SELECT id, title, summary, body, translations, language FROM updates
				WHERE status = 'published' AND id > ? AND id <= ? ORDER BY id LIMIT 2000`), after, r.Last)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				var u civicmon.Update
				if err := scanIndexedText(rows, &u); err != nil {
					rows.Close()
					return err
				}
				fn(u.ID, &u)
				after = u.ID
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if n == 0 || after >= r.Last {
				break
			}
		}
	}
	return nil
}

// FlushPostings writes the changes the segments do not cover yet as new
// segments, one per block of ids, and merges a block's newest segments
// when they have grown to the size of the one before (so a block keeps a
// few segments, each about twice the next). On a database whose postings
// were never built, it builds them from every update, block by block.
// progress, when set, is told the blocks done and their number. It
// returns when there is nothing left to do, or with errPostingsMoved's
// message when another process flushed meanwhile (harmless: it did the
// work).
func (s *Store) FlushPostings(ctx context.Context, progress func(done, total int)) error {
	// First the engine's index: the updates imports left to after their
	// commit (search_deferred.go).
	if _, err := s.IndexDeferred(ctx, nil); err != nil {
		return err
	}
	st, err := readPostingsState(ctx, s.db.read)
	if err != nil {
		return fmt.Errorf("search: read the postings' state: %w", err)
	}
	px := s.db.postings()
	defer func() {
		px.mu.Lock()
		px.stale = true
		px.mu.Unlock()
	}()
	if !st.current {
		// Written by another version: emptied, to be built again.
		err := s.writeQuiet(ctx, func(tx *Store) error {
			if err := tx.movePostingsEpoch(ctx, st.epoch, -1); err != nil {
				return err
			}
			if err := tx.clearPostings(ctx); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE search_state SET postings_version = ? WHERE id = 1`), postingsFormat)
			return err
		})
		if err != nil {
			return err
		}
		if st, err = readPostingsState(ctx, s.db.read); err != nil {
			return err
		}
	}
	if st.mark >= 0 {
		grown, err := s.postingsOutgrown(ctx)
		if err != nil {
			return err
		}
		if grown {
			// Built again, pairs chosen anew; searches ask the engine
			// meanwhile.
			err := s.writeQuiet(ctx, func(tx *Store) error {
				if err := tx.movePostingsEpoch(ctx, st.epoch, -1); err != nil {
					return err
				}
				return tx.clearPostings(ctx)
			})
			if err != nil {
				return err
			}
			if st, err = readPostingsState(ctx, s.db.read); err != nil {
				return err
			}
		}
	}
	if st.mark < 0 {
		return s.buildPostings(ctx, st, progress)
	}
	if st.seq <= st.mark {
		return nil
	}
	pairs, _, same, err := px.readPairs(ctx, s.db, st.epoch)
	if err != nil {
		return err
	}
	if !same {
		return errPostingsMoved
	}
	ranges, err := s.ChangedUpdates(ctx, st.mark, st.seq)
	if err != nil {
		return err
	}
	// Split the ranges by block.
	byBlock := map[int64][]civicmon.IDRange{}
	var blocks []int64
	for _, r := range ranges {
		for first := r.First; first <= r.Last; {
			b := first >> postingsBlockBits
			last := min(r.Last, (b+1)<<postingsBlockBits-1)
			if _, ok := byBlock[b]; !ok {
				blocks = append(blocks, b)
			}
			byBlock[b] = append(byBlock[b], civicmon.IDRange{First: first, Last: last})
			first = last + 1
		}
	}
	slices.Sort(blocks)
	epoch := st.epoch
	if len(blocks) == 0 {
		return s.writeQuiet(ctx, func(tx *Store) error { return tx.movePostingsEpoch(ctx, epoch, st.seq) })
	}
	for i, b := range blocks {
		upto := st.mark // the mark moves with the last block's segment
		if i == len(blocks)-1 {
			upto = st.seq
		}
		if epoch, err = s.writeSegment(ctx, epoch, b, byBlock[b], st.seq, upto, pairs); err != nil {
			return err
		}
		if epoch, err = s.mergeBlock(ctx, epoch, b); err != nil {
			return err
		}
		if progress != nil {
			progress(i+1, len(blocks))
		}
	}
	return nil
}

// buildPostings builds the segments from every update (postings_upto is
// -1): one segment per block, covering the feed up to st.seq. A build cut
// short resumes after the last block written; the mark it leaves is the
// oldest of its segments' entries, so that the next flush covers what
// changed while it ran.
func (s *Store) buildPostings(ctx context.Context, st postingsState, progress func(done, total int)) error {
	var lo, hi sql.NullInt64
	if err := s.db.read.QueryRowContext(ctx, `SELECT MIN(id), MAX(id) FROM updates`).Scan(&lo, &hi); err != nil {
		return err
	}
	var done sql.NullInt64
	var oldest sql.NullInt64
	if err := s.db.read.QueryRowContext(ctx, `SELECT MAX(block), MIN(upto) FROM search_segments`).Scan(&done, &oldest); err != nil {
		return err
	}
	epoch := st.epoch
	var pairs *postings.Pairs
	if done.Valid {
		// Resumed: with the pairs it chose.
		var same bool
		var err error
		if pairs, _, same, err = s.db.postings().readPairs(ctx, s.db, epoch); err != nil {
			return err
		}
		if !same {
			return errPostingsMoved
		}
	} else {
		var err error
		if pairs, epoch, err = s.choosePairs(ctx, epoch, lo, hi); err != nil {
			return err
		}
	}
	if lo.Valid {
		if hi.Int64 > math.MaxUint32 || lo.Int64 < 0 {
			return fmt.Errorf("search: update ids %d to %d are beyond the postings' range (0 to %d)", lo.Int64, hi.Int64, uint32(math.MaxUint32))
		}
		first, last := lo.Int64>>postingsBlockBits, hi.Int64>>postingsBlockBits
		if done.Valid {
			first = max(first, done.Int64+1)
		}
		total := int(last - lo.Int64>>postingsBlockBits + 1)
		for b := first; b <= last; b++ {
			r := civicmon.IDRange{First: b << postingsBlockBits, Last: (b+1)<<postingsBlockBits - 1}
			var err error
			if epoch, err = s.writeSegment(ctx, epoch, b, []civicmon.IDRange{r}, st.seq, -1, pairs); err != nil {
				return err
			}
			if progress != nil {
				progress(int(b-lo.Int64>>postingsBlockBits+1), total)
			}
		}
	}
	mark := st.seq
	if oldest.Valid {
		mark = min(mark, oldest.Int64)
	}
	err := s.writeQuiet(ctx, func(tx *Store) error {
		if err := tx.movePostingsEpoch(ctx, epoch, mark); err != nil {
			return err
		}
		// The planner's figures of the table are of before the build: on
		// PostgreSQL, until autovacuum came by, a typo's lookup of its
		// 600 neighbours scanned the whole table (40 ms, not 2).
		_, err := tx.tx.ExecContext(ctx, `ANALYZE search_postings`)
		return err
	})
	if err != nil {
		return fmt.Errorf("search: finish building the postings: %w", err)
	}
	return nil
}

// popularPairDocs is how many updates must hold a pair of words, by
// default, for it to have postings of its own (postings.Pairs): fewer, and
// a phrase of it is answered by reading the updates its words' and its
// bucket's postings leave (at most phraseCheckMax).
const popularPairDocs = 500

// SetPopularPairs sets how many updates must hold a pair of words for it
// to be popular, from the next build of the postings (tests: 1 makes
// every pair popular, a large number none).
func (db *DB) SetPopularPairs(docs int) {
	px := db.postings()
	px.mu.Lock()
	defer px.mu.Unlock()
	px.popular = docs
}

// The sample the popular pairs are chosen from: pairSampleChunks runs of
// consecutive updates spread over the ids, pairSampleDocs in all.
const (
	pairSampleDocs   = 16384
	pairSampleChunks = 64
	maxPopularPairs  = 200_000
)

// choosePairs chooses the popular pairs of a new build (no segment yet)
// from a sample of the updates with ids lo to hi (invalid: none) and
// stores them, moving the epoch on from epoch; it returns them and the
// new epoch.
func (s *Store) choosePairs(ctx context.Context, epoch int64, lo, hi sql.NullInt64) (*postings.Pairs, int64, error) {
	var list []string
	if lo.Valid {
		var published int64
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM updates WHERE status = 'published'`).Scan(&published); err != nil {
			return nil, 0, err
		}
		span := hi.Int64 - lo.Int64 + 1
		ranges := []civicmon.IDRange{{First: lo.Int64, Last: hi.Int64}}
		sample := published
		if span > pairSampleDocs {
			ranges = ranges[:0]
			step, run := span/pairSampleChunks, int64(pairSampleDocs/pairSampleChunks)
			for i := range int64(pairSampleChunks) {
				first := lo.Int64 + i*step
				ranges = append(ranges, civicmon.IDRange{First: first, Last: first + run - 1})
			}
			sample = min(published, pairSampleDocs)
		}
		s.db.postings().mu.RLock()
		popular := s.db.postings().popular
		s.db.postings().mu.RUnlock()
		if popular <= 0 {
			popular = popularPairDocs
		}
		// The sample's share of the threshold; at least 2, so that one
		// update's chance pairs are not taken for popular ones.
		need := popular
		if published > sample && sample > 0 {
			need = max(2, int((int64(popular)*sample+published-1)/published))
		}
		count := postings.NewPairCounter(need)
		err := readSearchDocs(ctx, s.db, s.db.read, ranges, func(_ int64, u *civicmon.Update) {
			d := searchDoc(u)
			count.Add(d.Title, d.Summary, d.Body)
		})
		if err != nil {
			return nil, 0, fmt.Errorf("search: read a sample of the updates to choose the popular pairs of words: %w", err)
		}
		list = count.Popular(maxPopularPairs)
	}
	text := "#" + strconv.FormatInt(epoch+1, 10) + "\n" + strings.Join(list, "\n")
	err := s.writeQuiet(ctx, func(tx *Store) error {
		if err := tx.movePostingsEpoch(ctx, epoch, -1); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE search_state SET postings_pairs = ?, postings_pairs_base = ? WHERE id = 1`), text, hi.Int64)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	pairs, _ := parsePairs(text)
	return pairs, epoch + 1, nil
}

// The postings are built again, their pairs chosen anew, when the highest
// update id is more than postingsGrowth times what it was when they were
// chosen, and more than postingsGrowth × minPairsBase.
const (
	postingsGrowth = 4
	minPairsBase   = 12_500
)

// postingsOutgrown reports whether the archive has outgrown the popular
// pairs' sample.
func (s *Store) postingsOutgrown(ctx context.Context) (bool, error) {
	var base, top int64
	err := s.db.read.QueryRowContext(ctx, `SELECT postings_pairs_base, (SELECT COALESCE(MAX(id), 0) FROM updates) FROM search_state WHERE id = 1`).Scan(&base, &top)
	if err != nil {
		return false, fmt.Errorf("search: read the postings' state: %w", err)
	}
	return top > postingsGrowth*max(base, minPairsBase), nil
}

// movePostingsEpoch moves the epoch on from epoch and sets the mark,
// inside tx; errPostingsMoved when the epoch is not epoch any more.
func (tx *Store) movePostingsEpoch(ctx context.Context, epoch, mark int64) error {
	res, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE search_state SET postings_epoch = postings_epoch + 1, postings_upto = ?
		WHERE id = 1 AND postings_epoch = ?`), mark, epoch)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errPostingsMoved
	}
	return nil
}

// writeSegment analyses the updates of ranges (all in block b) as they
// are now and stores them as a new segment of b that speaks for every id
// of the ranges (those no longer published have no postings in it, which
// hides them in older segments), covering the feed up to seq, with the
// popular pairs of the build. mark is the postings_upto the transaction
// leaves (-1: unchanged from a build). It returns the new epoch.
func (s *Store) writeSegment(ctx context.Context, epoch, b int64, ranges []civicmon.IDRange, seq, mark int64, pairs *postings.Pairs) (int64, error) {
	docs := roaring.New()
	for _, r := range ranges {
		docs.AddRange(uint64(r.First), uint64(r.Last)+1)
	}
	post, published, err := buildBlock(ctx, s.db, ranges, pairs)
	if err != nil {
		return 0, fmt.Errorf("search: read block %d's updates: %w", b, err)
	}
	if mark < 0 {
		// A build: the segment speaks for the published updates only.
		docs = published
		if docs.IsEmpty() {
			return epoch, nil
		}
	}
	err = s.writeQuiet(ctx, func(tx *Store) error {
		return tx.insertSegment(ctx, epoch, b, seq, docs, post, mark, nil)
	})
	if err != nil {
		return 0, err
	}
	return epoch + 1, nil
}

// buildBlock reads and analyses the published updates of ranges and
// gathers their postings, with pairs. Reading and analysing run beside
// the gathering, which is as costly (the pairs' tokens): two processors
// build a block in a little over half the time.
func buildBlock(ctx context.Context, db *DB, ranges []civicmon.IDRange, pairs *postings.Pairs) (postings.Postings, *roaring.Bitmap, error) {
	type analysed struct {
		id  uint32
		doc search.Doc
	}
	docs := make(chan []analysed, 4)
	build := postings.Builder{Pairs: pairs}
	published := roaring.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for batch := range docs {
			for _, d := range batch {
				build.Add(d.id, d.doc.Title, d.doc.Summary, d.doc.Body)
				published.Add(d.id)
			}
		}
	}()
	batch := make([]analysed, 0, 256)
	err := readSearchDocs(ctx, db, db.read, ranges, func(id int64, u *civicmon.Update) {
		batch = append(batch, analysed{uint32(id), searchDoc(u)})
		if len(batch) == cap(batch) {
			docs <- batch
			batch = make([]analysed, 0, 256)
		}
	})
	if len(batch) > 0 {
		docs <- batch
	}
	close(docs)
	<-done
	if err != nil {
		return nil, nil, err
	}
	return build.Postings(), published, nil
}

// insertSegment stores a segment and its postings, and replaces the
// segments of drop, inside tx, moving the epoch on from epoch.
func (tx *Store) insertSegment(ctx context.Context, epoch, block, upto int64, docs *roaring.Bitmap, post postings.Postings, mark int64, drop []int64) error {
	if mark < 0 {
		if err := tx.tx.QueryRowContext(ctx, `SELECT postings_upto FROM search_state WHERE id = 1`).Scan(&mark); err != nil {
			return err
		}
	}
	if err := tx.movePostingsEpoch(ctx, epoch, mark); err != nil {
		return err
	}
	set, err := postings.EncodeSet(docs)
	if err != nil {
		return err
	}
	var id int64
	if err := tx.tx.QueryRowContext(ctx, tx.q(`INSERT INTO search_segments (block, upto, size, docs) VALUES (?, ?, ?, ?) RETURNING id`),
		block, upto, int64(docs.GetCardinality()), set).Scan(&id); err != nil {
		return fmt.Errorf("search: store a segment of block %d: %w", block, err)
	}
	tokens := make([]string, 0, len(post))
	for t := range post {
		tokens = append(tokens, t)
	}
	slices.Sort(tokens) // in key order: fewer page splits
	ins := tx.newBulkInsert(`INSERT INTO search_postings (token, segment, bits) VALUES `, 3, postingsInsertRows)
	defer ins.Close()
	args := make([]any, 0, 3*postingsInsertRows)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		if _, err := ins.exec(ctx, n, args); err != nil {
			return fmt.Errorf("search: store the postings of block %d: %w", block, err)
		}
		args, n = args[:0], 0
		return nil
	}
	for _, t := range tokens {
		bits, err := postings.Encode(post[t])
		if err != nil {
			return err
		}
		args = append(args, t, id, bits)
		if n++; n == postingsInsertRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, d := range drop {
		if _, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM search_postings WHERE segment = ?`), d); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM search_segments WHERE id = ?`), d); err != nil {
			return err
		}
	}
	return nil
}

// mergeBlock merges block b's two newest segments while the older is no
// more than twice the newer, and returns the epoch it leaves.
func (s *Store) mergeBlock(ctx context.Context, epoch, b int64) (int64, error) {
	for {
		type seg struct {
			id, upto, size int64
			docs           *roaring.Bitmap
		}
		rows, err := s.db.read.QueryContext(ctx, s.q(`SELECT id, upto, size, docs FROM search_segments WHERE block = ? ORDER BY upto, id`), b)
		if err != nil {
			return 0, err
		}
		var segs []seg
		for rows.Next() {
			var sg seg
			var docs []byte
			if err := rows.Scan(&sg.id, &sg.upto, &sg.size, &docs); err != nil {
				rows.Close()
				return 0, err
			}
			if sg.docs, err = postings.DecodeSet(docs); err != nil {
				rows.Close()
				return 0, fmt.Errorf("search: segment %d: %w", sg.id, err)
			}
			segs = append(segs, sg)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		n := len(segs)
		if n < 2 || segs[n-2].size > 2*segs[n-1].size {
			return epoch, nil
		}
		older, newer := segs[n-2], segs[n-1]
		keep := roaring.AndNot(older.docs, newer.docs)
		merged := postings.Postings{}
		prow, err := s.db.read.QueryContext(ctx, s.q(`SELECT token, segment, bits FROM search_postings WHERE segment IN (?, ?)`), older.id, newer.id)
		if err != nil {
			return 0, err
		}
		for prow.Next() {
			var token string
			var seg int64
			var bits []byte
			if err := prow.Scan(&token, &seg, &bits); err != nil {
				prow.Close()
				return 0, err
			}
			f, err := postings.Decode(bits)
			if err != nil {
				prow.Close()
				return 0, fmt.Errorf("search: postings of %q in segment %d: %w", token, seg, err)
			}
			acc := merged[token]
			if acc == nil {
				acc = &postings.Fields{}
				merged[token] = acc
			}
			if seg == older.id {
				acc.OrMasked(f, keep)
			} else {
				acc.Or(f)
			}
		}
		prow.Close()
		if err := prow.Err(); err != nil {
			return 0, err
		}
		for t, f := range merged {
			if f.Empty() {
				delete(merged, t)
			}
		}
		merged.Optimize()
		docs := roaring.Or(older.docs, newer.docs)
		err = s.writeQuiet(ctx, func(tx *Store) error {
			return tx.insertSegment(ctx, epoch, b, newer.upto, docs, merged, -1, []int64{older.id, newer.id})
		})
		if err != nil {
			return 0, err
		}
		epoch++
	}
}

// ClearPostings empties the postings, inside a write transaction, for a
// rebuild from every update (Reindex).
func (tx *Store) clearPostings(ctx context.Context) error {
	for _, q := range []string{`DELETE FROM search_postings`, `DELETE FROM search_segments`,
		`UPDATE search_state SET postings_upto = -1, postings_epoch = postings_epoch + 1 WHERE id = 1`} {
		if _, err := tx.tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// KeepPostingsFlushed runs FlushPostings every interval until ctx ends,
// logging a build's progress and any failure (and trying again at the
// next tick): the server's background flusher.
func (s *Store) KeepPostingsFlushed(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		last := time.Now()
		err := s.FlushPostings(ctx, func(done, total int) {
			if time.Since(last) > 5*time.Second || done == total {
				log.Info("search postings: blocks written", "done", done, "of", total)
				last = time.Now()
			}
		})
		if err != nil && !errors.Is(err, errPostingsMoved) && ctx.Err() == nil {
			log.Error("search postings: flush failed; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PostingsReady reports whether searches match text with the postings:
// they are built, and cover all but a short tail of the change feed.
func (s *Store) PostingsReady(ctx context.Context) (bool, error) {
	return s.db.postings().usable(ctx, s.db)
}

// searchViewsStale makes the facet index and the postings look at the
// database before the next search.
func (db *DB) searchViewsStale() {
	ix := db.facets()
	ix.mu.Lock()
	ix.checked = time.Time{}
	ix.mu.Unlock()
	px := db.postings()
	px.mu.Lock()
	px.stale = true
	px.mu.Unlock()
}
