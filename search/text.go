package search

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Doc is an update's text as both engines index it: three fields of
// analysed text (tokens joined by single spaces). Translations go into the
// field of what they translate. Each field holds its words' tokens, in
// order, then the tokens the analysis adds (stems and name keys, each
// once, marked: see StemMark, NameMark), so that phrases, which are made
// of words, match the words only.
type Doc struct {
	Title, Summary, Body string
}

// DocBuilder assembles a Doc language by language.
type DocBuilder struct {
	title, summary, body          []byte
	altTitle, altSummary, altBody altSet
}

// Add adds one language's title, summary and Markdown body, analysed in
// that language (a BCP 47 tag).
func (b *DocBuilder) Add(lang, title, summary, markdownBody string) {
	b.title = analyse(b.title, &b.altTitle, title, lang)
	b.summary = analyse(b.summary, &b.altSummary, summary, lang)
	b.body = analyse(b.body, &b.altBody, plainLines(markdownBody), lang)
}

// AddWords adds one language's title, summary and Markdown body as Add
// does, their words only: the Doc's fields hold the words Add's would,
// without the stems and name keys, which are most of the analysis' work.
// Phrases are matched against words alone (HasPhrase).
func (b *DocBuilder) AddWords(title, summary, markdownBody string) {
	b.title = appendWords(b.title, title)
	b.summary = appendWords(b.summary, summary)
	if markdownBody != "" {
		b.body = appendWords(b.body, plainLines(markdownBody))
	}
}

func appendWords(dst []byte, text string) []byte {
	tokenize(text, func(tok []byte, _, _ int) bool {
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, tok...)
		return true
	})
	return dst
}

// Doc returns the document built so far and resets the builder.
func (b *DocBuilder) Doc() Doc {
	b.title = b.altTitle.appendTo(b.title)
	b.summary = b.altSummary.appendTo(b.summary)
	b.body = b.altBody.appendTo(b.body)
	d := Doc{Title: string(b.title), Summary: string(b.summary), Body: string(b.body)}
	b.title, b.summary, b.body = b.title[:0], b.summary[:0], b.body[:0]
	return d
}

// PostgreSQL limits on tsvectors: a position is at most maxTSPosition, and
// a lexeme keeps at most maxTSPositions of them.
const (
	maxTSPosition  = 16383
	maxTSPositions = 256
)

// TSVector returns the tsvector literal of normalised fields: tokens are
// numbered from 1 through the fields, with one number left out between two
// fields, so that no phrase runs from one field into the next (as none
// runs from one FTS5 column into another). PostgreSQL numbers positions up
// to 16,383 and keeps 256 per lexeme: later ones are clamped, or dropped,
// which matters only to phrases deep inside very long texts.
func TSVector(fields ...string) string {
	type lexeme struct {
		tok string
		pos []int
	}
	var lexemes []*lexeme
	at := map[string]*lexeme{}
	pos := 0
	for _, f := range fields {
		gap := pos > 0
		for tok := range strings.FieldsSeq(f) {
			if gap {
				pos++ // the gap between fields
				gap = false
			}
			pos++
			p := min(pos, maxTSPosition)
			l := at[tok]
			if l == nil {
				l = &lexeme{tok: tok}
				at[tok] = l
				lexemes = append(lexemes, l)
			}
			if n := len(l.pos); n < maxTSPositions && (n == 0 || l.pos[n-1] != p) {
				l.pos = append(l.pos, p)
			}
		}
	}
	var b strings.Builder
	for i, l := range lexemes {
		if i > 0 {
			b.WriteByte(' ')
		}
		tsLexeme(&b, l.tok)
		for j, p := range l.pos {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// PlainText returns the words of a Markdown text without its markup:
// headings, list and quote markers, emphasis, code fences, HTML tags, and
// the targets of links and images (their text stays). Lines are joined by
// spaces and runs of white space collapsed. It is what the body's index
// and snippets are made from.
func PlainText(md string) string {
	var b strings.Builder
	b.Grow(len(md))
	fence := false
	for line := range strings.Lines(md) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fence = !fence
			continue
		}
		if fence {
			// code: keep its words
			writeSpaced(&b, line)
			continue
		}
		line = trimBlockMarkers(line)
		if isRule(line) || isLinkDefinition(line) {
			continue
		}
		writeSpaced(&b, inlineText(line))
	}
	return b.String()
}

// appendPlainNormalized is AppendNormalized(dst, PlainText(md)), a little
// faster: see plainLines. FuzzPlainNormalized checks that the two agree.
func appendPlainNormalized(dst []byte, md string) []byte {
	return AppendNormalized(dst, plainLines(md))
}

// plainLines is PlainText's words with their white space left for the
// tokenizer to skip rather than collapsed (every white space character
// separates tokens, and a token never runs from one line into the next).
func plainLines(md string) string {
	var b strings.Builder
	b.Grow(len(md))
	fence := false
	for line := range strings.Lines(md) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fence = !fence
			continue
		}
		if !fence {
			line = trimBlockMarkers(line)
			if isRule(line) || isLinkDefinition(line) {
				continue
			}
			line = inlineText(line)
		}
		b.WriteString(line)
		b.WriteByte(' ')
	}
	return b.String()
}

