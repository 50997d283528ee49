package search

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// tokenizeReference is tokenize as it was before its loop over ASCII
// letters took whole runs at a time (civicmon 0.x, NormalizerVersion 1):
// FuzzTokenizeReference checks that the two give the same tokens and
// spans.
func tokenizeReference(s string, fn func(tok []byte, start, end int) bool) {
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
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				if start < 0 {
					start = i
				}
				end = i + 1
				if !full {
					if len(tok) < MaxTokenBytes {
						tok = append(tok, c)
						last = 0
					} else {
						full = true
					}
				}
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = i
				}
				end = i + 1
				if !full {
					if len(tok) < MaxTokenBytes {
						tok = append(tok, c+'a'-'A')
						last = 0
					} else {
						full = true
					}
				}
			default:
				if !flush() {
					return
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
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

type span3 struct {
	tok        string
	start, end int
}

func spansOf(s string, tok func(string, func([]byte, int, int) bool)) []span3 {
	var out []span3
	tok(s, func(t []byte, start, end int) bool {
		out = append(out, span3{string(t), start, end})
		return true
	})
	return out
}

var tokenizeSeeds = []string{
	"", "a", "Hello, World", "Қазақстан свобода митинг", "Côte d'Ivoire", "e\u0301", "и\u0306 И\u0306",
	"\xff\xfeab", "北京 人权", "snake_case e-mail x1y2", strings.Repeat("A", 70) + "\u0301b " + strings.Repeat("z9", 40),
	strings.Repeat("ж", 40) + "abc", "ABC\u0306DEF", "ⅫＡＢ ﬁ ß ½", "北京\u0301人权 一丁 鿿 㐀 豈 x北y",
}

func FuzzTokenizeReference(f *testing.F) {
	for _, s := range tokenizeSeeds {
		f.Add(s)
	}
	f.Add(strings.Join(goldenInputs, " "))
	f.Fuzz(func(t *testing.T, s string) {
		got, want := spansOf(s, tokenize), spansOf(s, tokenizeReference)
		if len(got) != len(want) {
			t.Fatalf("%q: %d tokens, the reference gives %d:\n%v\n%v", s, len(got), len(want), got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: token %d is %v, the reference gives %v", s, i, got[i], want[i])
			}
		}
	})
}

func FuzzPlainNormalized(f *testing.F) {
	for _, s := range tokenizeSeeds {
		f.Add(s)
	}
	for _, s := range []string{
		"# Heading #\n\nSome **bold** and _em_ text with a [link](https://example.org/x) and ![img](a.png).\n\n" +
			"- item one\n- item `two`\n1. first\n> quoted <b>tag</b> <https://x.org>\n\n---\n[ref]: https://example.org\n```\ncode here\n```\nsnake_case stays",
		"line\u00a0one\u2028two\r\nthree\u3000four\x85five", "a\n\u0301b", "~~~\nx\n~~~\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		want := string(AppendNormalized(nil, PlainText(md)))
		if got := string(appendPlainNormalized(nil, md)); got != want {
			t.Fatalf("%q:\n got %q\nwant %q", md, got, want)
		}
		if got := string(appendPlainNormalized([]byte("x"), md)); got != string(AppendNormalized([]byte("x"), PlainText(md))) {
			t.Fatalf("%q after x: got %q", md, got)
		}
	})
}

func TestHanFold(t *testing.T) {
	for r := rune(hanFirst); r <= hanLast; r++ {
		if f := computeFold(r); f != (fold{foldAlone, string(r)}) {
			t.Fatalf("%U folds to %+v", r, f)
		}
	}
}
