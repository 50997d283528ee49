package site_test

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
)

// citeTitle holds every character a citation format gives a meaning.
const citeTitle = `Law #5 on {NGOs} cuts 100% of "foreign" funding & more: $1_000 ~ ^ \ — закон «об НКО»`

// citeSite is the feed site with an update whose title and partner are
// hard to cite; the test moves its clock with SetNow.
func citeSite(t *testing.T) (*feedSite, *civicmon.Update) {
	t.Helper()
	fs := newFeedSite(t)
	u := &civicmon.Update{CountryCode: "KZ", Title: citeTitle, Slug: "law-on-ngos", Summary: "A law on NGOs.\nSecond line.",
		Body: "Text.", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2022-06-21"), DateApproximate: true,
		Partner: "Бюро & {Partners} 50%", Language: "ru", AuthorID: fs.pub.AuthorID, InternalNotes: feedCanary,
		Freedoms: civicmon.NewFreedomSet(civicmon.Association)}
	if err := fs.Store.CreateUpdate(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return fs, u
}

// cite fetches a citation the way a browser does: the bare link is sent on
// to the URL with today's date, which answers.
func (fs *feedSite) cite(t *testing.T, slug, format, today string) response {
	t.Helper()
	path := "/updates/" + slug + "/cite/" + format
	first := get(t, fs.URL+path)
	if first.status != http.StatusSeeOther {
		t.Fatalf("%s: %d, want 303 to the dated URL", path, first.status)
	}
	loc := first.header.Get("Location")
	if loc != path+"?accessed="+today {
		t.Fatalf("%s: sent on to %q, want ?accessed=%s", path, loc, today)
	}
	r := get(t, fs.URL+loc)
	if r.status != 200 {
		t.Fatalf("%s: %d", loc, r.status)
	}
	if strings.Contains(strings.ToLower(r.body), feedCanary) {
		t.Errorf("%s shows a secret: %s", loc, r.body)
	}
	return r
}

func checkDownload(t *testing.T, r response, contentType, filename string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != contentType {
		t.Errorf("Content-Type %q, want %q", ct, contentType)
	}
	disp, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != filename {
		t.Errorf("Content-Disposition %q, want attachment; filename=%q", r.header.Get("Content-Disposition"), filename)
	}
	if r.header.Get("ETag") == "" {
		t.Error("citation not served through the page cache (no ETag)")
	}
}

// bibtexEntry parses one BibTeX entry: its type, key and fields, each
// value braced; it fails on unbalanced braces.
func bibtexEntry(t *testing.T, s string) (typ, key string, fields map[string]string) {
	t.Helper()
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // an escaped character, \{ or \}, is text
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				t.Fatalf("unbalanced } at %d: %s", i, s)
			}
		}
	}
	if depth != 0 {
		t.Fatalf("braces unbalanced (%d open): %s", depth, s)
	}
	m := regexp.MustCompile(`(?s)^@(\w+)\{([A-Za-z0-9_:-]+),\n(.*)\}\n$`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("not one BibTeX entry: %s", s)
	}
	typ, key, rest := m[1], m[2], m[3]
	fields = map[string]string{}
	field := regexp.MustCompile(`^\s*([a-z]+)\s*=\s*`)
	for strings.TrimSpace(rest) != "" {
		fm := field.FindStringSubmatch(rest)
		if fm == nil {
			t.Fatalf("bad field at %q", rest)
		}
		rest = rest[len(fm[0]):]
		var value string
		if rest[0] == '{' {
			d := 0
			for i := 0; i < len(rest); i++ {
				if rest[i] == '\\' {
					i++
					continue
				}
				if rest[i] == '{' {
					d++
				} else if rest[i] == '}' {
					if d--; d == 0 {
						value, rest = rest[1:i], rest[i+1:]
						break
					}
				}
			}
		} else { // a macro: month = jun
			end := strings.IndexAny(rest, ",\n")
			value, rest = rest[:end], rest[end:]
		}
		if _, dup := fields[fm[1]]; dup {
			t.Fatalf("field %s twice", fm[1])
		}
		fields[fm[1]] = value
		rest = strings.TrimPrefix(strings.TrimLeft(rest, " "), ",")
	}
	return typ, key, fields
}

