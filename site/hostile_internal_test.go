package site

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/a-h/templ"
	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/markdown"
	"github.com/civicmon/civicmon/web"
)

// The markup escapes every value it shows; nothing in civicmon escapes by
// hand. These tests hold it to that: the update page and a list page are
// rendered, layout and all, with hostile values in every free-text field
// and every link, and read back with an HTML parser, which must find the
// same elements with the same attributes as with harmless values, no
// script, no event handler, and no link that runs script.

// HostileText is text that tries to break out of wherever it is written:
// markup, both quotes, an event handler, a javascript: URL, "+", NUL and
// invalid UTF-8.
const HostileText = `<script>alert(1)</script><i data-pwn=1>x</i> "><b data-pwn="1"> '><b data-pwn='1'> ` +
	`" onmouseover="alert(1) ' onfocus='alert(1) </title></textarea></style><svg onload=alert(1)> ` +
	"javascript:alert(1) a+b=c&d;e &amp; &#60; {{.}} ${x} <!-- \x00 nul \xff\xfe invalid"

// HostileURLs are links that would run script if written as they are.
var HostileURLs = []string{"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
	"java\nscript:alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", `javascript:alert("x")//"><b data-pwn=1>`}

// hostilePage is the page of a request whose path and query are chosen by
// whoever sends it.
func hostilePage(text string) *web.Page {
	return &web.Page{Lang: i18n.French, Title: text, Description: text, Path: "/updates/" + text,
		Query: url.Values{"q": {text}, text: {text}}, CSS: "/static/style.css",
		Feeds: []web.FeedLink{{Type: "application/atom+xml", Title: text, Href: "/feed.atom"}}}
}

// hostileUpdate is the update page's data with text in every free-text
// field and link in every link that comes from the data.
func hostileUpdate(text, link string) *updateData {
	rating := &civicmon.Rating{Category: civicmon.Repressed}
	country := web.CountryView{Country: civicmon.Country{Code: "KZ", Name: text, Slug: text}, Rating: rating}
	date := civicmon.MustDate("2024-02-29")
	item := &updateItem{PublicUpdate: civicmon.PublicUpdate{Slug: text, Title: text, Summary: text}, Country: country,
		Href: link, CountryHref: link, When: text}
	return &updateData{
		U: civicmon.PublicUpdate{Slug: text, Title: text, Summary: text, Body: text, PublishedOn: date,
			PeriodStart: date, PeriodEnd: date, Partner: text, Language: text,
			Freedoms: []civicmon.Freedom{civicmon.Freedom(text)},
			Sources: []civicmon.PublicSource{{URL: link, Title: text, Publisher: text, PublishedOn: date},
				{URL: "", Title: text, Publisher: text, PublishedOn: date}}},
		Corrections: []civicmon.Correction{{Date: date, Note: text}},
		Country:     country,
		Text: updateText{Lang: text, Title: text, Summary: text,
			Body: markdown.ToHTML(text + "\n\n[link](" + link + ") <" + link + ">\n\n" + text)},
		Violations: []civicmon.Term{{Slug: text, Name: text}},
		Incidents: []incidentView{{PublicIncident: civicmon.PublicIncident{OccurredOn: date, Freedom: civicmon.Freedom(text),
			Violation: text, Target: text, PeopleAffected: 3, Place: text, Description: text}, ViolationName: text, TargetName: text}},
		AlsoIn: []translationLink{{Lang: text, Name: text, Href: link, Original: true}, {Lang: text, Name: text, Href: link}},
		Prev:   item, Next: item,
		URL: link,
	}
}

// hostileListing is a list page's data with text and link likewise.
func hostileListing(p *web.Page, text, link string) *listingData {
	country := web.CountryView{Country: civicmon.Country{Code: text, Name: text, Slug: text}, Count: 3}
	item := updateItem{PublicUpdate: civicmon.PublicUpdate{Slug: text, Title: text, Summary: text, PublishedOn: civicmon.MustDate("2024-02-29")},
		Country: country, Href: link, CountryHref: link, When: text}
	cs := []web.CountryView{country, country}
	return &listingData{Kind: "tag", Heading: text, Intro: text, Countries: cs, CountryItems: countryItems(p, cs),
		Updates: []updateItem{item, item}, Pager: web.Pagination{Page: 2, Pages: 3, Base: text}}
}

