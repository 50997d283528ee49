package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/markdown"
	"github.com/civicmon/civicmon/storetest"
)

// The layout and the update page were templates before they were written
// in Go (htmlpage.go); testdata/oracle keeps those templates, and these
// tests hold the Go code to them: the same bytes for the same page, on
// the demo site and on values made to trip an escaper.

// oracle renders pages with the templates the Go code replaced.
type oracle map[string]*template.Template

func parseOracle(t testing.TB) oracle {
	t.Helper()
	o := oracle{}
	for _, name := range append([]string{"update"}, pageNames...) {
		base, err := template.New("layout.html").Funcs(templateFuncs).ParseFiles("testdata/oracle/layout.html")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := base.ParseFS(templateFiles, "templates/partials.html"); err != nil {
			t.Fatal(err)
		}
		// The list of updates as a template, over the partial that calls
		// the Go code.
		if _, err := base.ParseFiles("testdata/oracle/updates.html"); err != nil {
			t.Fatal(err)
		}
		page := "templates/" + name + ".html"
		if name == "update" {
			_, err = base.ParseFiles("testdata/oracle/update.html")
		} else {
			_, err = base.ParseFS(templateFiles, page)
		}
		if err != nil {
			t.Fatal(err)
		}
		o[name] = base
	}
	return o
}

func (o oracle) Render(t testing.TB, name string, p *Page) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := o[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		t.Fatalf("oracle %s: %v", name, err)
	}
	return buf.Bytes()
}

// sameBytes reports where two renderings part.
func sameBytes(t testing.TB, what string, want, got []byte) bool {
	t.Helper()
	if bytes.Equal(want, got) {
		return true
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	t.Errorf("%s: Go and template part at byte %d:\ntemplate: …%q…\nGo:       …%q…", what, i,
		want[max(0, i-60):min(len(want), i+60)], got[max(0, i-60):min(len(got), i+60)])
	return false
}

// TestGoPagesMatchTemplates walks the demo site in every language and
// renders each page both ways, then does the same with values an
// escaper could get wrong.
func TestGoPagesMatchTemplates(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite.Open(t)
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatal(err)
	}
	// The demo's ten updates, and synthetic ones with more of everything.
	// Under the race detector (slow, and the Go code shares nothing between
	// requests) a smaller walk of the same kinds.
	updates, perKindLimit, updatePages := 300, 10, 50
	if raceEnabled {
		updates, perKindLimit, updatePages = 60, 3, 12
	}
	if _, err := gen.Run(ctx, db.Store(), gen.Options{Updates: updates, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: db.Store(), Schema: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL: "https://monitor.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	o := parseOracle(t)
	compared := map[string]int{}
	var current string
	s.rendered = func(name string, p *Page, html []byte) {
		if sameBytes(t, current, o.Render(t, name, p), html) {
			compared[name]++
		}
	}

	// Breadth first from the home page in each language: every kind of
	// page, a few of each kind (first path segment, depth and language),
	// more update pages.
	seen := map[string]bool{}
	perKind := map[string]int{}
	var queue []string
	for _, l := range i18n.Supported {
		queue = append(queue, "/?lang="+string(l))
	}
	queue = append(queue, "/updates/nonexistent") // the error page
	link := regexp.MustCompile(`href="(/[^"]*)"`)
	for len(queue) > 0 {
		current, queue = queue[0], queue[1:]
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", current, nil))
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range link.FindAllStringSubmatch(rec.Body.String(), -1) {
			u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
			if err != nil || strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/data") {
				continue
			}
			ref := u.RequestURI()
			kind := strings.SplitN(u.Path, "/", 3)[1] + "/" + fmt.Sprint(strings.Count(u.Path, "/")) + "?" + u.Query().Get("lang")
			limit := perKindLimit
			if kind == "updates/2?"+u.Query().Get("lang") {
				limit = updatePages
			}
			if !seen[ref] && perKind[kind] < limit {
				seen[ref] = true
				perKind[kind]++
				queue = append(queue, ref)
			}
		}
	}
	t.Logf("pages compared: %v", compared)
	for _, name := range []string{"home", "update", "country", "countries", "listing", "error"} {
		if compared[name] == 0 {
			t.Errorf("the walk rendered no %q page", name)
		}
	}
	if compared["update"] < 4*updatePages {
		t.Errorf("the walk compared %d update pages, want many", compared["update"])
	}

	// Values an escaper could get wrong, everywhere the Go code writes one.
	s.rendered = nil
	for i, v := range hostileValues {
		p, d := hostilePage(s, v, i18n.Supported[i%len(i18n.Supported)], i%2 == 0)
		compareUpdatePage(t, s, o, fmt.Sprintf("hostile value %q", v), p, d)
	}
	// Lists of updates with the same values, and an empty one.
	for i, v := range hostileValues {
		p, d := hostilePage(s, v, i18n.Supported[i%len(i18n.Supported)], i%2 == 0)
		item := updateItem{PublicUpdate: civicmon.PublicUpdate{Title: v, Summary: v, PublishedOn: d.U.PublishedOn},
			Country: d.Country, Href: v, CountryHref: v, When: v}
		for _, items := range [][]updateItem{{item, item}, nil} {
			for _, showCountry := range []bool{true, false} {
				var want bytes.Buffer
				if err := o["home"].ExecuteTemplate(&want, "updates", map[string]any{"Page": p, "Items": items, "ShowCountry": showCountry}); err != nil {
					t.Fatal(err)
				}
				sameBytes(t, fmt.Sprintf("list of %d updates with value %q", len(items), v), want.Bytes(), []byte(p.UpdateList(items, showCountry)))
			}
		}
	}
	// The workspace's menu, for each role.
	for _, role := range civicmon.Roles {
		p := &Page{Lang: i18n.French, Title: "<b>", Path: "/admin", srv: s, CSS: "/static/style.css",
			User: &civicmon.User{Name: `Ann "A" <ann>`, Role: role}, CSRF: "tok+en&=/"}
		p.Data = errorPage{Status: 403, Message: "x"}
		var buf bytes.Buffer
		if err := s.writePage(&buf, "error", p); err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "workspace menu of "+string(role), o.Render(t, "error", p), buf.Bytes())
	}
	// An embedded page has no chrome.
	p := &Page{Lang: i18n.English, Title: "map", Path: "/embed/map", srv: s, Embed: true, NoIndex: true, CSS: "/static/style.css",
		Data: errorPage{Status: 200, Message: "m"}}
	var buf bytes.Buffer
	if err := s.writePage(&buf, "error", p); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "embedded page", o.Render(t, "error", p), buf.Bytes())
}

