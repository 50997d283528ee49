// Package postings is civicmon's own inverted index of the published
// updates' analysed text: per token, the set of updates that hold it in
// the title, in the summary and in the body, as Roaring bitmaps of update
// ids. It is the pure part — building, encoding, merging and reading
// postings, and the order in which parts of the index mask each other —
// with no SQL: package sqldb stores the parts (segments) in the database
// and keeps the newest changes in memory. See docs/architecture.md,
// "Search: postings of our own".
//
// Why an index of our own beside the engine's (FTS5, tsvector): a search
// needs every match of a word for the exact total and facet counts, and
// the engines list matches at 65 ns (FTS5) to microseconds (a GIN lookup
// that reads each row) apiece; a Roaring bitmap of a word in half of a
// million updates is 16 containers, ORed and ANDed in microseconds.
package postings

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/civicmon/civicmon/search"
)

// Version is the format of the postings sqldb writes: a database whose
// postings are of another is built again. 3: words and the analysis'
// tokens, no pairs; 4: and pairs of words, popular ones apart, the others
// in buckets (see Pairs).
const Version = 4

// The fields of a document, as search.Doc holds them.
const (
	Title = iota
	Summary
	Body
	NumFields
)

// Fields is one token's postings: per field the updates that hold it.
// A nil bitmap is empty.
type Fields [NumFields]*roaring.Bitmap

// Any returns the updates that hold the token in any field, a new bitmap.
func (f *Fields) Any() *roaring.Bitmap {
	out := roaring.New()
	for _, b := range f {
		if b != nil {
			out.Or(b)
		}
	}
	return out
}

// Or adds o's postings to f.
func (f *Fields) Or(o *Fields) {
	for i, b := range o {
		if b == nil || b.IsEmpty() {
			continue
		}
		if f[i] == nil {
			f[i] = b.Clone()
		} else {
			f[i].Or(b)
		}
	}
}

// OrMasked adds the postings of o that live holds.
func (f *Fields) OrMasked(o *Fields, live *roaring.Bitmap) {
	for i, b := range o {
		if b == nil || b.IsEmpty() {
			continue
		}
		m := roaring.And(b, live)
		if m.IsEmpty() {
			continue
		}
		if f[i] == nil {
			f[i] = m
		} else {
			f[i].Or(m)
		}
	}
}

// Empty reports whether no field holds an update.
func (f *Fields) Empty() bool {
	for _, b := range f {
		if b != nil && !b.IsEmpty() {
			return false
		}
	}
	return true
}

// Postings maps tokens to their postings.
type Postings map[string]*Fields

// Builder gathers postings from documents, quickly: a block of 65,536
// updates makes tens of millions of postings, which a map of bitmaps
// updated one posting at a time took minutes to take in (a string per
// pair of words, a sorted insert per posting, and the collector scanning
// it all). Tokens are numbered once, each pair looked up without making
// its string, and each token's updates gathered in a plain slice, added
// to its bitmap 256 at a time (4,096 held 50 MB more of slices a block,
// with the pairs' 170,000 tokens, for no gain in speed).
type Builder struct {
	// Pairs, when set, are the popular pairs of words: each pair of
	// words next to each other is posted too, under its own token when
	// popular and its bucket's otherwise (see Pairs). Nil: words only.
	Pairs *Pairs

	number  map[string]int32
	popular map[uint64]int32 // a popular pair's token, by its words' numbers
	buckets []int32          // a bucket's token, plus one (0: none yet)
	tokens  []string
	state   []tokenState
	words   []wordInfo
}

type tokenState struct {
	pending [NumFields][]uint32
	last    [NumFields]uint32 // the update last gathered, plus one
	bits    [NumFields]*roaring.Bitmap
}

// wordInfo is what pairs need of a token, worked out once.
type wordInfo struct {
	hash uint64 // wordHash
	pair int32  // its number among the popular pairs' words, or -1
}

// builderFlush is how many updates a token gathers before they go into
// its bitmap.
const builderFlush = 256

// Add records that update id holds the tokens of an analysed document's
// fields (tokens separated by single spaces, as search.Doc has them), and
// with Pairs each pair of words next to each other. The tokens the
// analysis adds (stems, name keys: marked, see search.StemMark) follow a
// field's words and make no pairs.
func (b *Builder) Add(id uint32, title, summary, body string) {
	if b.number == nil {
		b.number, b.popular = map[string]int32{}, map[uint64]int32{}
		if b.Pairs != nil {
			b.buckets = make([]int32, PairBuckets)
		}
	}
	for field, text := range [NumFields]string{title, summary, body} {
		prev := int32(-1)
		for tok := range strings.FieldsSeq(text) {
			n := b.numberOf(tok)
			b.add(n, field, id)
			if b.Pairs == nil {
				continue
			}
			if marked(tok) {
				prev = -1
				continue
			}
			if prev >= 0 {
				b.add(b.pairToken(prev, n), field, id)
			}
			prev = n
		}
	}
}

// pairToken returns the number of the token the pair of words a, b (by
// their numbers) is posted under.
func (b *Builder) pairToken(a, n int32) int32 {
	wa, wn := b.words[a], b.words[n]
	if wa.pair >= 0 && wn.pair >= 0 && b.Pairs.hasNumbers(wa.pair, wn.pair) {
		key := uint64(a)<<32 | uint64(n)
		pn, ok := b.popular[key]
		if !ok {
			pn = b.newToken(Pair(b.tokens[a], b.tokens[n]), false)
			b.popular[key] = pn
		}
		return pn
	}
	k := pairBucket(wa.hash, wn.hash)
	if b.buckets[k] == 0 {
		b.buckets[k] = b.newToken(bucketToken(k), false) + 1
	}
	return b.buckets[k] - 1
}

