// Package dossier parses country-page text dossiers: the text of a CIVICUS
// Monitor country page, as a browser copies it, holding one country's
// updates, newest first.
//
// The first non-empty line names the country. The updates follow, each in
// one of two shapes, detected per update, so one file may mix them:
//
// Titled updates (the seed's shape):
//
//	Title
//	Summary, one or more lines or paragraphs, ending in Read more
//	Title
//
// "Read more" ends the summary's last line after a space, or stands on a
// line of its own. It may be followed by translations,
// "Read more  |  Read in Russian  |  Read in Kazakh" (any whitespace around
// the pipes), also on the next line on their own ("|  Read in Russian").
// The title is then repeated on its own line.
//
// Dated updates (a page's list of latest developments):
//
//	Tuesday 17.3.2020 Kazakhstan - Latest Developments -
//	Title
//	Summary, ending in Read more or not
//
// The title is not repeated. Without "Read more" the summary runs to the next
// dated line or the end of the file, so a titled update can follow a dated
// one only if the dated one's summary ends in "Read more".
//
// Blank lines may stand between anything. A summary is its lines exactly as
// the text has them, joined with "\n", with "Read more" (and any translations
// after it) removed and the whitespace around the whole trimmed; blank lines
// between paragraphs stay. Line endings may be LF, CRLF or CR; a leading
// UTF-8 byte order mark is ignored. Columns in errors count characters
// (runes), not bytes, from 1.
package dossier

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civicmon/civicmon"
)

// MaxTitle is the longest title, in characters, that Parse accepts: a longer
// "title" is almost always a summary whose title is missing.
const MaxTitle = 300

// maxCountry is the longest first line taken for a country name.
const maxCountry = 100

// A Dossier is one country page's updates.
type Dossier struct {
	Country string   // the first non-empty line, trimmed
	Updates []Update // in file order, which is newest first
}

// An Update is one entry of a country page.
type Update struct {
	Title   string
	Summary string
	// Date is the date of a dated update and the zero Date otherwise.
	Date civicmon.Date
	// Translations are the languages named by "Read in <Language>" after
	// "Read more", in the text's order, each once; nil when there are none.
	Translations []string
	// Line is the 1-based line of the title.
	Line int
}