// writeSpaced appends the words of s to b, separated by single spaces.
func writeSpaced(b *strings.Builder, s string) {
	start := -1
	for i := 0; i < len(s); {
		c, size := s[i], 1
		sp := asciiSpace[c]
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
		}
		switch {
		case sp && start >= 0:
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[start:i])
			start = -1
		case !sp && start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[start:])
	}
}

var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

func trimBlockMarkers(line string) string {
	for {
		switch {
		case strings.HasPrefix(line, ">"):
			line = strings.TrimSpace(line[1:])
			continue
		case strings.HasPrefix(line, "#"):
			n := 0
			for n < len(line) && line[n] == '#' {
				n++
			}
			if n <= 6 && (n == len(line) || line[n] == ' ') {
				return strings.TrimSpace(strings.TrimRight(line[n:], "# "))
			}
		case len(line) >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ':
			line = strings.TrimSpace(line[2:])
			continue
		default:
			n := 0
			for n < len(line) && n < 9 && '0' <= line[n] && line[n] <= '9' {
				n++
			}
			if n > 0 && n+1 < len(line) && (line[n] == '.' || line[n] == ')') && line[n+1] == ' ' {
				line = strings.TrimSpace(line[n+2:])
				continue
			}
		}
		return line
	}
}

func isRule(line string) bool {
	if len(line) < 3 {
		return false
	}
	c := line[0]
	if c != '-' && c != '*' && c != '_' && c != '=' {
		return false
	}
	for i := 0; i < len(line); i++ {
		if line[i] != c && line[i] != ' ' {
			return false
		}
	}
	return true
}

// isLinkDefinition: "[label]: https://…"
func isLinkDefinition(line string) bool {
	if !strings.HasPrefix(line, "[") {
		return false
	}
	i := strings.Index(line, "]:")
	return i > 1 && !strings.ContainsAny(line[1:i], "[]")
}

