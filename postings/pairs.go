package postings

// Pairs of words, for phrases. A phrase is its words next to each other;
// the postings say which updates hold each word, not where. An index of
// every pair of neighbouring words would answer a phrase of two words
// exactly, but its size is that of the text (a block of 65,536 synthetic
// updates holds 3.5 million distinct pairs and 28 million occurrences).
// Two kinds of pair postings keep most of the answer for less:
//
//   - A popular pair — one that many updates hold, chosen from a sample
//     when the postings are built (PairCounter) — has postings of its own
//     (token "a b"): a phrase of two words that is a popular pair is its
//     postings, exactly. These are the phrases whose answer is too large
//     to check update by update.
//   - Every other pair is posted to one of PairBuckets buckets, by a hash
//     of its words: a bucket's updates hold at least one of its pairs. A
//     phrase of two words that is not a popular pair has a small answer
//     (it was not popular), and its words' postings joined with its
//     bucket's leave that answer and a few others, which the reader checks
//     by reading them.
//
// A longer phrase is narrowed by each of its pairs and then checked (an
// update may hold "a b" and "b c" apart). Which pairs are popular changes
// how much is checked, never the answer.

import (
	"slices"
	"strconv"
	"strings"
)

// PairBuckets is how many buckets the pairs that are not popular are
// posted to: in a block of 65,536 updates about 10 million postings of
// rare pairs, some 160 per bucket, so an update is in a given bucket with
// a chance of about 0.25%.
const PairBuckets = 1 << 16

// Pair is the token of a popular pair of words, in this order. Words hold
// no space, so no word is a pair.
func Pair(a, b string) string { return a + " " + b }

// bucketToken is the token of bucket k: a space, then its number. No word
// or pair starts with a space.
func bucketToken(k uint32) string { return " " + strconv.FormatUint(uint64(k), 10) }

// wordHash is FNV-1a, 64 bits: the same in every process and version, as
// the buckets stored in a database must be.
func wordHash(w string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h ^= uint64(w[i])
		h *= 1099511628211
	}
	return h
}

// pairBucket is the bucket of the pair of words with hashes a and b (in
// this order: "a b" and "b a" are different pairs).
func pairBucket(a, b uint64) uint32 {
	x := a ^ (b+0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9
	x ^= x >> 31
	x *= 0x94d049bb133111eb
	x ^= x >> 29
	return uint32(x & (PairBuckets - 1))
}

// Pairs is a set of popular pairs of words. The zero of *Pairs (nil) is
// not a set: see Builder.Pairs.
type Pairs struct {
	n     int                 // how many
	word  map[string]int32    // the words of the pairs, numbered
	pairs map[uint64]struct{} // unless dense
	// dense is the same set as a bit matrix, when there are at most
	// denseWords words: a builder asks it of every pair of neighbouring
	// words, tens of millions of times a block, and a map lookup that
	// misses the cache was a sixth of the build.
	dense []uint64
}

// denseWords: a matrix of 4,096 words is 2 MB.
const denseWords = 4096

// NewPairs makes the set of the pairs of list ("a b" each; others are
// ignored).
func NewPairs(list []string) *Pairs {
	p := &Pairs{word: map[string]int32{}, pairs: map[uint64]struct{}{}}
	number := func(w string) int32 {
		n, ok := p.word[w]
		if !ok {
			n = int32(len(p.word))
			p.word[strings.Clone(w)] = n // not the list's text, which can go
		}
		return n
	}
	for _, pair := range list {
		a, b, ok := strings.Cut(pair, " ")
		if !ok || a == "" || b == "" || strings.Contains(b, " ") {
			continue
		}
		key := uint64(number(a))<<32 | uint64(number(b))
		if _, ok := p.pairs[key]; !ok {
			p.pairs[key] = struct{}{}
			p.n++
		}
	}
	if n := len(p.word); n <= denseWords {
		p.dense = make([]uint64, (n*n+63)/64)
		for key := range p.pairs {
			bit := int(key>>32)*n + int(uint32(key))
			p.dense[bit/64] |= 1 << (bit % 64)
		}
		p.pairs = nil // the matrix answers: a server keeps 3 MB less
	}
	return p
}

// Len is how many pairs p holds.
func (p *Pairs) Len() int { return p.n }

func (p *Pairs) wordNumber(w string) int32 {
	if n, ok := p.word[w]; ok {
		return n
	}
	return -1
}

func (p *Pairs) hasNumbers(a, b int32) bool {
	if p.dense != nil {
		bit := int(a)*len(p.word) + int(b)
		return p.dense[bit/64]&(1<<(bit%64)) != 0
	}
	_, ok := p.pairs[uint64(a)<<32|uint64(b)]
	return ok
}

// Has reports whether the words a, b next to each other are a popular
// pair.
func (p *Pairs) Has(a, b string) bool {
	na, nb := p.wordNumber(a), p.wordNumber(b)
	return na >= 0 && nb >= 0 && p.hasNumbers(na, nb)
}

// Token returns the token under which updates holding the words a, b
// next to each other are posted, and whether its postings are exactly
// those updates (a popular pair) or more (a bucket).
func (p *Pairs) Token(a, b string) (tok string, exact bool) {
	if p.Has(a, b) {
		return Pair(a, b), true
	}
	return bucketToken(pairBucket(wordHash(a), wordHash(b))), false
}

// PairCounter counts in how many documents of a sample each pair of
// neighbouring words appears, to choose the popular ones. It keeps a
// count per hash of a pair, not the pair (a sample of 16,384 synthetic
// updates holds about 2 million distinct pairs), and the words of those
// that reach the threshold.
type PairCounter struct {
	min    uint32
	counts map[uint64]uint32
	found  map[uint64]string
	doc    map[uint64]struct{}
}

// NewPairCounter counts pairs; those in at least min documents are
// popular.
func NewPairCounter(min int) *PairCounter {
	return &PairCounter{min: uint32(max(min, 1)), counts: map[uint64]uint32{}, found: map[uint64]string{}, doc: map[uint64]struct{}{}}
}

// Add counts the pairs of one analysed document's fields (as
// Builder.Add takes them), each once.
func (c *PairCounter) Add(title, summary, body string) {
	clear(c.doc)
	for _, text := range [NumFields]string{title, summary, body} {
		prev, prevHash := "", uint64(0)
		for tok := range strings.FieldsSeq(text) {
			if marked(tok) {
				prev = ""
				continue
			}
			h := wordHash(tok)
			if prev != "" {
				key := prevHash*0x9e3779b97f4a7c15 ^ h
				if _, ok := c.doc[key]; !ok {
					c.doc[key] = struct{}{}
					c.counts[key]++
					if c.counts[key] == c.min {
						c.found[key] = Pair(prev, tok)
					}
				}
			}
			prev, prevHash = tok, h
		}
	}
}

// Popular returns the pairs found in at least min documents, at most
// limit of them (those in the most).
func (c *PairCounter) Popular(limit int) []string {
	type counted struct {
		pair string
		n    uint32
	}
	var all []counted
	for key, pair := range c.found {
		all = append(all, counted{pair, c.counts[key]})
	}
	slices.SortFunc(all, func(a, b counted) int {
		if a.n != b.n {
			return int(b.n) - int(a.n)
		}
		return strings.Compare(a.pair, b.pair)
	})
	out := make([]string, 0, min(len(all), limit))
	for _, a := range all[:min(len(all), limit)] {
		out = append(out, a.pair)
	}
	return out
}