func (b *Builder) numberOf(tok string) int32 {
	if n, ok := b.number[tok]; ok {
		return n
	}
	tok = strings.Clone(tok)
	n := b.newToken(tok, true)
	if b.Pairs != nil {
		b.words[n] = wordInfo{hash: wordHash(tok), pair: b.Pairs.wordNumber(tok)}
	}
	return n
}

// newToken numbers a token; a word's number is found by its string (a
// pair's by its words': keeping the 170,000 pairs of a block out of
// number keeps that map, asked for every word, in the processor's cache).
func (b *Builder) newToken(tok string, word bool) int32 {
	n := int32(len(b.tokens))
	if word {
		b.number[tok] = n
	}
	b.tokens = append(b.tokens, tok)
	b.state = append(b.state, tokenState{})
	if b.Pairs != nil {
		b.words = append(b.words, wordInfo{pair: -1})
	}
	return n
}

func (b *Builder) add(n int32, field int, id uint32) {
	st := &b.state[n]
	if st.last[field] == id+1 {
		return
	}
	st.last[field] = id + 1
	st.pending[field] = append(st.pending[field], id)
	if len(st.pending[field]) == builderFlush {
		b.flush(st, field)
	}
}

func (b *Builder) flush(st *tokenState, field int) {
	if len(st.pending[field]) == 0 {
		return
	}
	if st.bits[field] == nil {
		st.bits[field] = roaring.New()
	}
	st.bits[field].AddMany(st.pending[field])
	// Let go, not kept for reuse: 170,000 tokens × 3 fields of kept
	// buffers were most of a block's memory.
	st.pending[field] = nil
}

// Postings returns what was gathered, run-optimised, and empties b (but
// for its Pairs).
func (b *Builder) Postings() Postings {
	out := make(Postings, len(b.tokens))
	for n, tok := range b.tokens {
		st := &b.state[n]
		f := &Fields{}
		for field := range NumFields {
			b.flush(st, field)
			if st.bits[field] != nil {
				st.bits[field].RunOptimize()
				f[field] = st.bits[field]
			}
		}
		out[tok] = f
	}
	*b = Builder{Pairs: b.Pairs}
	return out
}

// Add records one document, as a Builder with no popular pairs does
// (for tests).
func (p Postings) Add(id uint32, title, summary, body string) {
	b := Builder{Pairs: NewPairs(nil)}
	b.Add(id, title, summary, body)
	for tok, f := range b.Postings() {
		if have := p[tok]; have != nil {
			have.Or(f)
		} else {
			p[tok] = f
		}
	}
}

// marked reports whether tok is one the analysis added (search.StemMark,
// search.NameMark), which no word starts with.
func marked(tok string) bool {
	return strings.HasPrefix(tok, search.StemMark) || strings.HasPrefix(tok, search.NameMark)
}

// Optimize compresses runs in every bitmap, before they are stored.
func (p Postings) Optimize() {
	for _, f := range p {
		for _, b := range f {
			if b != nil {
				b.RunOptimize()
			}
		}
	}
}

// ErrCorrupt is returned for a stored value that is not a valid encoding.
var ErrCorrupt = errors.New("postings: corrupt encoding")

// Encode serialises f: per field the length of its Roaring serialisation
// (0 when empty) as a uvarint, then the serialisation.
func Encode(f *Fields) ([]byte, error) {
	var out []byte
	for _, b := range f {
		if b == nil || b.IsEmpty() {
			out = binary.AppendUvarint(out, 0)
			continue
		}
		data, err := b.ToBytes()
		if err != nil {
			return nil, err
		}
		out = binary.AppendUvarint(out, uint64(len(data)))
		out = append(out, data...)
	}
	return out, nil
}

// Decode reads an encoding of Encode. The bitmaps do not share data with
// it.
func Decode(data []byte) (*Fields, error) {
	f := &Fields{}
	for i := range f {
		n, w := binary.Uvarint(data)
		if w <= 0 || uint64(len(data)-w) < n {
			return nil, ErrCorrupt
		}
		data = data[w:]
		if n == 0 {
			continue
		}
		b := roaring.New()
		if err := b.UnmarshalBinary(data[:n]); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		f[i] = b
		data = data[n:]
	}
	if len(data) != 0 {
		return nil, ErrCorrupt
	}
	return f, nil
}

// EncodeSet and DecodeSet store a bitmap of updates (a segment's).
func EncodeSet(b *roaring.Bitmap) ([]byte, error) {
	b.RunOptimize()
	return b.ToBytes()
}

func DecodeSet(data []byte) (*roaring.Bitmap, error) {
	b := roaring.New()
	if err := b.UnmarshalBinary(data); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return b, nil
}

// Part is one part of the index as the reader sees it: a segment stored in
// the database, or a batch of the newest changes held in memory. It speaks
// for the updates of Docs — those it holds postings for, and those it
// knows were unpublished or deleted — as they were when it was built.
type Part struct {
	Key  int64           // the segment's id, or negative for a batch
	Upto int64           // the change feed's entry it covers up to
	Docs *roaring.Bitmap // the updates it speaks for
	Live *roaring.Bitmap // those of Docs no newer part speaks for
}

// Mask sets each part's Live: a part speaks for an update unless a newer
// part (later in parts, which is ordered oldest first) does.
func Mask(parts []*Part) {
	seen := roaring.New()
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		p.Live = roaring.AndNot(p.Docs, seen)
		seen.Or(p.Docs)
	}
}