// unTeX reads back escaped LaTeX text.
var unTeX = strings.NewReplacer(`\textbackslash{}`, `\`, `\textasciitilde{}`, `~`, `\textasciicircum{}`, `^`,
	`\{`, `{`, `\}`, `}`, `\%`, `%`, `\&`, `&`, `\#`, `#`, `\$`, `$`, `\_`, `_`)

func TestCiteBibTeX(t *testing.T) {
	fs, u := citeSite(t)
	r := fs.cite(t, u.Slug, "bibtex", "2026-11-26")
	checkDownload(t, r, "application/x-bibtex; charset=utf-8", "law-on-ngos.bib")
	typ, key, f := bibtexEntry(t, r.body)
	if typ != "misc" || !strings.HasPrefix(key, "civicus2022-") {
		t.Errorf("entry @%s{%s", typ, key)
	}
	for _, name := range []string{"author", "title", "year", "month", "date", "url", "urldate", "howpublished", "publisher", "note", "language"} {
		if f[name] == "" {
			t.Errorf("no %s field", name)
		}
	}
	if got := unTeX.Replace(strings.TrimSuffix(strings.TrimPrefix(f["title"], "{"), "}")); got != citeTitle {
		t.Errorf("title reads back as %q, want %q", got, citeTitle)
	}
	if f["author"] != `{CIVICUS Monitor} and {Бюро \& \{Partners\} 50\%}` {
		t.Errorf("author %q: want the institution and the partner, each one name", f["author"])
	}
	url := fs.URL + "/updates/law-on-ngos"
	if f["url"] != url || f["howpublished"] != `\url{`+url+`}` || f["urldate"] != "2026-11-26" {
		t.Errorf("url %q, howpublished %q, urldate %q", f["url"], f["howpublished"], f["urldate"])
	}
	if f["year"] != "2022" || f["month"] != "jun" || f["date"] != "2022-06-21" || f["publisher"] != "civicmon" || f["language"] != "russian" {
		t.Errorf("year %q month %q date %q publisher %q language %q", f["year"], f["month"], f["date"], f["publisher"], f["language"])
	}
	if !strings.Contains(f["note"], "Publication date approximate") || !strings.Contains(f["note"], "Accessed 2026-11-26") {
		t.Errorf("note %q does not say the date is approximate and when it was accessed", f["note"])
	}
	if !strings.Contains(f["abstract"], "A law on NGOs. Second line.") {
		t.Errorf("abstract %q", f["abstract"])
	}
}

var risLine = regexp.MustCompile(`^([A-Z][A-Z0-9])  - (.*)$`)

func TestCiteRIS(t *testing.T) {
	fs, u := citeSite(t)
	r := fs.cite(t, u.Slug, "ris", "2026-11-26")
	checkDownload(t, r, "application/x-research-info-systems; charset=utf-8", "law-on-ngos.ris")
	if !strings.HasSuffix(r.body, "\r\n") {
		t.Error("the last line is not ended")
	}
	lines := strings.Split(strings.TrimSuffix(r.body, "\r\n"), "\r\n")
	tags := map[string][]string{}
	for i, l := range lines {
		m := risLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %d %q is not \"TAG  - value\"", i+1, l)
		}
		tags[m[1]] = append(tags[m[1]], m[2])
		if i > 0 && i < len(lines)-1 && (m[1] == "TY" || m[1] == "ER") {
			t.Errorf("line %d: %s inside the record", i+1, m[1])
		}
	}
	if lines[0] != "TY  - ELEC" || strings.TrimRight(lines[len(lines)-1], " ") != "ER  -" {
		t.Fatalf("record from %q to %q, want TY  - ELEC … ER  -", lines[0], lines[len(lines)-1])
	}
	for tag, want := range map[string]string{
		"TI": citeTitle, "PY": "2022", "DA": "2022/06/21/", "Y2": "2026/11/26/", "UR": fs.URL + "/updates/law-on-ngos",
		"PB": "civicmon", "LA": "ru", "N1": "Publication date approximate", "AB": "A law on NGOs. Second line.",
		"AU": "CIVICUS Monitor|Бюро & {Partners} 50%",
	} {
		if got := strings.Join(tags[tag], "|"); got != want {
			t.Errorf("%s %q, want %q", tag, got, want)
		}
	}
}

// cslVariables are the top-level keys the CSL-JSON schema (csl-data.json)
// knows; a citation must use no other.
var cslVariables = strings.Fields(`id type categories language journalAbbreviation shortTitle author chair
	collection-editor compiler composer container-author contributor curator director editor editorial-director
	executive-producer guest host interviewer illustrator narrator organizer original-author performer producer
	recipient reviewed-author script-writer series-creator translator accessed available-date event-date issued
	original-date submitted abstract annote archive archive_collection archive_location archive-place authority
	call-number chapter-number citation-number citation-label collection-number collection-title container-title
	container-title-short dimensions division DOI edition event event-title event-place first-reference-note-number
	genre ISBN ISSN issue jurisdiction keyword locator medium note number number-of-pages number-of-volumes
	original-publisher original-publisher-place original-title page page-first part-number part-title PMCID PMID
	printing publisher publisher-place references reviewed-genre reviewed-title scale section source status
	supplement-number title title-short URL version volume volume-title volume-title-short year-suffix custom`)

