// Package feed writes web feeds of research updates: Atom 1.0 (RFC 4287)
// and JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
//
// A Feed is built from the public projection only: entries come from
// civicmon.PublicUpdate (FromUpdate), which has no internal notes, author,
// source contacts or victims' names, so a feed cannot carry them.
package feed

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/markdown"
)

// Media types of the two formats.
const (
	AtomType = "application/atom+xml"
	JSONType = "application/feed+json"
	// JSONFeedVersion is the version URL a JSON Feed 1.1 document declares.
	JSONFeedVersion = "https://jsonfeed.org/version/1.1"
)

// Feed is a feed in neither format: what both are written from.
type Feed struct {
	ID       string // a permanent, universally unique IRI (see TagURI)
	Title    string
	Subtitle string
	Language string // BCP 47 tag of the feed's own text (its title)
	HomeURL  string // absolute URL of the HTML page the feed follows
	SelfURL  string // absolute URL of this feed
	Updated  time.Time
	Authors  []string // the publishing institution: never an individual
	Entries  []Entry  // newest first
}

// Entry is one update in a feed.
type Entry struct {
	ID          string
	URL         string // absolute permalink
	Title       string
	Summary     string // plain text
	ContentHTML string // sanitised HTML
	Language    string // BCP 47 tag of the entry's text
	Published   time.Time
	Updated     time.Time
	Authors     []string // partner credit; empty: the feed's authors
	Categories  []Category
}

// Category classifies an entry: Scheme+Term is the URL of the page that
// lists the category's updates; Label is its name for people.
type Category struct {
	Term, Scheme, Label string
}

// FromUpdate makes an entry of a published update's public projection:
// title, summary, the body rendered from Markdown and sanitised, dates
// and language. The caller adds categories and credits.
func FromUpdate(u civicmon.PublicUpdate, id, permalink string) Entry {
	published := u.PublishedOn.Time()
	return Entry{
		ID: id, URL: permalink, Title: u.Title, Summary: u.Summary,
		ContentHTML: string(markdown.ToHTML(u.Body)), Language: u.Language,
		Published: published, Updated: published,
	}
}

// TagURI returns a tag URI (RFC 4151) for a thing named specific, minted
// by the authority that runs baseURL. The date is fixed: an id must never
// change, and this one depends on nothing but the site's host and the
// thing's stable name (an update's UID, not its slug or dates, which
// editors may change).
func TagURI(baseURL, specific string) string {
	host := baseURL
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	host = strings.ToLower(host)
	if host == "" {
		host = "localhost"
	}
	return "tag:" + host + "," + tagDate + ":" + specific
}

// tagDate is the date in every tag URI: the year civicmon's ids were fixed.
const tagDate = "2026"

// rfc3339 formats a time as both formats want it, in UTC.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Atom.

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName  xml.Name    `xml:"feed"`
	NS       string      `xml:"xmlns,attr"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle *atomText   `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Authors  []atomName  `xml:"author"`
	Links    []atomLink  `xml:"link"`
	Gen      atomGen     `xml:"generator"`
	Entries  []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Lang string `xml:"xml:lang,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomName struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr,omitempty"`
	Type     string `xml:"type,attr,omitempty"`
	Hreflang string `xml:"hreflang,attr,omitempty"`
	Href     string `xml:"href,attr"`
}

type atomGen struct {
	URI  string `xml:"uri,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Lang       string         `xml:"xml:lang,attr,omitempty"`
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Authors    []atomName     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
}

// WriteAtom writes the feed as an Atom 1.0 document.
func (f *Feed) WriteAtom(w io.Writer) error {
	a := atomFeed{NS: atomNS, Lang: f.Language, ID: f.ID, Title: atomText{Type: "text", Body: f.Title},
		Updated: rfc3339(f.Updated), Gen: atomGen{URI: "https://github.com/civicmon/civicmon", Body: "civicmon"}}
	if f.Subtitle != "" {
		a.Subtitle = &atomText{Type: "text", Body: f.Subtitle}
	}
	for _, n := range f.Authors {
		a.Authors = append(a.Authors, atomName{n})
	}
	a.Links = append(a.Links, atomLink{Rel: "self", Type: AtomType, Href: f.SelfURL})
	if f.HomeURL != "" {
		a.Links = append(a.Links, atomLink{Rel: "alternate", Type: "text/html", Href: f.HomeURL})
	}
	for _, e := range f.Entries {
		ae := atomEntry{Lang: e.Language, ID: e.ID, Title: atomText{Type: "text", Body: e.Title},
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Hreflang: e.Language, Href: e.URL}},
			Published: rfc3339(e.Published), Updated: rfc3339(e.Updated)}
		for _, n := range e.Authors {
			ae.Authors = append(ae.Authors, atomName{n})
		}
		for _, c := range e.Categories {
			ae.Categories = append(ae.Categories, atomCategory(c))
		}
		if e.Summary != "" {
			ae.Summary = &atomText{Type: "text", Body: e.Summary}
		}
		if e.ContentHTML != "" {
			ae.Content = &atomText{Type: "html", Body: e.ContentHTML}
		}
		a.Entries = append(a.Entries, ae)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("atom feed: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// JSON Feed.

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url,omitempty"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	Title         string       `json:"title"`
	Summary       string       `json:"summary,omitempty"`
	ContentHTML   string       `json:"content_html"`
	DatePublished string       `json:"date_published"`
	DateModified  string       `json:"date_modified"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
	Language      string       `json:"language,omitempty"`
}

// WriteJSON writes the feed as a JSON Feed 1.1 document.
func (f *Feed) WriteJSON(w io.Writer) error {
	j := jsonFeed{Version: JSONFeedVersion, Title: f.Title, HomePageURL: f.HomeURL, FeedURL: f.SelfURL,
		Description: f.Subtitle, Language: f.Language, Items: []jsonItem{}}
	for _, n := range f.Authors {
		j.Authors = append(j.Authors, jsonAuthor{n})
	}
	for _, e := range f.Entries {
		it := jsonItem{ID: e.ID, URL: e.URL, Title: e.Title, Summary: e.Summary, ContentHTML: e.ContentHTML,
			DatePublished: rfc3339(e.Published), DateModified: rfc3339(e.Updated), Language: e.Language}
		if it.ContentHTML == "" {
			// One of content_html and content_text must be present.
			it.ContentHTML = "<p>" + xmlEscape(e.Summary) + "</p>"
		}
		for _, n := range e.Authors {
			it.Authors = append(it.Authors, jsonAuthor{n})
		}
		for _, c := range e.Categories {
			it.Tags = append(it.Tags, c.Label)
		}
		j.Items = append(j.Items, it)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(j); err != nil {
		return fmt.Errorf("json feed: %w", err)
	}
	return nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
