package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
)

// IndexVersion identifies everything that decides the tokens an index
// holds: Normalize's rules (NormalizerVersion) and the analysis below.
// Stores record the version that built their index and ask for a rebuild
// (`civicmon reindex`) when it differs. TestAnalyzerGolden fails when the
// analysis changes and this number does not.
const IndexVersion = 100*NormalizerVersion + 2

// Marks of the tokens the analysis adds beside a text's own. Normalize
// never makes a token holding either (they are punctuation), so an added
// token cannot be mistaken for a word of the text, and both engines index
// them as they are (FTS5's ascii tokenizer takes any non-ASCII character
// for a letter; tsvector lexemes are quoted).
const (
	// StemMark starts a stem: "§protest" for "protesters" in English.
	StemMark = "§"
	// NameMark starts a name key: "¤tokaev" for "Токаев" and "Tokayev".
	NameMark = "¤"
)

// minNameRunes is the shortest word that gets a name key: shorter words
// are too often other words once spelt another way ("yes" would be "es").
const minNameRunes = 4

// A stemmer takes a lower-cased word and returns its stem.
type stemmer func(string) string

func snowball(f func(string, bool) string) stemmer {
	return func(w string) string { return f(w, false) }
}

// stemmers are the Snowball stemmers by language (primary subtag), each
// for the script of its language: Latin or Cyrillic.
var stemmers = map[string]struct {
	stem     stemmer
	cyrillic bool
}{
	"en": {snowball(english.Stem), false},
	"fr": {snowball(french.Stem), false},
	"es": {snowball(spanish.Stem), false},
	"ru": {snowball(russian.Stem), true},
}

// queryLanguages are the languages a query is analysed in: every one the
// analysis knows, since a reader may search in any of them.
var queryLanguages = []string{"en", "fr", "es", "ru", "kk"}

