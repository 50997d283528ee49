package site_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// feedCanary marks every secret planted for the feed and citation tests.
const feedCanary = "zqfeedsecret"

// feedSite is the demo site with a published update whose private fields
// hold canaries, written by an author whose name is one, and unpublished
// updates that are canaries whole.
type feedSite struct {
	*webtest.Env
	pub *civicmon.Update
}

func newFeedSite(t *testing.T) *feedSite {
	t.Helper()
	env := newEnv(t)
	ctx := context.Background()
	s := env.Store
	author := &civicmon.User{Email: feedCanary + "@example.org", Name: feedCanary + " Author", Role: civicmon.RoleResearcher, PasswordHash: "x"}
	if err := s.CreateUser(ctx, author); err != nil {
		t.Fatal(err)
	}
	for _, st := range []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview, civicmon.StatusArchived} {
		u := civicmon.Update{CountryCode: "KZ", Title: feedCanary + " " + string(st), Slug: "feed-hidden-" + strings.ReplaceAll(string(st), "_", "-"),
			Summary: feedCanary, Body: feedCanary, Status: st, PublishedOn: civicmon.MustDate("2026-11-25"), AuthorID: author.ID,
			Freedoms: civicmon.NewFreedomSet(civicmon.Assembly, civicmon.Expression), Violations: []string{"censorship", "detention-of-protesters"}}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	pub := &civicmon.Update{CountryCode: "KZ", Title: `Protesters detained in Almaty: "peaceful" & {braced} 100% — задержаны`,
		Slug: "protesters-detained-in-almaty", Summary: "Police detained three protesters.",
		Body:   "Police **detained** three protesters.\n\n<script>alert(1)</script>\n\n[Report](https://example.org/report)",
		Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2026-11-20"), AuthorID: author.ID,
		Partner: "Kazakhstan International Bureau for Human Rights", Language: "en",
		Freedoms: civicmon.NewFreedomSet(civicmon.Assembly), Violations: []string{"detention-of-protesters"},
		InternalNotes: feedCanary + " internal note",
		Sources:       []civicmon.Source{{URL: "https://example.org/report", Title: "Report", Contact: feedCanary + " source contact"}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Assembly, Violation: "detention-of-protesters", Target: "protesters",
			PeopleAffected: 3, Place: "Almaty", Description: "Three protesters detained", VictimName: feedCanary + " victim"}}}
	if err := s.CreateUpdate(ctx, pub); err != nil {
		t.Fatal(err)
	}
	return &feedSite{Env: env, pub: pub}
}

// scopes are the feeds the test reads, with the filter each should follow.
var scopes = []struct {
	path   string
	filter civicmon.UpdateFilter
}{
	{"", civicmon.UpdateFilter{}},
	{"/countries/kazakhstan", civicmon.UpdateFilter{CountryCode: "KZ"}},
	{"/regions/europe-central-asia", civicmon.UpdateFilter{Region: civicmon.RegionEuropeCentralAsia}},
	{"/freedoms/peaceful-assembly", civicmon.UpdateFilter{Freedom: civicmon.Assembly}},
	{"/tags/detention-of-protesters", civicmon.UpdateFilter{Violation: "detention-of-protesters"}},
}

