package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizerVersion identifies the rules of Normalize. Indexes built by
// one version cannot be searched or changed by another (their tokens
// differ): change it with any change to what Normalize returns, and the
// stores will ask for a rebuild (`civicmon reindex`). TestNormalizerGolden
// fails when the output changes and this number does not.
const NormalizerVersion = 1

// MaxTokenBytes is the longest token: longer runs of letters are cut to
// their first MaxTokenBytes bytes (on a character boundary), in text and in
// queries alike.
const MaxTokenBytes = 64

// Normalize returns the tokens of s joined by single spaces: the text both
// search engines index and the form every query term takes.
//
// The rules, the same for indexed text and for queries:
//   - text in decomposed form reads as if composed: "é" typed as e +
//     combining accent is "é", "й" typed as и + combining breve is "й";
//   - letters are lower-cased ("Қ" → "қ", "İ" → "i");
//   - diacritics are folded: compatibility decomposition (NFKD), then the
//     combining marks are dropped ("Côte" → "cote", "ﬁ" → "fi", full-width
//     "Ａ" → "a"), and a few letters without a decomposition are spelled
//     out ("ß" → "ss", "æ" → "ae", "ø" → "o", "ł" → "l", "đ" → "d");
//   - Cyrillic letters are kept as they are ("й" stays "й", Kazakh "қ",
//     "ә", "ө", "ұ", "ү", "і" stay) except "ё", folded to "е" as Russian
//     writing usually does;
//   - a token is a run of letters, digits and (spacing) marks; everything
//     else — spaces, punctuation, symbols, apostrophes, hyphens — separates
//     tokens ("d'Ivoire" → "d ivoire", "e-mail" → "e mail");
//   - Han, Hiragana and Katakana characters are a token each (those
//     scripts do not separate words), so a run of them is searched as a
//     phrase of characters;
//   - a token is cut to MaxTokenBytes bytes.
//
// There are no stop words: "the" is a word like any other.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	tokenize(s, func(tok []byte, _, _ int) bool {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(tok)
		return true
	})
	return b.String()
}

// AppendNormalized appends Normalize(s) to dst, with a space before it when
// dst is not empty and s has a token.
func AppendNormalized(dst []byte, s string) []byte {
	tokenize(s, func(tok []byte, _, _ int) bool {
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, tok...)
		return true
	})
	return dst
}

// Tokens returns the tokens of s.
func Tokens(s string) []string {
	var out []string
	Tokenize(s, func(tok string, _, _ int) bool {
		out = append(out, tok)
		return true
	})
	return out
}

// Tokenize calls fn with each token of s and the byte span of s it comes
// from, until fn returns false.
func Tokenize(s string, fn func(tok string, start, end int) bool) {
	tokenize(s, func(tok []byte, start, end int) bool { return fn(string(tok), start, end) })
}

func tokenize(s string, fn func(tok []byte, start, end int) bool) {
	var buf [MaxTokenBytes + utf8.UTFMax*4]byte
	tok := buf[:0]
	start, end := -1, 0
	full := false // the token reached MaxTokenBytes: skip the rest of the run
	// The last character added, and its bytes in tok: a combining mark
	// after a Cyrillic letter may compose with it (и + ◌̆ = й).
	var last rune
	lastLen := 0
	flush := func() bool {
		if start < 0 {
			return true
		}
		ok := true
		if len(tok) > 0 {
			ok = fn(tok, start, end)
		}
		tok, start, full, last = tok[:0], -1, false, 0
		return ok
	}
	// add appends folded text to the current token, cut at MaxTokenBytes.
	add := func(folded string, i, j int) {
		if start < 0 {
			start = i
		}
		end = j
		if full {
			return
		}
		n0 := len(tok)
		for _, r := range folded {
			n := utf8.RuneLen(r)
			if len(tok)+n > MaxTokenBytes {
				full = true
				return
			}
			tok = utf8.AppendRune(tok, r)
			last = r
		}
		lastLen = len(tok) - n0
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiToken[c] == 0 {
				if !flush() {
					return
				}
				i++
				continue
			}
			// A run of ASCII letters and digits, lower-cased.
			if start < 0 {
				start = i
			}
			j := i + 1
			for j < len(s) && asciiToken[s[j]] != 0 {
				j++
			}
			end = j
			if !full {
				last = 0
				for ; i < j; i++ {
					if len(tok) == MaxTokenBytes {
						full = true
						break
					}
					tok = append(tok, asciiToken[s[i]])
				}
			}
			i = j
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if hanFirst <= r && r <= hanLast {
			// A CJK unified ideograph: a token of its own, as its fold
			// says (TestHanFold), without computing the fold.
			if !flush() {
				return
			}
			add(s[i:i+n], i, i+n)
			if !flush() {
				return
			}
			i += n
			continue
		}
		f := foldRune(r)
		switch f.kind {
		case foldSeparator:
			if !flush() {
				return
			}
		case foldDrop:
			// A combining mark: part of the token around it, adds
			// nothing — unless it makes a Cyrillic letter of the one
			// before, as composing (NFC) would.
			if start >= 0 {
				end = i + n
				if last != 0 && !full && unicode.Is(unicode.Cyrillic, last) {
					if c := compose(last, r); c != 0 {
						tok = tok[:len(tok)-lastLen]
						n0 := len(tok)
						for _, x := range foldRune(c).text {
							tok = utf8.AppendRune(tok, x)
							last = x
						}
						lastLen = len(tok) - n0
					}
				}
			}
		case foldAlone:
			if !flush() {
				return
			}
			for _, x := range f.text {
				add(string(x), i, i+n)
				if !flush() {
					return
				}
			}
		default:
			add(f.text, i, i+n)
		}
		i += n
	}
	flush()
}