// primaryTag is the language of a BCP 47 tag: "en" of "en-GB".
func primaryTag(tag string) string {
	tag = strings.ToLower(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// stemCache keeps recent stems by language: the same words come again
// and again, and a Snowball stemmer allocates for each.
var stemCache = struct {
	sync.RWMutex
	m map[string]map[string]string
}{m: map[string]map[string]string{}}

const stemCacheSize = 1 << 15 // per language

func cachedStem(lang string, st stemmer, w string) string {
	stemCache.RLock()
	s, ok := stemCache.m[lang][w]
	stemCache.RUnlock()
	if ok {
		return s
	}
	s = st(w)
	stemCache.Lock()
	m := stemCache.m[lang]
	if m == nil || len(m) >= stemCacheSize {
		m = make(map[string]string, 1024)
		stemCache.m[lang] = m
	}
	m[w] = s
	stemCache.Unlock()
	return s
}

func isCyrillicToken(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return unicode.Is(unicode.Cyrillic, r)
}

func isLatinToken(tok string) bool {
	for _, r := range tok {
		if r >= utf8.RuneSelf && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// Stem returns the stem of a normalised token in language lang (a BCP 47
// tag), folded as Normalize folds, and whether lang has a stemmer for
// the token's script. Kazakh, which has no Snowball stemmer, is folded to
// the Russian alphabet instead ("қазақстан" → "казакстан"), as Kazakh is
// often typed.
func Stem(tok, lang string) (string, bool) {
	lang = primaryTag(lang)
	if lang == "kk" {
		if !isCyrillicToken(tok) {
			return "", false
		}
		return FoldKazakh(tok), true
	}
	st, ok := stemmers[lang]
	if !ok || st.cyrillic != isCyrillicToken(tok) || (!st.cyrillic && !isLatinToken(tok)) {
		return "", false
	}
	s := cachedStem(lang, st.stem, tok)
	if !isASCII(s) {
		s = Normalize(s)
		if strings.IndexByte(s, ' ') >= 0 {
			return "", false
		}
	}
	return s, s != ""
}

// stemRaw is the stem of a word as written (lower-cased, its accents
// kept, which French and Spanish stemmers read), folded afterwards.
func stemRaw(raw, lang string) (string, bool) {
	lang = primaryTag(lang)
	st, ok := stemmers[lang]
	if !ok || st.cyrillic || !isLatinToken(Normalize(raw)) {
		return "", false
	}
	s := Normalize(cachedStem(lang+" as written", st.stem, strings.ToLower(raw)))
	if s == "" || strings.IndexByte(s, ' ') >= 0 {
		return "", false
	}
	return s, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// kazakhFold maps the letters of the Kazakh alphabet that Russian lacks
// to the Russian letters that stand for them when Kazakh is typed on a
// Russian keyboard.
var kazakhFold = strings.NewReplacer("ә", "а", "ғ", "г", "қ", "к", "ң", "н", "ө", "о", "ұ", "у", "ү", "у", "һ", "х", "і", "и")

// FoldKazakh folds a normalised Kazakh token to the Russian alphabet.
func FoldKazakh(tok string) string { return kazakhFold.Replace(tok) }

// cyrillicLatin romanises the Russian and Kazakh alphabets (lower case;
// Normalize has already folded ё to е). It follows the common practice of
// news agencies (Токаев → tokaev, Жанаозен → zhanaozen), and NameKey's
// rules then join it with the other usual spellings.
var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z", 'и': "i", 'й': "y",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e",
	'ю': "yu", 'я': "ya",
	// Kazakh
	'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h", 'і': "i",
	// Ukrainian, Belarusian and Kyrgyz letters that appear in names
	'є': "e", 'ї': "i", 'ґ': "g", 'ў': "u",
}

// nameRules join the spellings a name takes in Latin letters: y and i
// are one letter (Dmitriy, Dmitry, Dmitrii), a y or i before e after a
// vowel is dropped (Tokayev, Tokaev, Tokaïev), kh is h (Mukhtar,
// Muhtar), ou is u (Noursoultan, Nursultan), q is k (Qazaqstan), zh is j
// (Zhanaozen, Janaozen), and doubled letters are single.
var nameRules = strings.NewReplacer("kh", "h", "ou", "u", "q", "k", "zh", "j", "y", "i", "w", "v")

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// NameKey returns the key that the spellings of a name in Cyrillic and
// Latin letters share: Токаев, Tokayev and Tokaev are all "tokaev";
// Назарбаев, Nazarbayev and Nazarbaev "nazarbaev". It is "" for a token
// of another script or with digits. The key is a search key, not a
// transliteration to show.
func NameKey(tok string) string {
	if plainLatin(tok) {
		return tok
	}
	var b strings.Builder
	for _, r := range tok {
		switch {
		case 'a' <= r && r <= 'z':
			b.WriteRune(r)
		case unicode.Is(unicode.Cyrillic, r):
			s, ok := cyrillicLatin[r]
			if !ok {
				return ""
			}
			b.WriteString(s)
		default:
			return ""
		}
	}
	s := nameRules.Replace(b.String())
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		n := len(out)
		if n > 0 && out[n-1] == c {
			continue // doubled letters
		}
		if c == 'i' && i+1 < len(s) && s[i+1] == 'e' && n > 0 && isVowel(out[n-1]) {
			continue // Tokaiev, Tokayev: tokaev
		}
		out = append(out, c)
	}
	return string(out)
}

// plainLatin reports whether NameKey leaves tok as it is: lower-case
// ASCII letters with none of the letters its rules change, no doubled
// letter, no "ie" (most words of English, French and Spanish text).
func plainLatin(tok string) bool {
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c < 'a' || c > 'z' {
			return false
		}
		switch c {
		case 'y', 'q', 'w', 'h', 'u', 'j', 'e':
			// y, q, w change; kh, ou and zh end in h, u and j's source z…h;
			// ie: checked below, through the e.
			if c == 'h' || c == 'u' || c == 'e' {
				if i > 0 && (tok[i-1] == 'k' || tok[i-1] == 'o' || tok[i-1] == 'z' || tok[i-1] == 'i') {
					return false
				}
				continue
			}
			if c == 'j' {
				continue
			}
			return false
		}
		if i > 0 && tok[i-1] == c {
			return false
		}
	}
	return true
}

// altSet collects the added tokens of a field, each once, in order.
type altSet struct {
	seen map[string]struct{}
	list []string
}

func (a *altSet) add(mark, tok string) {
	if tok == "" {
		return
	}
	k := mark + tok
	if _, ok := a.seen[k]; ok {
		return
	}
	if a.seen == nil {
		a.seen = map[string]struct{}{}
	}
	a.seen[k] = struct{}{}
	a.list = append(a.list, k)
}

func (a *altSet) appendTo(dst []byte) []byte {
	for _, t := range a.list {
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, t...)
	}
	clear(a.seen)
	a.list = a.list[:0]
	return dst
}

// analyse appends the tokens of text to dst and adds to alt what the
// analysis in language lang makes of each: its stem (when it differs from
// the token: a query looks for its own stems among the tokens too), and
// its name key (likewise).
func analyse(dst []byte, alt *altSet, text, lang string) []byte {
	lang = primaryTag(lang)
	tokenize(text, func(tok []byte, start, end int) bool {
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, tok...)
		t := string(tok)
		if s, ok := Stem(t, lang); ok && s != t {
			alt.add(StemMark, s)
		}
		// French and Spanish stemmers read accents: the stem of the
		// word as written too, when it had any.
		if raw := text[start:end]; !isASCII(raw) && lang != "kk" && isLatinToken(t) {
			if s, ok := stemRaw(raw, lang); ok && s != t {
				alt.add(StemMark, s)
			}
		}
		if utf8.RuneCount(tok) >= minNameRunes {
			if k := NameKey(t); k != "" && k != t {
				alt.add(NameMark, k)
			}
		}
		return true
	})
	return dst
}