// render writes a component in the layout, as Server.Render does.
func render(t testing.TB, p *web.Page, content templ.Component) string {
	t.Helper()
	var b bytes.Buffer
	if err := web.Layout(p, content).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// shape reads a page back and returns its elements in document order, each
// as its name and its attributes' names; the rendered Markdown (inside
// class="body") is left out, since its elements depend on the text. It
// reports what must never be in a page: a script, an event handler, an
// attribute the markup does not write, a link that runs script.
func shape(t testing.TB, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *html.Node, inBody bool)
	// The layout's search box, a form of the markup's own with no value
	// from the page: the one form allowed.
	siteSearch := false
	walk = func(n *html.Node, inBody bool) {
		if n.Type == html.ElementNode {
			if n.Data == "form" && slices.Contains(n.Attr, html.Attribute{Key: "class", Val: "site-search"}) && !siteSearch {
				siteSearch = true
				defer func() { siteSearch = false }()
			}
			switch n.Data {
			case "form", "input":
				if !siteSearch {
					t.Errorf("a <%s> element in the page", n.Data)
				}
			case "script", "iframe", "object", "embed", "img", "style", "svg", "frame", "base", "textarea":
				t.Errorf("a <%s> element in the page", n.Data)
			}
			sig := n.Data
			for _, a := range n.Attr {
				name := strings.ToLower(a.Key)
				if strings.HasPrefix(name, "on") || name == "style" || strings.HasPrefix(name, "data-pwn") || name == "srcdoc" {
					t.Errorf("<%s> has the attribute %s=%q", n.Data, a.Key, a.Val)
				}
				switch name {
				case "href", "src", "action", "formaction", "xlink:href":
					if runsScript(a.Val) {
						t.Errorf("<%s %s=%q>: a link that runs script", n.Data, a.Key, a.Val)
					}
				}
				sig += " " + a.Key
			}
			if !inBody {
				out = append(out, sig)
			}
			for _, a := range n.Attr {
				if a.Key == "class" && a.Val == "body" {
					inBody = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBody)
		}
	}
	walk(doc, false)
	return out
}

// runsScript reports whether a browser would run a link's URL as script
// or open it as a document of its own: it drops control characters and
// spaces from a URL before it reads the scheme.
func runsScript(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(u))
	if u == "data:," { // the layout's empty icon
		return false
	}
	return strings.HasPrefix(u, "javascript:") || strings.HasPrefix(u, "vbscript:") || strings.HasPrefix(u, "data:")
}

const harmless, harmlessURL = "Harmless words", "https://example.org/report"

// checkHostile renders the update page and the list page with text and
// link, and holds them to the same shape as the harmless pages.
func checkHostile(t testing.TB, text, link string) {
	t.Helper()
	for _, pg := range []struct {
		name    string
		content func(p *web.Page, text, link string) templ.Component
	}{
		{"update page", func(p *web.Page, text, link string) templ.Component { return UpdatePage(p, hostileUpdate(text, link)) }},
		{"list page", func(p *web.Page, text, link string) templ.Component {
			return ListingPage(p, hostileListing(p, text, link))
		}},
	} {
		want := shape(t, render(t, hostilePage(harmless), pg.content(hostilePage(harmless), harmless, harmlessURL)))
		p := hostilePage(text)
		page := render(t, p, pg.content(p, text, link))
		got := shape(t, page)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s with %q and %q: the elements differ from the harmless page's\n%s", pg.name, text, link, diffShapes(want, got))
		}
	}
}

// diffShapes names the first element where two shapes part.
func diffShapes(want, got []string) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return "element " + strconv.Itoa(i) + ": want <" + want[i] + ">, got <" + got[i] + ">"
		}
	}
	return "want " + strconv.Itoa(len(want)) + " elements, got " + strconv.Itoa(len(got))
}

func TestHostileValues(t *testing.T) {
	checkHostile(t, harmless, harmlessURL) // the test's own baseline
	for _, link := range HostileURLs {
		checkHostile(t, HostileText, link)
	}
	for _, s := range strings.Split(HostileText, " ") {
		if s != "" {
			checkHostile(t, s, s)
		}
	}
}

// FuzzUpdatePage goes on from TestHostileValues with any text and link.
func FuzzUpdatePage(f *testing.F) {
	f.Add(harmless, harmlessURL)
	for _, u := range HostileURLs {
		f.Add(HostileText, u)
	}
	f.Fuzz(func(t *testing.T, text, link string) {
		// "x": a field left empty leaves out its element.
		checkHostile(t, "x"+text, "x"+link)
	})
}

// CheckSafe holds a page served by the site (site_test's tests of the
// handlers) to what shape checks, but for the elements in allowed, which
// that page has of its own (the search form of the explore page, say).
func CheckSafe(t testing.TB, page string, allowed ...string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node)
	siteSearch := false // inside the layout's search box, which every page has
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "form" && slices.Contains(n.Attr, html.Attribute{Key: "class", Val: "site-search"}) && !siteSearch {
				siteSearch = true
				defer func() { siteSearch = false }()
			}
			switch n.Data {
			case "script", "iframe", "object", "embed", "img", "style", "svg", "frame", "base", "form", "input", "textarea":
				if !slices.Contains(allowed, n.Data) && !(siteSearch && (n.Data == "form" || n.Data == "input")) {
					t.Errorf("a <%s> element in the page", n.Data)
				}
			}
			for _, a := range n.Attr {
				name := strings.ToLower(a.Key)
				if strings.HasPrefix(name, "on") || name == "style" || strings.HasPrefix(name, "data-pwn") || name == "srcdoc" {
					t.Errorf("<%s> has the attribute %s=%q", n.Data, a.Key, a.Val)
				}
				if (name == "href" || name == "src" || name == "action" || name == "xlink:href") && runsScript(a.Val) {
					t.Errorf("<%s %s=%q>: a link that runs script", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}
