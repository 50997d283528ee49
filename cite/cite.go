// Package cite writes citations of published research updates in the
// formats reference managers import: BibTeX, RIS and CSL-JSON.
//
// A Citation is made from the public projection only (FromUpdate): its
// authors are the institution and the research partner credited in
// public, never the individual who wrote the update.
package cite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/civicmon/civicmon"
)

// Media types of the three formats.
const (
	BibTeXType  = "application/x-bibtex"
	RISType     = "application/x-research-info-systems"
	CSLJSONType = "application/vnd.citationstyles.csl+json"
)

// Institution is the corporate author of every update.
const Institution = "CIVICUS Monitor"

// ApproximateNote is the note on a citation whose publication date is
// inferred rather than known.
const ApproximateNote = "Publication date approximate"

// Citation is a reference to one update on the web.
type Citation struct {
	Key       string   // citation key: letters, digits, '-', '_', ':'
	Authors   []string // institutions, each one name (never split into given and family names)
	Title     string
	Abstract  string
	Issued    civicmon.Date
	Circa     bool // Issued is approximate
	Accessed  civicmon.Date
	URL       string
	Publisher string // the site that publishes the update
	Language  string // BCP 47 tag
	Keywords  []string
}

// FromUpdate makes the citation of a published update's public projection,
// read at permalink on the day accessed.
func FromUpdate(u civicmon.PublicUpdate, permalink, publisher string, accessed civicmon.Date) Citation {
	c := Citation{
		Key:     Key(u),
		Authors: []string{Institution}, Title: u.Title, Abstract: u.Summary,
		Issued: u.PublishedOn, Circa: u.DateApproximate, Accessed: accessed,
		URL: permalink, Publisher: publisher, Language: u.Language,
	}
	if p := strings.TrimSpace(u.Partner); p != "" && p != Institution {
		c.Authors = append(c.Authors, p)
	}
	for _, f := range u.Freedoms {
		c.Keywords = append(c.Keywords, f.Name())
	}
	return c
}