// TestFeeds reads every kind of feed in both formats with a real feed
// parser: the published updates of its scope, newest first, each linking
// to its page, with nothing private and no unpublished update.
func TestFeeds(t *testing.T) {
	fs := newFeedSite(t)
	ctx := context.Background()
	parser := gofeed.NewParser()
	pages := map[string]int{}
	for _, sc := range scopes {
		f := sc.filter
		f.Statuses, f.Limit = []civicmon.Status{civicmon.StatusPublished}, 50
		want, _, err := fs.Store.FindUpdates(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%s: the demo data has no update for this scope", sc.path)
		}
		for _, format := range []struct{ ext, contentType, feedType string }{
			{"atom", "application/atom+xml; charset=utf-8", "atom"},
			{"json", "application/feed+json", "json"},
		} {
			path := sc.path + "/feed." + format.ext
			r := get(t, fs.URL+path)
			if r.status != 200 || r.header.Get("Content-Type") != format.contentType {
				t.Fatalf("%s: %d %q", path, r.status, r.header.Get("Content-Type"))
			}
			if strings.Contains(strings.ToLower(r.body), feedCanary) {
				i := strings.Index(strings.ToLower(r.body), feedCanary)
				t.Errorf("%s shows a secret: …%s…", path, r.body[max(0, i-80):min(len(r.body), i+80)])
			}
			if etag := r.header.Get("ETag"); etag == "" {
				t.Errorf("%s: no ETag", path)
			} else if r2 := get(t, fs.URL+path, "If-None-Match", etag); r2.status != 304 {
				t.Errorf("%s: If-None-Match answered %d", path, r2.status)
			}
			if format.ext == "atom" {
				checkAtom(t, path, r.body)
			} else {
				checkJSONFeed(t, path, r.body)
			}
			feed, err := parser.ParseString(r.body)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if feed.FeedType != format.feedType || feed.Title == "" || feed.FeedLink != fs.URL+path {
				t.Errorf("%s: type %q, title %q, self link %q", path, feed.FeedType, feed.Title, feed.FeedLink)
			}
			if format.ext == "json" && feed.FeedVersion != "https://jsonfeed.org/version/1.1" {
				t.Errorf("%s: version %q", path, feed.FeedVersion)
			}
			if home := fs.URL + sc.path; feed.Link != home && feed.Link != home+"/" {
				t.Errorf("%s: home page link %q", path, feed.Link)
			}
			if len(feed.Items) != len(want) {
				t.Fatalf("%s: %d items, want %d", path, len(feed.Items), len(want))
			}
			ids := map[string]bool{}
			for i, it := range feed.Items {
				if it.Link != fs.URL+"/updates/"+want[i].Slug {
					t.Errorf("%s: item %d links to %q, want the update %q", path, i+1, it.Link, want[i].Slug)
				}
				if it.Title != want[i].Title {
					t.Errorf("%s: item %d title %q, want %q", path, i+1, it.Title, want[i].Title)
				}
				if !strings.HasPrefix(it.GUID, "tag:127.0.0.1,2026:update:") || ids[it.GUID] {
					t.Errorf("%s: item %d id %q is not a tag URI, or not unique", path, i+1, it.GUID)
				}
				ids[it.GUID] = true
				if it.PublishedParsed == nil || it.UpdatedParsed == nil || !it.PublishedParsed.Equal(want[i].PublishedOn.Time()) {
					t.Errorf("%s: item %d published %v, want %s", path, i+1, it.PublishedParsed, want[i].PublishedOn)
				}
				if i > 0 && it.PublishedParsed != nil && feed.Items[i-1].PublishedParsed != nil && it.PublishedParsed.After(*feed.Items[i-1].PublishedParsed) {
					t.Errorf("%s: item %d is newer than the one before it", path, i+1)
				}
				if sc.path == "/countries/kazakhstan" && !hasString(it.Categories, "Kazakhstan") {
					t.Errorf("%s: item %d categories %q lack its country", path, i+1, it.Categories)
				}
				if len(it.Categories) == 0 || it.Content == "" {
					t.Errorf("%s: item %d has no categories or no content", path, i+1)
				}
				pages[it.Link]++
			}
			// The planted update is the newest of every scope, and shows
			// what is public of it.
			it := feed.Items[0]
			if it.Title != fs.pub.Title {
				t.Fatalf("%s: first item %q, want the newest update %q", path, it.Title, fs.pub.Title)
			}
			for _, c := range []string{"Kazakhstan", "Europe and Central Asia", "Peaceful Assembly", "Detention of protesters"} {
				if !hasString(it.Categories, c) {
					t.Errorf("%s: categories %q lack %q", path, it.Categories, c)
				}
			}
			var authors []string
			for _, a := range it.Authors {
				authors = append(authors, a.Name)
			}
			if strings.Join(authors, "|") != "CIVICUS Monitor|Kazakhstan International Bureau for Human Rights" {
				t.Errorf("%s: authors %q, want the institution and the partner", path, authors)
			}
			if !strings.Contains(it.Content, "<strong>detained</strong>") || strings.Contains(it.Content, "<script") ||
				!strings.Contains(it.Content, `href="https://example.org/report"`) {
				t.Errorf("%s: content not rendered or not sanitised: %q", path, it.Content)
			}
			if it.Description != fs.pub.Summary {
				t.Errorf("%s: summary %q", path, it.Description)
			}
		}
	}
	// Every entry's link opens its page.
	for link := range pages {
		if r := get(t, link); r.status != 200 {
			t.Errorf("%s: %d", link, r.status)
		}
	}
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The Atom document, read element by element for what RFC 4287 requires.
const atomNS = "http://www.w3.org/2005/Atom"

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

type atomPerson struct {
	Names []string `xml:"http://www.w3.org/2005/Atom name"`
	URIs  []string `xml:"http://www.w3.org/2005/Atom uri"`
	Email []string `xml:"http://www.w3.org/2005/Atom email"`
}

type atomCategory struct {
	Term   *string `xml:"term,attr"`
	Scheme string  `xml:"scheme,attr"`
}

type atomEntry struct {
	IDs        []string       `xml:"http://www.w3.org/2005/Atom id"`
	Titles     []atomText     `xml:"http://www.w3.org/2005/Atom title"`
	Updated    []string       `xml:"http://www.w3.org/2005/Atom updated"`
	Published  []string       `xml:"http://www.w3.org/2005/Atom published"`
	Authors    []atomPerson   `xml:"http://www.w3.org/2005/Atom author"`
	Links      []atomLink     `xml:"http://www.w3.org/2005/Atom link"`
	Summaries  []atomText     `xml:"http://www.w3.org/2005/Atom summary"`
	Contents   []atomText     `xml:"http://www.w3.org/2005/Atom content"`
	Categories []atomCategory `xml:"http://www.w3.org/2005/Atom category"`
}

type atomDoc struct {
	XMLName   xml.Name
	IDs       []string     `xml:"http://www.w3.org/2005/Atom id"`
	Titles    []atomText   `xml:"http://www.w3.org/2005/Atom title"`
	Subtitles []atomText   `xml:"http://www.w3.org/2005/Atom subtitle"`
	Updated   []string     `xml:"http://www.w3.org/2005/Atom updated"`
	Authors   []atomPerson `xml:"http://www.w3.org/2005/Atom author"`
	Links     []atomLink   `xml:"http://www.w3.org/2005/Atom link"`
	Entries   []atomEntry  `xml:"http://www.w3.org/2005/Atom entry"`
}

// checkAtom holds an Atom document to the elements RFC 4287 requires of a
// feed (4.1.1) and of an entry (4.1.2), and to its constructs: dates are
// RFC 3339 date-times (3.3), ids absolute IRIs (4.2.6), persons have one
// name (3.2), text constructs a known type (3.1), categories a term (4.2.2).
func checkAtom(t *testing.T, path, body string) {
	t.Helper()
	var d atomDoc
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("%s: not XML: %v", path, err)
	}
	errorf := func(format string, args ...any) { t.Errorf("%s: RFC 4287: "+format, append([]any{path}, args...)...) }
	if d.XMLName.Space != atomNS || d.XMLName.Local != "feed" {
		errorf("root element %v, want atom:feed", d.XMLName)
	}
	one := func(what string, n int) {
		if n != 1 {
			errorf("%s appears %d times, must appear exactly once", what, n)
		}
	}
	isIRI := func(what, s string) {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Scheme == "" {
			errorf("%s %q is not an absolute IRI", what, s)
		}
	}
	isDate := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil || !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`).MatchString(s) {
			errorf("%s %q is not an RFC 3339 date-time", what, s)
		}
	}
	text := func(what string, ts []atomText) {
		for _, x := range ts {
			if x.Type != "" && x.Type != "text" && x.Type != "html" && x.Type != "xhtml" {
				errorf("%s type %q", what, x.Type)
			}
		}
	}
	persons := func(what string, ps []atomPerson) {
		for _, p := range ps {
			if len(p.Names) != 1 || strings.TrimSpace(p.Names[0]) == "" {
				errorf("%s has %d names, must have exactly one", what, len(p.Names))
			}
		}
	}
	links := func(what string, ls []atomLink) {
		seen := map[string]bool{}
		for _, l := range ls {
			if l.Href == "" {
				errorf("%s link without href", what)
			}
			if l.Rel == "alternate" || l.Rel == "" {
				k := l.Type + " " + l.Hreflang
				if seen[k] {
					errorf("%s has two alternate links of type %q and hreflang %q", what, l.Type, l.Hreflang)
				}
				seen[k] = true
			}
		}
	}
	one("feed id", len(d.IDs))
	one("feed title", len(d.Titles))
	one("feed updated", len(d.Updated))
	if len(d.Subtitles) > 1 {
		errorf("more than one feed subtitle")
	}
	for _, id := range d.IDs {
		isIRI("feed id", id)
	}
	for _, u := range d.Updated {
		isDate("feed updated", u)
	}
	text("feed title", d.Titles)
	persons("feed author", d.Authors)
	links("feed", d.Links)
	self := false
	for _, l := range d.Links {
		if l.Rel == "self" {
			self = true
			isIRI("self link", l.Href)
		}
	}
	if !self {
		errorf("no link rel=self (SHOULD)")
	}
	ids := map[string]bool{}
	for i, e := range d.Entries {
		what := fmt.Sprintf("entry %d", i+1)
		one(what+" id", len(e.IDs))
		one(what+" title", len(e.Titles))
		one(what+" updated", len(e.Updated))
		for _, id := range e.IDs {
			isIRI(what+" id", id)
			if ids[id] {
				errorf("%s id %q is not unique", what, id)
			}
			ids[id] = true
		}
		for _, u := range append(e.Updated, e.Published...) {
			isDate(what+" date", u)
		}
		if len(e.Published) > 1 || len(e.Summaries) > 1 || len(e.Contents) > 1 {
			errorf("%s has more than one published, summary or content", what)
		}
		if len(d.Authors) == 0 && len(e.Authors) == 0 {
			errorf("%s has no author and neither has the feed", what)
		}
		persons(what+" author", e.Authors)
		text(what+" title", e.Titles)
		text(what+" summary", e.Summaries)
		text(what+" content", e.Contents)
		links(what, e.Links)
		alternate := false
		for _, l := range e.Links {
			if l.Rel == "alternate" {
				alternate = true
				isIRI(what+" alternate link", l.Href)
			}
		}
		if !alternate {
			errorf("%s has no link rel=alternate", what)
		}
		for _, c := range e.Categories {
			if c.Term == nil || *c.Term == "" {
				errorf("%s has a category without a term", what)
			}
		}
	}
}

// checkJSONFeed holds a JSON Feed to what version 1.1 requires: version,
// title and items; each item an id and content_html or content_text;
// dates in RFC 3339.
func checkJSONFeed(t *testing.T, path, body string) {
	t.Helper()
	var d struct {
		Version string           `json:"version"`
		Title   string           `json:"title"`
		FeedURL string           `json:"feed_url"`
		Items   []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("%s: not JSON: %v", path, err)
	}
	if d.Version != "https://jsonfeed.org/version/1.1" || d.Title == "" || d.Items == nil || d.FeedURL == "" {
		t.Errorf("%s: version %q, title %q, feed_url %q, items %v", path, d.Version, d.Title, d.FeedURL, d.Items != nil)
	}
	for i, it := range d.Items {
		if id, ok := it["id"].(string); !ok || id == "" {
			t.Errorf("%s: item %d id %v", path, i+1, it["id"])
		}
		_, html := it["content_html"].(string)
		_, text := it["content_text"].(string)
		if !html && !text {
			t.Errorf("%s: item %d has neither content_html nor content_text", path, i+1)
		}
		for _, k := range []string{"date_published", "date_modified"} {
			if s, _ := it[k].(string); s != "" {
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					t.Errorf("%s: item %d %s %q", path, i+1, k, s)
				}
			}
		}
		if _, ok := it["author"]; ok {
			t.Errorf("%s: item %d uses the deprecated author", path, i+1)
		}
	}
}

// TestFeedNewestFifty: a feed holds the 50 newest updates, newest first.
func TestFeedNewestFifty(t *testing.T) {
	fs := newFeedSite(t)
	ctx := context.Background()
	start := civicmon.MustDate("2020-01-01")
	for i := range 60 {
		u := civicmon.Update{CountryCode: "BY", Title: fmt.Sprintf("Belarus update %02d", i), Status: civicmon.StatusPublished,
			PublishedOn: start.AddDays(i * 7), Body: "Text."}
		if err := fs.Store.CreateUpdate(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	for _, ext := range []string{"atom", "json"} {
		r := get(t, fs.URL+"/countries/belarus/feed."+ext)
		feed, err := gofeed.NewParser().ParseString(r.body)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed.Items) != 50 {
			t.Fatalf("%s: %d items, want 50", ext, len(feed.Items))
		}
		for i, it := range feed.Items {
			if want := fmt.Sprintf("Belarus update %02d", 59-i); it.Title != want {
				t.Fatalf("%s: item %d is %q, want %q", ext, i+1, it.Title, want)
			}
		}
	}
}

// TestFeedsNotFound: a feed of something that does not exist is a 404.
func TestFeedsNotFound(t *testing.T) {
	fs := newFeedSite(t)
	for _, path := range []string{"/countries/atlantis/feed.atom", "/countries/atlantis/feed.json", "/regions/europe/feed.atom",
		"/freedoms/religion/feed.json", "/freedoms/assembly/feed.atom", "/tags/nope/feed.atom", "/tags/nope/feed.json",
		"/feed.rss", "/countries/kazakhstan/feed.xml"} {
		if r := get(t, fs.URL+path); r.status != 404 {
			t.Errorf("%s: %d, want 404", path, r.status)
		}
	}
	// A scope without updates is an empty feed, not an error.
	r := get(t, fs.URL+"/countries/tuvalu/feed.atom")
	if r.status != 200 {
		t.Fatalf("empty feed: %d", r.status)
	}
	checkAtom(t, "/countries/tuvalu/feed.atom", r.body)
	if feed, err := gofeed.NewParser().ParseString(r.body); err != nil || len(feed.Items) != 0 {
		t.Fatalf("empty feed: %v", err)
	}
}

// alternateLink finds a feed's <link>; the type's "+" may be written as a
// character reference, which is the same to an HTML parser.
var alternateLink = regexp.MustCompile(`<link rel="alternate" type="(application/(?:atom(?:\+|&#43;)xml|feed(?:\+|&#43;)json))" title="([^"]+)" href="([^"]+)">`)

// TestFeedsAnnounced: the home page, country pages and listings name their
// feeds with <link rel="alternate">, and each link opens that feed.
func TestFeedsAnnounced(t *testing.T) {
	fs := newFeedSite(t)
	for page, want := range map[string]string{
		"/":                             "/feed",
		"/countries/kazakhstan":         "/countries/kazakhstan/feed",
		"/countries/kazakhstan?page=1":  "/countries/kazakhstan/feed",
		"/regions/europe-central-asia":  "/regions/europe-central-asia/feed",
		"/freedoms/expression":          "/freedoms/expression/feed",
		"/tags/censorship":              "/tags/censorship/feed",
		"/countries/kazakhstan?lang=fr": "/countries/kazakhstan/feed",
	} {
		r := get(t, fs.URL+page)
		links := alternateLink.FindAllStringSubmatch(r.body, -1)
		if len(links) != 2 {
			t.Errorf("%s: %d feed links, want Atom and JSON Feed", page, len(links))
			continue
		}
		for _, l := range links {
			ext := map[string]string{"application/atom+xml": ".atom", "application/feed+json": ".json"}[html.UnescapeString(l[1])]
			href := html.UnescapeString(l[3])
			wantHref := want + ext
			if strings.HasSuffix(page, "lang=fr") {
				wantHref += "?lang=fr"
			}
			if href != wantHref {
				t.Errorf("%s: %s feed at %q, want %q", page, l[1], href, wantHref)
			}
			fr := get(t, fs.URL+href)
			feed, err := gofeed.NewParser().ParseString(fr.body)
			if fr.status != 200 || err != nil {
				t.Errorf("%s: %s: %d %v", page, href, fr.status, err)
				continue
			}
			title := strings.TrimSuffix(strings.TrimSuffix(html.UnescapeString(l[2]), " (Atom)"), " (JSON Feed)")
			if feed.Title != title+" — civicmon" {
				t.Errorf("%s: link title %q, feed title %q", page, title, feed.Title)
			}
			if strings.HasSuffix(page, "lang=fr") && (feed.Language != "fr" || !strings.HasPrefix(feed.Title, "Mises à jour de recherche")) {
				t.Errorf("%s: feed in French: language %q, title %q", page, feed.Language, feed.Title)
			}
		}
	}
}

// TestFeedEntryUpdatedByCorrection: a published correction is the entry's
// updated date, and the feed's.
func TestFeedEntryUpdatedByCorrection(t *testing.T) {
	fs := newFeedSite(t)
	ctx := context.Background()
	u, err := fs.Store.UpdateByID(ctx, fs.pub.ID)
	if err != nil {
		t.Fatal(err)
	}
	u.Summary = "Police detained three protesters in Almaty."
	u.CorrectionNote = "The place was added."
	if err := fs.Store.SaveUpdate(ctx, u); err != nil {
		t.Fatal(err)
	}
	r := get(t, fs.URL+"/countries/kazakhstan/feed.atom")
	var d atomDoc
	if err := xml.Unmarshal([]byte(r.body), &d); err != nil {
		t.Fatal(err)
	}
	cs, err := fs.Store.Corrections(ctx, fs.pub.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("corrections: %v %v", cs, err)
	}
	want := "2026-11-20T00:00:00Z"
	if cs[0].Date.After(civicmon.MustDate("2026-11-20")) {
		want = cs[0].Date.Time().UTC().Format(time.RFC3339)
	}
	if e := d.Entries[0]; e.Published[0] != "2026-11-20T00:00:00Z" || e.Updated[0] != want || d.Updated[0] != want {
		t.Errorf("entry published %q updated %q, feed updated %q; want updated %s", e.Published, e.Updated, d.Updated, want)
	}
}