func TestCiteCSLJSON(t *testing.T) {
	fs, u := citeSite(t)
	r := fs.cite(t, u.Slug, "csl-json", "2026-11-26")
	checkDownload(t, r, "application/vnd.citationstyles.csl+json", "law-on-ngos.json")
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &raw); err != nil || len(raw) != 1 {
		t.Fatalf("not an array of one CSL item: %v", err)
	}
	for k := range raw[0] {
		if !hasString(cslVariables, k) {
			t.Errorf("%q is not a CSL variable", k)
		}
	}
	type date struct {
		DateParts [][]int `json:"date-parts"`
		Circa     any     `json:"circa"`
	}
	var items []struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		Title     string `json:"title"`
		URL       string `json:"URL"`
		Publisher string `json:"publisher"`
		Language  string `json:"language"`
		Note      string `json:"note"`
		Author    []map[string]string
		Issued    *date `json:"issued"`
		Accessed  *date `json:"accessed"`
	}
	if err := json.Unmarshal([]byte(r.body), &items); err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if it.ID == "" || it.Type != "webpage" || it.Title != citeTitle || it.URL != fs.URL+"/updates/law-on-ngos" ||
		it.Publisher != "civicmon" || it.Language != "ru" || it.Note != "Publication date approximate" {
		t.Errorf("item %+v", it)
	}
	if it.Issued == nil || len(it.Issued.DateParts) != 1 || len(it.Issued.DateParts[0]) != 3 ||
		it.Issued.DateParts[0][0] != 2022 || it.Issued.DateParts[0][1] != 6 || it.Issued.DateParts[0][2] != 21 || it.Issued.Circa != true {
		t.Errorf("issued %+v", it.Issued)
	}
	if it.Accessed == nil || len(it.Accessed.DateParts) != 1 || len(it.Accessed.DateParts[0]) != 3 ||
		it.Accessed.DateParts[0][0] != 2026 || it.Accessed.DateParts[0][1] != 11 || it.Accessed.DateParts[0][2] != 26 {
		t.Errorf("accessed %+v", it.Accessed)
	}
	if len(it.Author) != 2 || it.Author[0]["literal"] != "CIVICUS Monitor" || it.Author[1]["literal"] != "Бюро & {Partners} 50%" {
		t.Errorf("authors %v", it.Author)
	}
}

// TestCiteAccessDate: the access date is the server's today, also when the
// page cache has kept yesterday's answer, and another date is corrected.
func TestCiteAccessDate(t *testing.T) {
	fs, u := citeSite(t)
	fs.cite(t, u.Slug, "ris", "2026-11-26")
	fs.SetNow(testNow.Add(24 * time.Hour))
	r := fs.cite(t, u.Slug, "ris", "2026-11-27")
	if !strings.Contains(r.body, "Y2  - 2026/11/27/") {
		t.Errorf("the next day's citation: %s", r.body)
	}
	// A date other than today is sent on to today. (A dated URL the cache
	// still holds from its day keeps answering with that day, as it says.)
	for _, q := range []string{"?accessed=2026-11-25", "?accessed=2026-11-27&accessed=2020-01-01", "?accessed=x", "?accessed="} {
		r := get(t, fs.URL+"/updates/"+u.Slug+"/cite/ris"+q)
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "?accessed=2026-11-27") {
			t.Errorf("%s: %d to %q, want 303 to today", q, r.status, r.header.Get("Location"))
		}
	}
}

// TestCiteOnlyPublished: no citation of an unpublished or unknown update,
// and none names who wrote it.
func TestCiteOnlyPublished(t *testing.T) {
	fs, _ := citeSite(t)
	for _, slug := range []string{"feed-hidden-draft", "feed-hidden-in-review", "feed-hidden-archived", "no-such-update"} {
		for _, f := range []string{"bibtex", "ris", "csl-json"} {
			for _, q := range []string{"", "?accessed=2026-11-26"} {
				r := get(t, fs.URL+"/updates/"+slug+"/cite/"+f+q)
				if r.status != 404 || strings.Contains(r.body, feedCanary) {
					t.Errorf("%s %s%s: %d, want 404", slug, f, q, r.status)
				}
			}
		}
	}
	for _, f := range []string{"bibtex", "ris", "csl-json"} {
		r := fs.cite(t, fs.pub.Slug, f, "2026-11-26")
		if strings.Contains(r.body, "Author") || !strings.Contains(r.body, "CIVICUS Monitor") ||
			!strings.Contains(r.body, "Kazakhstan International Bureau for Human Rights") {
			t.Errorf("%s: credits wrong: %s", f, r.body)
		}
	}
}

// TestCiteLinksOnUpdatePage: the update page offers the three formats as
// plain links, and each gives the citation.
func TestCiteLinksOnUpdatePage(t *testing.T) {
	fs, u := citeSite(t)
	page := get(t, fs.URL+"/updates/"+u.Slug)
	if !strings.Contains(page.body, `<h2 id="cite-heading">Cite this update</h2>`) {
		t.Fatal("no Cite section")
	}
	links := regexp.MustCompile(`<a href="(/updates/law-on-ngos/cite/[a-z-]+)"[^>]*>(BibTeX|RIS|CSL-JSON)</a>`).FindAllStringSubmatch(page.body, -1)
	if len(links) != 3 {
		t.Fatalf("%d citation links, want 3", len(links))
	}
	for _, l := range links {
		format := strings.TrimPrefix(l[1], "/updates/law-on-ngos/cite/")
		fs.cite(t, u.Slug, format, "2026-11-26")
	}
	fr := get(t, fs.URL+"/updates/"+u.Slug+"?lang=ru")
	if !strings.Contains(fr.body, "Цитировать этот обзор") {
		t.Error("the Cite heading is not translated")
	}
}