// asciiToken maps the ASCII letters and digits to what they are in a
// token (letters lower-cased), every other byte to 0.
var asciiToken = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

// compose returns the single character that NFC makes of base followed by
// mark, or 0.
func compose(base, mark rune) rune {
	s := norm.NFC.String(string(base) + string(mark))
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) {
		return 0
	}
	return r
}

// A fold is what one (non-ASCII) character becomes.
type fold struct {
	kind uint8
	text string // the token characters it adds, lower-cased and folded
}

const (
	foldLetter    uint8 = iota // adds text to the current token
	foldSeparator              // ends the current token
	foldDrop                   // adds nothing, ends nothing (combining marks)
	foldAlone                  // each character of text is a token of its own (Han, kana)
)

// The block of CJK unified ideographs: each is a token of its own
// (foldAlone), unchanged by folding.
const hanFirst, hanLast = 0x4E00, 0x9FFF

// Folds of the first foldTableSize characters are computed once; others
// each time (they are rare, and mostly CJK, which needs no decomposition).
const foldTableSize = 0x3000

var (
	foldTableOnce sync.Once
	foldTable     []fold
)

func foldRune(r rune) fold {
	if r < foldTableSize {
		foldTableOnce.Do(buildFoldTable)
		return foldTable[r]
	}
	return computeFold(r)
}

func buildFoldTable() {
	t := make([]fold, foldTableSize)
	for r := rune(0); r < foldTableSize; r++ {
		t[r] = computeFold(r)
	}
	foldTable = t
}

// special are letters that have no decomposition but are commonly written
// without their stroke or ligature.
var special = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'ł': "l", 'Ł': "l", 'ı': "i", 'þ': "th", 'Þ': "th", 'ħ': "h", 'Ħ': "h",
	'ŧ': "t", 'Ŧ': "t", 'ſ': "s", 'ς': "σ",
	'ё': "е", 'Ё': "е",
}

func computeFold(r rune) fold {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return fold{foldLetter, string(r)}
		case 'A' <= r && r <= 'Z':
			return fold{foldLetter, string(r + 'a' - 'A')}
		}
		return fold{kind: foldSeparator}
	}
	if s, ok := special[r]; ok {
		return fold{foldLetter, s}
	}
	if !utf8.ValidRune(r) || r == utf8.RuneError {
		return fold{kind: foldSeparator}
	}
	if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
		return fold{kind: foldDrop}
	}
	if unicode.Is(unicode.Cyrillic, r) {
		if unicode.IsLetter(r) {
			return fold{foldLetter, string(unicode.ToLower(r))}
		}
		return fold{kind: foldSeparator}
	}
	// Decompose (compatibility), drop combining marks, keep letters,
	// numbers and spacing marks, lower-cased.
	var b []byte
	sep, alone := false, false
	for _, d := range norm.NFKD.String(string(r)) {
		switch {
		case unicode.Is(unicode.Mn, d) || unicode.Is(unicode.Me, d):
		case unicode.IsLetter(d) || unicode.IsNumber(d) || unicode.Is(unicode.Mc, d):
			if unicode.In(d, unicode.Han, unicode.Hiragana, unicode.Katakana) {
				alone = true // "㋐" is "ア", "㍿" is "株式会社": a token each
			}
			d = unicode.ToLower(d)
			if s, ok := special[d]; ok {
				b = append(b, s...)
			} else {
				b = utf8.AppendRune(b, d)
			}
		default:
			sep = true
		}
	}
	if len(b) == 0 || sep {
		// Nothing left, or a character that stands for letters and
		// punctuation together ("½" is "1⁄2"): a separator.
		return fold{kind: foldSeparator}
	}
	if alone {
		return fold{foldAlone, string(b)}
	}
	return fold{foldLetter, string(b)}
}