// inlineText drops inline markup from one line.
func inlineText(s string) string {
	if !strings.ContainsAny(s, "[]()*_`<>~\\!") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && strings.IndexByte("\\`*_{}[]()#+-.!<>~|", s[i+1]) >= 0 {
				b.WriteByte(s[i+1])
				i += 2
				continue
			}
		case '!':
			if i+1 < len(s) && s[i+1] == '[' {
				i++ // an image: keep its text like a link's
				continue
			}
		case '[':
			i++
			continue
		case ']':
			// a link's target: "](…)" or "][…]"
			if i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '[') {
				closer := byte(')')
				if s[i+1] == '[' {
					closer = ']'
				}
				if j := indexNear(s[i+2:], closer, maxLinkTarget); j >= 0 {
					i += 2 + j + 1
					continue
				}
			}
			i++
			continue
		case '<':
			// an HTML tag or an autolink: drop the tag, keep a link's address
			if j := indexNear(s[i:], '>', maxTag); j > 0 {
				inner := s[i+1 : i+j]
				if strings.Contains(inner, "://") || strings.HasPrefix(inner, "mailto:") {
					b.WriteString(inner)
				} else {
					b.WriteByte(' ')
				}
				i += j + 1
				continue
			}
		case '*', '`', '~':
			i++
			continue
		case '_':
			// emphasis, not snake_case
			prevWord := i > 0 && isWordByte(s[i-1])
			nextWord := i+1 < len(s) && isWordByte(s[i+1])
			if !(prevWord && nextWord) {
				i++
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// Markup is looked for this far ahead, no further, so that a long line of
// brackets costs linear time.
const (
	maxLinkTarget = 2048
	maxTag        = 512
)

// indexNear is strings.IndexByte within the first limit bytes of s.
func indexNear(s string, c byte, limit int) int {
	if len(s) > limit {
		s = s[:limit]
	}
	return strings.IndexByte(s, c)
}

func isWordByte(c byte) bool {
	return c >= utf8.RuneSelf || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// Segment is a piece of text in a result, marked when it is what the query
// matched. Templates and encoders escape Text as usual: no markup is
// built from it here.
type Segment struct {
	Text  string
	Match bool
}

// Matcher finds the places in a text where a query's phrases (those that
// must appear) occur, for highlighting.
type Matcher struct {
	words   map[string]int32 // the phrases' tokens, numbered from 1
	phrases [][]int32        // the phrases, as token numbers
	// marked: some words are stems or name keys (an expanded query's:
	// see Query.Expand), which a text's token matches through its own.
	marked bool
	forms  map[string]int32 // a text token's number through its forms, memoised
}

// Matcher returns the matcher of q's positive phrases; it matches nothing
// when q has none.
func (q *Query) Matcher() *Matcher {
	m := &Matcher{words: map[string]int32{}}
	for _, c := range q.Positive() {
		for _, p := range c.Alts {
			ws := make([]int32, len(p))
			for i, t := range p {
				if m.words[t] == 0 {
					m.words[t] = int32(len(m.words) + 1)
					m.marked = m.marked || strings.HasPrefix(t, StemMark) || strings.HasPrefix(t, NameMark)
				}
				ws[i] = m.words[t]
			}
			if !slices.ContainsFunc(m.phrases, func(x []int32) bool { return slices.Equal(x, ws) }) {
				m.phrases = append(m.phrases, ws)
			}
		}
	}
	return m
}

// formOf is the number of the marked word that token tok is a form of, or
// 0: its stem in any language, or its name key.
func (m *Matcher) formOf(tok []byte) int32 {
	if w, ok := m.forms[string(tok)]; ok {
		return w
	}
	t := string(tok)
	var w int32
	for _, lang := range queryLanguages {
		if s, ok := Stem(t, lang); ok {
			if w = m.words[StemMark+s]; w != 0 {
				break
			}
		}
	}
	if w == 0 && utf8.RuneCountInString(t) >= minNameRunes {
		if k := NameKey(t); k != "" {
			w = m.words[NameMark+k]
		}
	}
	if m.forms == nil {
		m.forms = map[string]int32{}
	}
	m.forms[t] = w
	return w
}

// Empty reports whether the matcher has nothing to find.
func (m *Matcher) Empty() bool { return len(m.phrases) == 0 }

type span struct{ start, end int }

// token is a token of a text: its number among the phrases' tokens (0 for
// any other) and its span.
type token struct {
	word       int32
	start, end int
}

// spans returns the merged byte spans of text that the phrases cover.
func (m *Matcher) spans(text string) []span {
	if m.Empty() {
		return nil
	}
	var toks []token
	found := false
	tokenize(text, func(tok []byte, start, end int) bool {
		w := m.words[string(tok)]
		if w == 0 && m.marked {
			w = m.formOf(tok)
		}
		found = found || w != 0
		toks = append(toks, token{w, start, end})
		return true
	})
	if !found {
		return nil
	}
	var out []span
	for i, t := range toks {
		if t.word == 0 {
			continue
		}
		best := 0
		for _, p := range m.phrases {
			if p[0] == t.word && len(p) > best && i+len(p) <= len(toks) && phraseAt(toks[i:], p) {
				best = len(p)
			}
		}
		if best == 0 {
			continue
		}
		s := span{t.start, toks[i+best-1].end}
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func phraseAt(toks []token, p []int32) bool {
	for j, w := range p {
		if toks[j].word != w {
			return false
		}
	}
	return true
}

// Highlight returns the whole of text (white space collapsed) in segments,
// the matches marked.
func (m *Matcher) Highlight(text string) []Segment {
	text = collapseSpace(text)
	return segments(text, m.spans(text), 0, len(text), false, false)
}

// SnippetScope is how much of a text Snippet looks through for matches:
// its first 64 KB.
const SnippetScope = 64 << 10

// Snippet returns about maxRunes characters of text (white space
// collapsed) around its densest cluster of matches, in segments with the
// matches marked and "…" where text was cut; ok is false when nothing in
// the first SnippetScope bytes of text matches.
func (m *Matcher) Snippet(text string, maxRunes int) (segs []Segment, ok bool) {
	if len(text) > SnippetScope {
		cut := SnippetScope
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	text = collapseSpace(text)
	sp := m.spans(text)
	if len(sp) == 0 {
		return nil, false
	}
	start, end := window(text, sp, maxRunes)
	return segments(text, sp, start, end, start > 0, end < len(text)), true
}

// Lead returns the first maxRunes characters of text (white space
// collapsed), unmarked: a snippet for a result whose match lies elsewhere.
func Lead(text string, maxRunes int) []Segment {
	text = collapseSpace(text)
	if text == "" {
		return nil
	}
	end := advance(text, 0, maxRunes)
	end = wordEnd(text, end)
	return segments(text, nil, 0, end, false, end < len(text))
}

// window picks [start, end) of at most about maxRunes characters holding
// as many spans as it can, beginning a little before the first of them,
// on word boundaries.
func window(text string, sp []span, maxRunes int) (int, int) {
	best, bestN := 0, 0
	for i := range sp {
		limit := advance(text, sp[i].start, maxRunes*3/4)
		n := 0
		for j := i; j < len(sp) && sp[j].end <= limit; j++ {
			n++
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	start := back(text, sp[best].start, maxRunes/4)
	start = wordStart(text, start)
	end := advance(text, start, maxRunes)
	if end == len(text) {
		// Near the end: show more of what comes before instead.
		start = wordStart(text, back(text, end, maxRunes))
	}
	end = max(wordEnd(text, end), min(sp[best].end, len(text)))
	return start, end
}

// advance returns the offset n runes after from (or len(text)).
func advance(text string, from, n int) int {
	i := from
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}

// back returns the offset n runes before from (or 0).
func back(text string, from, n int) int {
	i := from
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	return i
}

// wordStart moves i forward past a partial word, unless i is 0.
func wordStart(text string, i int) int {
	if i == 0 {
		return 0
	}
	if j := strings.IndexByte(text[i:], ' '); j >= 0 && j < 40 {
		return i + j + 1
	}
	return i
}

// wordEnd moves i back to the end of the last whole word, unless i is at
// the end.
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	if j := strings.LastIndexByte(text[:i], ' '); j > 0 && i-j < 40 {
		return j
	}
	return i
}

// segments cuts text[start:end] into segments at the spans.
func segments(text string, sp []span, start, end int, before, after bool) []Segment {
	var out []Segment
	add := func(s string, match bool) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Match == match {
			out[n-1].Text += s
			return
		}
		out = append(out, Segment{Text: s, Match: match})
	}
	if before {
		add("… ", false)
	}
	at := start
	for _, s := range sp {
		if s.end <= start || s.start >= end {
			continue
		}
		a, z := max(s.start, start), min(s.end, end)
		add(text[at:a], false)
		add(text[a:z], true)
		at = z
	}
	add(text[at:end], false)
	if after {
		add(" …", false)
	}
	return out
}

// collapseSpace replaces runs of white space with one space and trims the
// ends.
func collapseSpace(s string) string {
	clean := true
	prev := true
	for i := 0; i < len(s); {
		c, size := s[i], 1
		sp := asciiSpace[c]
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
		}
		if sp && (prev || c != ' ') {
			clean = false
			break
		}
		prev = sp
		i += size
	}
	if clean && !prev {
		return s
	}
	var b strings.Builder
	writeSpaced(&b, s)
	return b.String()
}