// Expand returns the query with each word (a phrase of one token) widened
// to the forms the analysis joins to it: its stems in every language the
// analysis knows (as tokens, and as the stems of indexed words), and its
// name key (likewise). Phrases keep to their exact words. q is unchanged.
func (q *Query) Expand() *Query {
	out := &Query{Truncated: q.Truncated, Dropped: q.Dropped, Clauses: make([]Clause, len(q.Clauses))}
	for i, c := range q.Clauses {
		nc := Clause{Not: c.Not}
		seen := map[string]bool{}
		add := func(p Phrase) {
			k := strings.Join(p, " ")
			if !seen[k] {
				seen[k] = true
				nc.Alts = append(nc.Alts, p)
			}
		}
		for _, p := range c.Alts {
			add(p)
		}
		for _, p := range c.Alts {
			if len(p) != 1 {
				continue
			}
			for _, a := range wordForms(p[0], q.written[p[0]]) {
				add(Phrase{a})
			}
		}
		out.Clauses[i] = nc
	}
	return out
}

// WordForms are the tokens, other than w, a query word w matches: its
// stems in every language (and the same marked, as the index holds the
// stems of its words) and its name key (likewise).
func WordForms(w string) []string { return wordForms(w, "") }

// wordForms is WordForms, with the stems of the word as written (raw,
// lower-cased, accents kept) when it is known.
func wordForms(w, raw string) []string {
	var out []string
	seen := map[string]bool{w: true}
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, lang := range queryLanguages {
		if s, ok := Stem(w, lang); ok {
			add(s)
			add(StemMark + s)
		}
		if raw != "" {
			if s, ok := stemRaw(raw, lang); ok {
				add(s)
				add(StemMark + s)
			}
		}
	}
	if utf8.RuneCountInString(w) >= minNameRunes {
		if k := NameKey(w); k != "" {
			add(k)
			add(NameMark + k)
			for _, f := range surnameForms(k) {
				add(NameMark + f)
				if isCyrillicToken(w) {
					add(f) // a Latin text's own spelling ("Tokaev" for "Токаева")
				}
			}
		}
	}
	return out
}

// Russian declines surnames in -ев, -ов, -ин (Токаев, Токаева, Токаеву,
// Токаевым, Токаеве; Токаевой, Токаевы, Токаевых): the name keys of those
// forms, and of the name itself from one of them, so that "Tokayev"
// finds "указ Токаева" and "Токаевым" finds "Tokayev". Only for keys of a
// surname's shape, and as name keys only (never as words).
var (
	surnameSuffixes = []string{"ev", "ov", "in"}
	surnameEndings  = []string{"a", "u", "im", "e", "oi", "i", "ih"}
)

func surnameForms(k string) []string {
	var out []string
	for _, suf := range surnameSuffixes {
		if len(k) >= len(suf)+3 && strings.HasSuffix(k, suf) {
			for _, e := range surnameEndings {
				out = append(out, k+e)
			}
			return out
		}
	}
	for _, e := range surnameEndings {
		base, ok := strings.CutSuffix(k, e)
		if !ok {
			continue
		}
		for _, suf := range surnameSuffixes {
			if len(base) >= len(suf)+3 && strings.HasSuffix(base, suf) {
				out = append(out, base)
				for _, e2 := range surnameEndings {
					if e2 != e {
						out = append(out, base+e2)
					}
				}
				return out
			}
		}
	}
	return out
}

// HasPhrase reports whether the tokens of one field hold p's tokens next
// to each other, in order.
func HasPhrase(tokens []string, p Phrase) bool {
	for i := 0; i+len(p) <= len(tokens); i++ {
		j := 0
		for j < len(p) && tokens[i+j] == p[j] {
			j++
		}
		if j == len(p) {
			return true
		}
	}
	return false
}

// Matches reports whether d, an analysed document (DocBuilder), matches
// q as the full-text index would: every positive clause has one of its
// phrases in some field (a phrase's tokens next to each other, within one
// field), and no negative clause has any. Expand q first, as searches do.
// It is the same matching in Go, for texts that are not in an index (the
// workspace's drafts: see UpdateFilter.Text).
func (q *Query) Matches(d Doc) bool {
	fields := [3][]string{strings.Fields(d.Title), strings.Fields(d.Summary), strings.Fields(d.Body)}
	has := func(p Phrase) bool {
		for _, f := range fields {
			if HasPhrase(f, p) {
				return true
			}
		}
		return false
	}
	positive := false
	for _, c := range q.Clauses {
		found := false
		for _, p := range c.Alts {
			if has(p) {
				found = true
				break
			}
		}
		if found == c.Not {
			return false
		}
		positive = positive || !c.Not
	}
	return positive || len(q.Clauses) > 0
}
