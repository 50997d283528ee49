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
)

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

// Add records that update id holds the tokens of an analysed document's
// fields (tokens separated by single spaces, as search.Doc has them).
func (p Postings) Add(id uint32, title, summary, body string) {
	for field, text := range [NumFields]string{title, summary, body} {
		for tok := range strings.FieldsSeq(text) {
			f := p[tok]
			if f == nil {
				f = &Fields{}
				p[tok] = f
			}
			if f[field] == nil {
				f[field] = roaring.New()
			}
			f[field].Add(id)
		}
	}
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