// Key is a citation key for an update: the institution, the year and the
// update's stable id, so that it does not change when the title does.
func Key(u civicmon.PublicUpdate) string {
	var b strings.Builder
	b.WriteString("civicus")
	if !u.PublishedOn.IsZero() {
		fmt.Fprintf(&b, "%04d", u.PublishedOn.Year())
	}
	b.WriteByte('-')
	for _, r := range u.UID {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// note is what a citation says besides its fields.
func (c *Citation) note() string {
	if c.Circa {
		return ApproximateNote
	}
	return ""
}

// BibTeX.

// bibtexSpecial are the characters LaTeX gives a meaning, and how to write
// them as text.
var bibtexSpecial = strings.NewReplacer(
	`\`, `\textbackslash{}`,
	`{`, `\{`,
	`}`, `\}`,
	`%`, `\%`,
	`&`, `\&`,
	`#`, `\#`,
	`$`, `\$`,
	`_`, `\_`,
	`~`, `\textasciitilde{}`,
	`^`, `\textasciicircum{}`,
	"\r\n", " ", "\n", " ", "\r", " ", "\t", " ",
)

// EscapeBibTeX writes s as LaTeX text: every special character escaped,
// every brace balanced, UTF-8 kept as it is (biber and BibTeX with
// inputenc read it).
func EscapeBibTeX(s string) string { return bibtexSpecial.Replace(s) }

// bibtexURL keeps a URL verbatim, as the url field wants, with only the
// characters that would break the .bib syntax percent-encoded.
var bibtexURL = strings.NewReplacer("{", "%7B", "}", "%7D", `\`, "%5C", " ", "%20", "\n", "", "\r", "")

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// babelNames maps language tags to the names biblatex's langid expects.
var babelNames = map[string]string{"en": "english", "fr": "french", "es": "spanish", "ru": "russian",
	"kk": "kazakh", "ar": "arabic", "pt": "portuguese", "uk": "ukrainian", "de": "german", "tr": "turkish",
	"fa": "persian", "uz": "uzbek", "ky": "kyrgyz", "zh": "chinese"}

// BibTeX returns the citation as a @misc entry that classic BibTeX styles
// and biblatex both read: corporate authors in double braces (so that no
// style splits "CIVICUS Monitor" into a given and a family name), url and
// urldate for biblatex, howpublished for classic styles.
func (c *Citation) BibTeX() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "@misc{%s,\n", c.Key)
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-12s = {%s},\n", name, value)
		}
	}
	authors := make([]string, len(c.Authors))
	for i, a := range c.Authors {
		authors[i] = "{" + EscapeBibTeX(a) + "}"
	}
	field("author", strings.Join(authors, " and "))
	field("title", "{"+EscapeBibTeX(c.Title)+"}")
	if !c.Issued.IsZero() {
		field("year", fmt.Sprintf("%04d", c.Issued.Year()))
		fmt.Fprintf(&b, "  %-12s = %s,\n", "month", months[c.Issued.Month()-1])
		field("date", c.Issued.String())
	}
	u := bibtexURL.Replace(c.URL)
	field("url", u)
	if u != "" {
		// howpublished is an argument of another macro: % and # escaped.
		field("howpublished", `\url{`+strings.NewReplacer("%", `\%`, "#", `\#`).Replace(u)+`}`)
	}
	if !c.Accessed.IsZero() {
		field("urldate", c.Accessed.String())
	}
	field("publisher", EscapeBibTeX(c.Publisher))
	if c.Language != "" {
		if n, ok := babelNames[primaryLanguage(c.Language)]; ok {
			field("langid", n)
			field("language", n)
		} else {
			field("language", EscapeBibTeX(c.Language))
		}
	}
	field("keywords", EscapeBibTeX(strings.Join(c.Keywords, ", ")))
	field("abstract", EscapeBibTeX(c.Abstract))
	var notes []string
	if n := c.note(); n != "" {
		notes = append(notes, n)
	}
	if !c.Accessed.IsZero() {
		notes = append(notes, "Accessed "+c.Accessed.String())
	}
	field("note", EscapeBibTeX(strings.Join(notes, ". ")))
	b.WriteString("}\n")
	return b.Bytes()
}

func primaryLanguage(tag string) string {
	p, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return p
}

// RIS.

// RIS returns the citation as one RIS record of type ELEC (web page):
// every line "TAG  - value", the record closed by "ER  - ".
func (c *Citation) RIS() []byte {
	var b bytes.Buffer
	line := func(tag, value string) {
		value = strings.TrimSpace(risLine.Replace(value))
		if value != "" {
			fmt.Fprintf(&b, "%s  - %s\r\n", tag, value)
		}
	}
	line("TY", "ELEC")
	line("ID", c.Key)
	for _, a := range c.Authors {
		line("AU", a)
	}
	line("TI", c.Title)
	if !c.Issued.IsZero() {
		line("PY", fmt.Sprintf("%04d", c.Issued.Year()))
		line("DA", c.Issued.Format("2006/01/02/"))
	}
	line("UR", c.URL)
	if !c.Accessed.IsZero() {
		line("Y2", c.Accessed.Format("2006/01/02/"))
	}
	line("PB", c.Publisher)
	line("LA", c.Language)
	for _, k := range c.Keywords {
		line("KW", k)
	}
	line("AB", c.Abstract)
	line("N1", c.note())
	b.WriteString("ER  - \r\n")
	return b.Bytes()
}

// risLine keeps a value on its one line.
var risLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// CSL-JSON.

// CSLItem is a CSL-JSON item (https://github.com/citation-style-language/schema,
// csl-data.json) with the variables a web page citation uses.
type CSLItem struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Title     string    `json:"title"`
	Author    []CSLName `json:"author,omitempty"`
	Issued    *CSLDate  `json:"issued,omitempty"`
	Accessed  *CSLDate  `json:"accessed,omitempty"`
	URL       string    `json:"URL,omitempty"`
	Publisher string    `json:"publisher,omitempty"`
	Language  string    `json:"language,omitempty"`
	Abstract  string    `json:"abstract,omitempty"`
	Keyword   string    `json:"keyword,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// CSLName is a name; institutions are literal names.
type CSLName struct {
	Literal string `json:"literal,omitempty"`
	Family  string `json:"family,omitempty"`
	Given   string `json:"given,omitempty"`
}

// CSLDate is a date as date-parts, [[year, month, day]].
type CSLDate struct {
	DateParts [][]int `json:"date-parts"`
	Circa     bool    `json:"circa,omitempty"`
}

func cslDate(d civicmon.Date, circa bool) *CSLDate {
	if d.IsZero() {
		return nil
	}
	return &CSLDate{DateParts: [][]int{{d.Year(), int(d.Month()), d.Day()}}, Circa: circa}
}

// CSL returns the citation as a CSL-JSON item of type "webpage".
func (c *Citation) CSL() CSLItem {
	it := CSLItem{ID: c.Key, Type: "webpage", Title: c.Title, Issued: cslDate(c.Issued, c.Circa),
		Accessed: cslDate(c.Accessed, false), URL: c.URL, Publisher: c.Publisher,
		Language: c.Language, Abstract: c.Abstract, Keyword: strings.Join(c.Keywords, ", "), Note: c.note()}
	for _, a := range c.Authors {
		it.Author = append(it.Author, CSLName{Literal: a})
	}
	return it
}

// CSLJSON returns the citation as a CSL-JSON document: an array of one item,
// which is what citeproc processors, Zotero and pandoc read.
func (c *Citation) CSLJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode([]CSLItem{c.CSL()}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Plain text.

// TextType is the media type of the plain text citation.
const TextType = "text/plain"

// Text returns the citation as a journalist would paste it: authors,
// title in quotes, publisher, date, link and the day it was read, in
// English, on one line.
//
//	CIVICUS Monitor, "Kazakhstan: …", civicmon, 21 June 2022, https://… (accessed 26 November 2026).
func (c *Citation) Text() string {
	var b strings.Builder
	b.WriteString(strings.Join(c.Authors, " and "))
	fmt.Fprintf(&b, ", “%s”", strings.TrimSpace(risLine.Replace(c.Title)))
	if c.Publisher != "" {
		b.WriteString(", " + c.Publisher)
	}
	if !c.Issued.IsZero() {
		if c.Circa {
			b.WriteString(", c. " + c.Issued.Format("January 2006"))
		} else {
			b.WriteString(", " + c.Issued.Format("2 January 2006"))
		}
	}
	if c.URL != "" {
		b.WriteString(", " + c.URL)
	}
	if !c.Accessed.IsZero() {
		b.WriteString(" (accessed " + c.Accessed.Format("2 January 2006") + ")")
	}
	b.WriteString(".")
	return b.String()
}

// FromCountry makes the citation of a country's page: the institution's
// page on the country, dated by its latest change (a rating or an update),
// read at permalink on the day accessed.
func FromCountry(c *civicmon.Country, permalink, publisher string, updated, accessed civicmon.Date) Citation {
	return Citation{
		Key:     "civicus-country-" + strings.ToLower(c.Code),
		Authors: []string{Institution}, Title: c.Name + ": civic space rating and research updates",
		Issued: updated, Accessed: accessed, URL: permalink, Publisher: publisher, Language: "en",
		Keywords: []string{"civic space", c.Name},
	}
}