// A ParseError is a problem at a place in a dossier. Msg says what is wrong
// and, after " — ", how to fix it.
type ParseError struct {
	File         string
	Line, Column int // 1-based; Column counts characters
	Msg          string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Parse reads a dossier from r; filename names it in errors. It returns
// either the whole dossier or, for the first problem found, a *ParseError
// and no dossier. An error reading r is returned wrapped, as it is not a
// problem of the text.
func Parse(r io.Reader, filename string) (*Dossier, error) {
	return parseSplit(r, filename, parallelLines)
}

// parseSplit is Parse with the halves of a file of halfFrom lines or more
// parsed side by side.
func parseSplit(r io.Reader, filename string, halfFrom int) (*Dossier, error) {
	text, err := readText(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	p := &parser{file: filename, lines: splitLines(text), halfFrom: halfFrom}
	d, perr := p.parse()
	if perr != nil {
		return nil, perr
	}
	return d, nil
}

type parser struct {
	file    string
	lines   []string
	country string
	cline   int // index of the country line
	updates []Update
	// earlier: updates come before the lines this parser parses (the
	// second half of a long file).
	earlier  bool
	halfFrom int // see parseSplit
}

// readText reads all of r as a string, in one allocation when r knows its
// size (a file, a bytes.Reader): a dossier of 30,000 updates is 18 MB, and
// growing a buffer to that and copying it into a string cost the import
// a noticeable part of its time before it could store anything.
func readText(r io.Reader) (string, error) {
	var b strings.Builder
	switch sized := r.(type) {
	case interface{ Len() int }:
		b.Grow(sized.Len() + 1)
	case interface{ Stat() (os.FileInfo, error) }:
		if st, err := sized.Stat(); err == nil && st.Mode().IsRegular() {
			b.Grow(int(st.Size()) + 1)
		}
	}
	_, err := io.Copy(&b, r)
	return b.String(), err
}

func splitLines(s string) []string {
	s = strings.TrimPrefix(s, "\uFEFF")
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.Split(s, "\n")
}

func (p *parser) errAt(idx, col int, format string, args ...any) *ParseError {
	return &ParseError{File: p.file, Line: idx + 1, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) parse() (*Dossier, *ParseError) {
	for i, s := range p.lines {
		if off := invalidUTF8(s); off >= 0 {
			return nil, p.errAt(i, colOf(s, off), "the line is not valid UTF-8 text — save the file with the UTF-8 encoding")
		}
	}
	c := p.nextNonBlank(0)
	if c >= len(p.lines) {
		return nil, p.errAt(0, 1, "the file is empty — a dossier starts with the country's name, followed by its updates")
	}
	if err := p.countryLine(c); err != nil {
		return nil, err
	}
	if err := p.allUpdates(c + 1); err != nil {
		return nil, err
	}
	if len(p.updates) == 0 {
		return nil, p.errAt(c, endCol(p.lines[c]), "the file has a country line but no updates — add the country's updates after its name")
	}
	return &Dossier{Country: p.country, Updates: p.updates}, nil
}

// parallelLines is the size of a dossier, in lines, from which its two
// halves are parsed side by side: an import stores nothing before the
// whole file is parsed (it stores the oldest update, the last, first).
const parallelLines = 10_000

// allUpdates parses the updates from line from to the end of the file. A
// long file is cut in two at a dated line near its middle, and the halves
// parsed side by side; the second half's updates are the ones a parse of
// the whole would find when the first half's last update ends just before
// that line (an update never runs across a dated line: it ends before it,
// or is an error), which is checked: otherwise the rest is parsed again
// from where the first half stopped.
func (p *parser) allUpdates(from int) *ParseError {
	cut := -1
	if len(p.lines)-from >= p.halfFrom {
		for j := from + (len(p.lines)-from)/2; j < len(p.lines); j++ {
			if looksDated(p.lines[j]) {
				cut = j
				break
			}
		}
	}
	if cut < 0 {
		_, err := p.updatesIn(from, len(p.lines))
		return err
	}
	second := &parser{file: p.file, lines: p.lines, country: p.country, cline: p.cline, earlier: true}
	var secondErr *ParseError
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, secondErr = second.updatesIn(cut, len(p.lines))
	}()
	end, err := p.updatesIn(from, cut)
	<-done
	if err != nil {
		return err
	}
	if end != cut {
		_, err := p.updatesIn(end, len(p.lines))
		return err
	}
	p.updates = append(p.updates, second.updates...)
	return secondErr
}

// updatesIn parses updates from the first non-blank line from on, as long
// as one starts before line to, and returns the line after the last one
// (the next non-blank line).
func (p *parser) updatesIn(from, to int) (int, *ParseError) {
	i := p.nextNonBlank(from)
	for ; i < to; i = p.nextNonBlank(i) {
		var (
			u    Update
			next int
			err  *ParseError
		)
		if looksDated(p.lines[i]) {
			u, next, err = p.dated(i)
		} else {
			u, next, err = p.titled(i)
		}
		if err != nil {
			return i, err
		}
		p.updates = append(p.updates, u)
		i = next
	}
	return i, nil
}

// countryLine takes line c, the first non-blank one, as the country's name
// unless it is plainly something else.
func (p *parser) countryLine(c int) *ParseError {
	s := p.lines[c]
	p.country, p.cline = strings.TrimSpace(s), c
	if looksDated(s) {
		return p.errAt(c, indentCol(s), "no country line: the file starts with a dated update — add the country's name as the first line")
	}
	if _, ok, _ := p.readMore(c); ok {
		return p.errAt(c, indentCol(s), "no country line: the first line ends in \"Read more\", so it is a summary — add the country's name as the first line, then the update's title")
	}
	if n := utf8.RuneCountInString(p.country); n > maxCountry {
		return p.errAt(c, indentCol(s), "no country line: the first line is %d characters long, too long for a country's name — add the country's name as the first line", n)
	}
	// Without its country line, a file of titled updates starts with the
	// first update's title, which comes back after the first "Read more"
	// (unless the first update's title is the country's name).
	first := p.nextNonBlank(c + 1)
	if first < len(p.lines) && strings.TrimSpace(p.lines[first]) == p.country {
		return nil
	}
	for k := c + 1; k < len(p.lines); k++ {
		if looksDated(p.lines[k]) {
			break
		}
		_, ok, err := p.readMore(k)
		if err != nil {
			break
		}
		if !ok {
			continue
		}
		nx := p.nextNonBlank(k + 1)
		if nx < len(p.lines) && isTranslationLine(p.lines[nx]) {
			nx = p.nextNonBlank(nx + 1)
		}
		if nx < len(p.lines) && strings.TrimSpace(p.lines[nx]) == p.country {
			return p.errAt(c, indentCol(s), "no country line: line %d %q is the title of the first update, repeated on line %d — add the country's name as the first line", c+1, p.country, nx+1)
		}
		break
	}
	return nil
}

// title checks that line ti can be an update's title and returns it trimmed.
func (p *parser) title(ti int) (string, *ParseError) {
	s := p.lines[ti]
	t := strings.TrimSpace(s)
	_, ok, err := p.readMore(ti)
	if err != nil {
		return "", err
	}
	if ok {
		return "", p.errAt(ti, indentCol(s), "expected an update's title, found a summary ending in \"Read more\" — add the update's title on its own line above it")
	}
	if n := utf8.RuneCountInString(t); n > MaxTitle {
		return "", p.errAt(ti, indentCol(s), "the line is %d characters long, too long for a title (at most %d): is it a summary without its title? — add the update's title on its own line above it, or shorten the title", n, MaxTitle)
	}
	return t, nil
}

// titled parses the titled update whose title is line ti and returns it with
// the index of the line after it.
func (p *parser) titled(ti int) (Update, int, *ParseError) {
	title, err := p.title(ti)
	if err != nil {
		return Update{}, 0, err
	}
	n := len(p.lines)
	last := -1 // the summary's last non-blank line so far
	k := ti + 1
	var m marker
	for ; ; k++ {
		if k >= n {
			if last < 0 {
				what := "text after the last update is not an update"
				if len(p.updates) == 0 && !p.earlier {
					what = "the line after the country's name is not an update"
				}
				return Update{}, 0, p.errAt(ti, indentCol(p.lines[ti]), "%s — remove it, or complete the update: a summary ending in \"Read more\", then the title repeated on its own line", what)
			}
			return Update{}, 0, p.noReadMore(title, ti, last, "before the end of the file (or remove the text if it is not an update)")
		}
		s := p.lines[k]
		if isBlank(s) {
			continue
		}
		if looksDated(s) {
			return Update{}, 0, p.noReadMore(title, ti, last, fmt.Sprintf("before the dated update on line %d", k+1))
		}
		if strings.TrimSpace(s) == title {
			return Update{}, 0, p.noReadMore(title, ti, last, fmt.Sprintf("before its repeated title on line %d", k+1))
		}
		mm, ok, err := p.readMore(k)
		if err != nil {
			return Update{}, 0, err
		}
		if ok {
			m = mm
			break
		}
		last = k
	}
	summary := joinSummary(p.lines[ti+1:k], m.before)
	if summary == "" {
		return Update{}, 0, p.errAt(k, indentCol(p.lines[k]), "the update %q (line %d) has no summary — add its summary before \"Read more\"", title, ti+1)
	}
	langs, next, err := p.moreTranslations(m.langs, k)
	if err != nil {
		return Update{}, 0, err
	}
	if next >= n {
		return Update{}, 0, p.errAt(k, endCol(p.lines[k]), "the title of %q (line %d) is not repeated after its summary — add the title on its own line after \"Read more\"", title, ti+1)
	}
	rs := p.lines[next]
	if looksDated(rs) {
		return Update{}, 0, p.errAt(next, indentCol(rs), "the title of %q (line %d) is not repeated before the dated update on line %d — add the title on its own line after \"Read more\"", title, ti+1, next+1)
	}
	if rt := strings.TrimSpace(rs); rt != title {
		return Update{}, 0, p.wrongRepeat(title, ti, k, next)
	}
	return Update{Title: title, Summary: summary, Translations: langs, Line: ti + 1}, next + 1, nil
}

// noReadMore reports a titled update whose summary, last is its last
// non-blank line or -1, does not end in "Read more" before where says.
func (p *parser) noReadMore(title string, ti, last int, where string) *ParseError {
	if last < 0 {
		return p.errAt(ti, endCol(p.lines[ti]), "the update %q has no summary — add its summary, ending in \"Read more\", after the title", title)
	}
	return p.errAt(last, endCol(p.lines[last]), "the summary of %q (line %d) does not end in \"Read more\" %s — add \" Read more\" at the end of the summary's last line", title, ti+1, where)
}

// wrongRepeat explains why line next, after the "Read more" on line k, is
// not the title of line ti repeated.
func (p *parser) wrongRepeat(title string, ti, k, next int) *ParseError {
	rs := p.lines[next]
	rt := strings.TrimSpace(rs)
	// Both "Read more" and the repeated title missing: the summary ran on
	// into the next update, whose title now comes back.
	for j := ti + 1; j < k; j++ {
		if strings.TrimSpace(p.lines[j]) == rt {
			last := p.prevNonBlank(j - 1)
			return p.errAt(last, endCol(p.lines[last]), "the summary of %q (line %d) does not end in \"Read more\", and its title is not repeated, before the next update %q on line %d — add \" Read more\" at the end of the summary's last line and the title on its own line after it", title, ti+1, rt, j+1)
		}
	}
	// Only the repeated title missing: line next starts the next update,
	// whose title comes back later.
	for j := next + 1; j < len(p.lines); j++ {
		if looksDated(p.lines[j]) {
			break
		}
		if strings.TrimSpace(p.lines[j]) == rt {
			return p.errAt(next, indentCol(rs), "the title of %q (line %d) is not repeated after its summary: line %d starts the next update — add the title on its own line after \"Read more\"", title, ti+1, next+1)
		}
	}
	col := indentCol(rs) + commonPrefixRunes(title, rt)
	return p.errAt(next, col, "the repeated title differs from the title on line %d: expected %q, found %q — make the two lines the same", ti+1, title, rt)
}

// dated parses the dated update whose dated line is di and returns it with
// the index of the line after it.
func (p *parser) dated(di int) (Update, int, *ParseError) {
	date, err := p.datedLine(di)
	if err != nil {
		return Update{}, 0, err
	}
	n := len(p.lines)
	ti := p.nextNonBlank(di + 1)
	if ti >= n {
		return Update{}, 0, p.errAt(di, endCol(p.lines[di]), "the dated line is not followed by an update — add the update's title and summary after it")
	}
	if looksDated(p.lines[ti]) {
		return Update{}, 0, p.errAt(ti, indentCol(p.lines[ti]), "expected the title of the update dated on line %d, found another dated line — add the title and summary after line %d", di+1, di+1)
	}
	title, err := p.title(ti)
	if err != nil {
		return Update{}, 0, err
	}
	end, found := n, false
	var m marker
	for k := ti + 1; k < n; k++ {
		s := p.lines[k]
		if isBlank(s) {
			continue
		}
		if looksDated(s) {
			end = k
			break
		}
		if strings.TrimSpace(s) == title {
			return Update{}, 0, p.repeatedDated(title, ti, k)
		}
		mm, ok, err := p.readMore(k)
		if err != nil {
			return Update{}, 0, err
		}
		if ok {
			m, end, found = mm, k, true
			break
		}
	}
	summary := joinSummary(p.lines[ti+1:end], m.before)
	if summary == "" {
		return Update{}, 0, p.errAt(ti, endCol(p.lines[ti]), "the update %q has no summary — add its summary after the title", title)
	}
	next := end
	langs := m.langs
	if found {
		langs, next, err = p.moreTranslations(m.langs, end)
		if err != nil {
			return Update{}, 0, err
		}
		if next < n && strings.TrimSpace(p.lines[next]) == title {
			return Update{}, 0, p.repeatedDated(title, ti, next)
		}
	}
	return Update{Title: title, Summary: summary, Date: date, Translations: langs, Line: ti + 1}, next, nil
}

func (p *parser) repeatedDated(title string, ti, k int) *ParseError {
	return p.errAt(k, indentCol(p.lines[k]), "line %d repeats the title of the dated update on line %d, but dated updates do not repeat their title — delete line %d", k+1, ti+1, k+1)
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

const latest = "latest developments"

// looksDated reports whether s is meant as a dated line: it starts with a
// weekday's name (maybe followed by punctuation) and ends in "Latest
// Developments" (maybe followed by dashes), in any case. datedLine then says
// what, if anything, is wrong with it. A sentence that only starts with a
// weekday, or mentions the latest developments, is text.
func looksDated(s string) bool {
	t := strings.TrimSpace(s)
	w := t
	if i := strings.IndexFunc(t, unicode.IsSpace); i >= 0 {
		w = t[:i]
	}
	if _, ok := weekdays[strings.ToLower(strings.TrimRight(w, ",.;:"))]; !ok {
		return false
	}
	e := strings.TrimRightFunc(t, func(r rune) bool { return r == '-' || unicode.IsSpace(r) })
	return len(e) >= len(latest) && strings.EqualFold(e[len(e)-len(latest):], latest)
}

const datedExample = "like \"Tuesday 17.3.2020 Kazakhstan - Latest Developments -\""

// datedLine parses line di, for which looksDated holds.
func (p *parser) datedLine(di int) (civicmon.Date, *ParseError) {
	s := p.lines[di]
	// The weekday.
	wOff := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	wEnd := tokenEnd(s, wOff)
	wName := s[wOff:wEnd]
	named, ok := weekdays[strings.ToLower(wName)]
	if !ok {
		return civicmon.Date{}, p.errAt(di, colOf(s, wOff), "expected a weekday's name, found %q — write the dated line %s", wName, datedExample)
	}
	// The date.
	dOff := wEnd + (len(s[wEnd:]) - len(strings.TrimLeftFunc(s[wEnd:], unicode.IsSpace)))
	dEnd := tokenEnd(s, dOff)
	dTok := s[dOff:dEnd]
	dCol := colOf(s, dOff)
	parts := strings.Split(dTok, ".")
	if len(parts) != 3 || !digits(parts[0], 1, 2) || !digits(parts[1], 1, 2) || !digits(parts[2], 4, 4) {
		return civicmon.Date{}, p.errAt(di, dCol, "expected a date as day.month.year after the weekday, found %q — write the dated line %s", dTok, datedExample)
	}
	day, month, year := atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	if month < 1 || month > 12 {
		return civicmon.Date{}, p.errAt(di, dCol, "%q is not a date: there is no month %d — write the date as day.month.year", dTok, month)
	}
	days := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day < 1 || day > days {
		return civicmon.Date{}, p.errAt(di, dCol, "%q is not a date: %s %d has %d days — correct the day or the month (the date is day.month.year)", dTok, time.Month(month), year, days)
	}
	date := civicmon.NewDate(year, time.Month(month), day)
	if wd := date.Time().Weekday(); wd != named {
		return civicmon.Date{}, p.errAt(di, colOf(s, wOff), "%s is a %s, not a %s — correct the weekday or the date", dTok, wd, named)
	}
	// The country and "- Latest Developments -", read from the right, as a
	// country's name may hold a hyphen.
	bad := func() *ParseError {
		return p.errAt(di, colOf(s, dEnd), "expected the country's name and \"- Latest Developments -\" after the date — write the dated line %s", datedExample)
	}
	r := strings.TrimRightFunc(s[dEnd:], unicode.IsSpace)
	if !strings.HasSuffix(r, "-") {
		return civicmon.Date{}, bad()
	}
	r = strings.TrimRightFunc(r[:len(r)-1], unicode.IsSpace)
	if len(r) < len(latest) || !strings.EqualFold(r[len(r)-len(latest):], latest) {
		return civicmon.Date{}, bad()
	}
	r = strings.TrimRightFunc(r[:len(r)-len(latest)], unicode.IsSpace)
	if !strings.HasSuffix(r, "-") {
		return civicmon.Date{}, bad()
	}
	r = r[:len(r)-1]
	country := strings.TrimSpace(r)
	if country == "" {
		return civicmon.Date{}, p.errAt(di, colOf(s, dEnd), "the dated line names no country — write the dated line %s", datedExample)
	}
	if !strings.EqualFold(country, p.country) {
		cOff := dEnd + len(r) - len(strings.TrimLeftFunc(r, unicode.IsSpace))
		return civicmon.Date{}, p.errAt(di, colOf(s, cOff), "the dated line names %q, but the dossier is for %q (line %d) — a dossier holds one country's updates: correct the country or move the update to its own country's file", country, p.country, p.cline+1)
	}
	return date, nil
}

// A marker is a "Read more" at the end of a line.
type marker struct {
	before string   // the line's text before it, right-trimmed
	langs  []string // from "| Read in <Language>" after it
}

const readMoreText = "Read more"

// readMore reports whether line k ends in "Read more", optionally followed
// by translations.
func (p *parser) readMore(k int) (marker, bool, *ParseError) {
	s := p.lines[k]
	t := strings.TrimRightFunc(s, unicode.IsSpace)
	i := strings.LastIndex(t, readMoreText)
	if i < 0 {
		return marker{}, false, nil
	}
	rest := t[i+len(readMoreText):]
	restOff := i + len(readMoreText)
	if trimmed := strings.TrimLeftFunc(rest, unicode.IsSpace); trimmed != "" && trimmed[0] != '|' {
		return marker{}, false, nil // "Read more" inside the text
	}
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(t[:i]); !unicode.IsSpace(r) {
			return marker{}, false, p.errAt(k, colOf(s, i), "\"Read more\" is joined to the text before it — put a space before \"Read more\"")
		}
	}
	langs, err := p.translations(k, restOff, nil)
	if err != nil {
		return marker{}, false, err
	}
	return marker{before: strings.TrimRightFunc(t[:i], unicode.IsSpace), langs: langs}, true, nil
}

// translations parses "| Read in X | Read in Y" from byte off of line k to
// its end, where only whitespace may precede the first pipe, appending the
// languages to langs.
func (p *parser) translations(k, off int, langs []string) ([]string, *ParseError) {
	s := strings.TrimRightFunc(p.lines[k], unicode.IsSpace)
	for off < len(s) {
		pipe := off + len(s[off:]) - len(strings.TrimLeftFunc(s[off:], unicode.IsSpace))
		if pipe >= len(s) {
			break
		}
		// s[pipe] is '|': the caller or the previous round checked.
		seg := s[pipe+1:]
		end := strings.IndexByte(seg, '|')
		if end < 0 {
			end = len(seg)
		}
		seg = seg[:end]
		segOff := pipe + 1 + len(seg) - len(strings.TrimLeftFunc(seg, unicode.IsSpace))
		st := strings.TrimSpace(seg)
		lang, ok := strings.CutPrefix(st, "Read in")
		if !ok || (lang != "" && !startsWithSpace(lang)) {
			return nil, p.errAt(k, colOf(s, segOff), "expected \"Read in <Language>\" after the pipe, found %q — write translations as \"Read more  |  Read in Russian\"", st)
		}
		lang = strings.TrimSpace(lang)
		if lang == "" {
			return nil, p.errAt(k, colOf(s, segOff), "\"Read in\" names no language — write translations as \"Read more  |  Read in Russian\"")
		}
		if !slices.Contains(langs, lang) {
			langs = append(langs, lang)
		}
		off = pipe + 1 + end
	}
	return langs, nil
}

// moreTranslations takes translations standing on their own line after the
// "Read more" of line k, as "|  Read in Russian", and returns the languages
// and the index of the next non-blank line after them.
func (p *parser) moreTranslations(langs []string, k int) ([]string, int, *ParseError) {
	next := p.nextNonBlank(k + 1)
	if next < len(p.lines) && isTranslationLine(p.lines[next]) {
		s := p.lines[next]
		var err *ParseError
		langs, err = p.translations(next, len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace)), langs)
		if err != nil {
			return nil, 0, err
		}
		next = p.nextNonBlank(next + 1)
	}
	return langs, next, nil
}