var hostileValues = []string{
	"", "plain", `<script>alert("x")</script>`, `a & b + c = 'd'`, "nul\x00byte", "invalid \xff\xfe utf-8",
	"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>", "mailto:a@example.org", "https://ex.org/a b?c=d&e=f+g#h'i",
	"/path/with spaces/%zz/%41/ü", "vbscript:x", "//ex.org/x", "http:x", "a:b/c", "?q=<>", "#frag\"", "Қазақстан — «кавычки»",
	"\u202eRTL\u202c", "%", "%4", "%4g", "\ufdd0\ufffe", "&amp;&#34;", "line\nbreak\ttab",
}

// hostilePage is an update page whose every value is v.
func hostilePage(s *Server, v string, lang i18n.Lang, explicit bool) (*Page, *updateData) {
	date := civicmon.MustDate("2024-02-29")
	p := &Page{Lang: lang, explicit: explicit, Title: v, Description: v, Path: "/updates/" + v,
		Query: url.Values{"q": {v}, "lang": {"fr"}}, srv: s, CSS: v,
		Feeds: []FeedLink{{Type: v, Title: v, Href: v}, {Type: "application/atom+xml", Title: "t", Href: "/feed.atom"}}}
	d := &updateData{
		U: civicmon.PublicUpdate{Slug: v, Title: v, PublishedOn: date, DateApproximate: explicit, PeriodStart: date, PeriodEnd: date,
			Freedoms: []civicmon.Freedom{civicmon.Freedom(v), civicmon.Association}, Partner: v,
			Sources: []civicmon.PublicSource{{URL: v, Title: v, Publisher: v, PublishedOn: date}, {URL: v}, {Title: v}, {}}},
		Corrections:  []civicmon.Correction{{Date: date, Note: v}},
		Country:      CountryView{Country: civicmon.Country{Slug: v, Name: v}},
		Text:         updateText{Lang: v, Title: v, Summary: v, Body: markdown.ToHTML(v)},
		Violations:   []civicmon.Term{{Slug: v, Name: v}},
		Incidents:    []incidentView{{PublicIncident: civicmon.PublicIncident{OccurredOn: date, DateApproximate: !explicit, Freedom: civicmon.Freedom(v), Violation: v, PeopleAffected: len(v) - 3, Place: v, Description: v}, ViolationName: v, TargetName: v}, {}},
		Translations: []translationLink{{Lang: v, Name: v, Href: v, Current: true}, {Lang: v, Name: v, Href: v}},
		Next:         &updateItem{PublicUpdate: civicmon.PublicUpdate{Slug: v, Title: v}},
		URL:          v,
	}
	if explicit {
		d.Country.Rating = &civicmon.Rating{Category: civicmon.Category(v)}
		d.Prev = d.Next
	}
	return p, d
}

func compareUpdatePage(t testing.TB, s *Server, o oracle, what string, p *Page, d *updateData) {
	t.Helper()
	p.Data = *d
	p.content = func(w htmlWriter) { writeUpdate(w, p, d) }
	var buf bytes.Buffer
	if err := s.writePage(&buf, "update", p); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, what, o.Render(t, "update", p), buf.Bytes())
}

// FuzzUpdatePage goes on from the hostile values with the fuzzer's own.
func FuzzUpdatePage(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v, v)
	}
	s, err := New(Config{Store: nil, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	o := parseOracle(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		p, d := hostilePage(s, a, i18n.Supported[len(b)%len(i18n.Supported)], len(a)%2 == 0)
		d.U.Title, d.Text.Summary, d.U.Sources[1].URL, d.Translations[1].Href = b, b, b, b
		compareUpdatePage(t, s, o, fmt.Sprintf("values %q, %q", a, b), p, d)
	})
}
