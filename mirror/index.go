package mirror

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/search"
)

// The search index of a mirror is a set of small script files that the
// search page loads on demand with <script src> (browsers let file:// pages
// load scripts, not fetch files), each of which hands its data to the
// global civicmonSearch:
//
//	search-index/meta.js           the counts and the countries
//	search-index/docs/N.js         the result entries of documents N×100 …
//	search-index/terms/B/KEY.js    the terms of block B that start with KEY
//	search-index/terms/B/keys.js   the KEYs of block B
//
// Documents are the published updates numbered newest first, so a list of
// document numbers in order is a list of results newest first. Blocks are
// runs of Options.SearchBlock documents: a search reads block 0 (the newest), and
// reads on only when the reader asks for more results than it found, so a
// reader on a slow link downloads, per word, the terms of one block that
// start with the word's first two letters, not the index. KEY is the hex
// of those two letters (UTF-8), to keep file names ASCII. Terms are the
// tokens of search.Normalize — the rules the site's own search uses — and
// the search page's script normalises queries the same way.

// IndexVersion is the format version of the index, in meta.js.
const IndexVersion = 1

const (
	defaultBlock = 20000 // documents per block
	docShard     = 100   // documents per docs file
)

const snippetRunes = 240

// indexWriter builds the index from the published updates, newest first,
// holding one block's terms at a time.
type indexWriter struct {
	e        *exporter
	block    int // documents per block
	n        int // documents added
	terms    map[string][]uint32
	docs     []any
	seen     map[string]bool
	byCode   map[string]*civicmon.Country
	codesUse map[string]bool
}

func newIndexWriter(e *exporter) (*indexWriter, error) {
	return &indexWriter{e: e, block: e.o.SearchBlock, terms: map[string][]uint32{}, seen: map[string]bool{}, codesUse: map[string]bool{}}, nil
}

func (x *indexWriter) add(pu civicmon.PublicUpdate, c *civicmon.Country) error {
	local := uint32(x.n % x.block)
	clear(x.seen)
	addText := func(s string) {
		search.Tokenize(s, func(tok string, _, _ int) bool {
			if !x.seen[tok] {
				x.seen[tok] = true
				x.terms[tok] = append(x.terms[tok], local)
			}
			return true
		})
	}
	addText(pu.Title)
	addText(pu.Summary)
	addText(pu.Body)
	for _, t := range pu.Translations {
		addText(t.Title)
		addText(t.Summary)
		addText(t.Body)
	}
	if c != nil {
		addText(c.Name)
	}
	approx := 0
	if pu.DateApproximate {
		approx = 1
	}
	x.codesUse[pu.CountryCode] = true
	x.docs = append(x.docs, []any{pu.Slug, pu.Title, pu.CountryCode, pu.PublishedOn.String(), approx, snippet(pu.Summary)})
	x.n++
	if len(x.docs) == docShard {
		if err := x.flushDocs(); err != nil {
			return err
		}
	}
	if x.n%x.block == 0 {
		return x.flushBlock()
	}
	return nil
}

// snippet cuts a summary to about snippetRunes characters, at a space.
func snippet(s string) string {
	if utf8.RuneCountInString(s) <= snippetRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == snippetRunes {
			cut := s[:i]
			if j := strings.LastIndexByte(cut, ' '); j > len(cut)/2 {
				cut = cut[:j]
			}
			return strings.TrimRight(cut, " ,.;:") + "…"
		}
		n++
	}
	return s
}

func (x *indexWriter) flushDocs() error {
	if len(x.docs) == 0 {
		return nil
	}
	shard := (x.n - 1) / docShard
	b, err := json.Marshal(x.docs)
	if err != nil {
		return err
	}
	x.docs = x.docs[:0]
	return x.script("docs/"+strconv.Itoa(shard)+".js", "d", strconv.Itoa(shard), b)
}

// flushBlock writes the terms of the block that ends at document x.n.
func (x *indexWriter) flushBlock() error {
	if len(x.terms) == 0 {
		return nil
	}
	block := (x.n - 1) / x.block
	byKey := map[string][]string{}
	for t := range x.terms {
		k := termKey(t)
		byKey[k] = append(byKey[k], t)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb []byte
	for _, k := range keys {
		ts := byKey[k]
		slices.Sort(ts)
		m := make(map[string]string, len(ts))
		for _, t := range ts {
			sb = encodePostings(sb[:0], x.terms[t])
			m[t] = string(sb)
		}
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := x.script("terms/"+strconv.Itoa(block)+"/"+k+".js", "t", strconv.Itoa(block)+","+strconv.Quote(k), b); err != nil {
			return err
		}
	}
	// The keys the block has, so that the search page asks for no file
	// that is not there (a failed load is an error in the browser's log).
	b, err := json.Marshal(strings.Join(keys, " "))
	if err != nil {
		return err
	}
	if err := x.script("terms/"+strconv.Itoa(block)+"/keys.js", "k", strconv.Itoa(block), b); err != nil {
		return err
	}
	clear(x.terms)
	return nil
}

// termKey names the file of a term: the hex of its first two characters.
func termKey(t string) string {
	end := 0
	for n := 0; n < 2 && end < len(t); n++ {
		_, size := utf8.DecodeRuneInString(t[end:])
		end += size
	}
	return hex.EncodeToString([]byte(t[:end]))
}

// encodePostings writes document numbers as the first number and then the
// differences, in base 36, separated by commas.
func encodePostings(dst []byte, ids []uint32) []byte {
	prev := uint32(0)
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendUint(dst, uint64(id-prev), 36)
		prev = id
	}
	return dst
}

// script writes search-index/name as a call civicmonSearch.fn(args, data).
func (x *indexWriter) script(name, fn, args string, data []byte) error {
	var b bytes.Buffer
	b.Grow(len(data) + 64)
	b.WriteString("civicmonSearch.")
	b.WriteString(fn)
	b.WriteByte('(')
	b.WriteString(args)
	b.WriteByte(',')
	b.Write(data)
	b.WriteString(");\n")
	file := "search-index/" + name
	path := filepath.Join(x.e.dir, filepath.FromSlash(file))
	if err := x.e.mkdir(filepath.Dir(path)); err != nil {
		return err
	}
	return x.e.writeFile(path, file, b.Bytes())
}

// finish writes what is left and meta.js.
func (x *indexWriter) finish(byCode map[string]*civicmon.Country) error {
	if err := x.flushDocs(); err != nil {
		return err
	}
	if err := x.flushBlock(); err != nil {
		return err
	}
	countries := map[string][2]string{}
	for code := range x.codesUse {
		if c, ok := byCode[code]; ok {
			countries[code] = [2]string{c.Name, c.Slug}
		}
	}
	meta := map[string]any{
		"version":    IndexVersion,
		"normalizer": search.NormalizerVersion,
		"docs":       x.n,
		"block":      x.block,
		"docShard":   docShard,
		"countries":  countries,
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return x.script("meta.js", "meta", "0", b)
}