func isTranslationLine(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "|")
}

func joinSummary(lines []string, last string) string {
	return strings.TrimSpace(strings.Join(append(lines[:len(lines):len(lines)], last), "\n"))
}

func (p *parser) nextNonBlank(i int) int {
	for i < len(p.lines) && isBlank(p.lines[i]) {
		i++
	}
	return i
}

func (p *parser) prevNonBlank(i int) int {
	for i > 0 && isBlank(p.lines[i]) {
		i--
	}
	return i
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// colOf is the 1-based character column of byte offset off in s.
func colOf(s string, off int) int { return utf8.RuneCountInString(s[:off]) + 1 }

// indentCol is the column of s's first non-space character.
func indentCol(s string) int {
	return colOf(s, len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace)))
}

// endCol is the column just after s's last non-space character.
func endCol(s string) int { return colOf(s, len(strings.TrimRightFunc(s, unicode.IsSpace))) }

func tokenEnd(s string, off int) int {
	if i := strings.IndexFunc(s[off:], unicode.IsSpace); i >= 0 {
		return off + i
	}
	return len(s)
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

func commonPrefixRunes(a, b string) int {
	n := 0
	for a != "" && b != "" {
		ra, sa := utf8.DecodeRuneInString(a)
		rb, sb := utf8.DecodeRuneInString(b)
		if ra != rb {
			break
		}
		a, b, n = a[sa:], b[sb:], n+1
	}
	return n
}

func digits(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// invalidUTF8 returns the byte offset of the first invalid UTF-8 sequence
// in s, or -1.
func invalidUTF8(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return -1
}
