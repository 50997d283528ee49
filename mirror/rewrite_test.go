package mirror

import (
	"bytes"
	"context"
	"hash/maphash"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/storetest"
)

// rewriterPair is the rewriter and its oracle, set up alike, each with its
// own record of what it reported.
type rewriterPair struct {
	rw             *rewriter
	oracle         *oracleRewriter
	bad, oracleBad []string
}

func newRewriterPair() *rewriterPair {
	p := &rewriterPair{}
	m := &siteMap{langs: i18n.Supported}
	seed := maphash.MakeSeed()
	p.rw = &rewriter{m: m, baseURL: "https://m.example.org", targets: &targetSet{seed: seed, m: map[uint64]struct{}{}},
		bad: func(page, link string) { p.bad = append(p.bad, page+" "+link) }}
	p.oracle = &oracleRewriter{m: m, baseURL: "https://m.example.org", targets: &targetSet{seed: seed, m: map[uint64]struct{}{}},
		bad: func(page, link string) { p.oracleBad = append(p.oracleBad, page+" "+link) }}
	return p
}

// check rewrites page as the page of each file, twice (the second time
// from what the rewriters remember), and fails where the rewriter and the
// oracle differ: in the page, the links reported or the files named.
func (p *rewriterPair) check(t *testing.T, page []byte) {
	t.Helper()
	for range 2 {
		for _, file := range []string{"index.html", "countries/kazakhstan.html", "ru/countries/kazakhstan/page-2.html"} {
			want := p.oracle.html(file, bytes.Clone(page))
			got := p.rw.html(file, bytes.Clone(page))
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: rewritten\n%q\nwant (the oracle)\n%q\nfrom\n%q", file, got, want, page)
			}
		}
	}
	if !slices.Equal(p.bad, p.oracleBad) {
		t.Fatalf("links without a file: %q, want (the oracle) %q", p.bad, p.oracleBad)
	}
	if !maps.Equal(p.rw.targets.m, p.oracle.targets.m) {
		t.Fatalf("the rewriter names %d files for the link check, the oracle %d", len(p.rw.targets.m), len(p.oracle.targets.m))
	}
}

// hostilePages are pages the site never writes, but that the rewriter must
// treat as the old one did.
var hostilePages = []string{
	`<a href="/countries/kazakhstan?page=2&amp;lang=fr">K</a><a href="/countries/kazakhstan?lang=fr&amp;page=2">K</a>`,
	`<a href="/updates?q=a&amp;b&#43;c&amp;lang=ru#x">s</a><a href="/updates/x/cite/ris">r</a><a href="/countries#top">t</a>`,
	`<a href="/countries#a&amp;b&quot;c">quote in a fragment</a><a href="/countries#&lt;x&gt;">angle</a><a href="/countries#it&#39;s">apostrophe</a>`,
	`<a HREF="/countries">upper</a><a Href="/countries">mixed</a><a href='/countries'>single</a><a href=/countries>bare</a>`,
	`<a data-href="/countries">data</a><a xhref="/countries">x</a><a  href="/countries">two spaces</a><a` + "\t" + `href="/countries">tab</a>`,
	`<a href="https://m.example.org/feed.atom">abs</a><a href="https://m.example.org">bare base</a><a href="https://m.example.org.evil/x">look-alike</a>`,
	`<a href="//evil.example/x">protocol-relative</a><a href="mailto:a@b.c">m</a><a href="data:,">d</a><a href="#main">f</a><a href="">empty</a>`,
	`<a href="/admin/x?y=1">admin</a><a href="/countries?sort=x">unknown parameter</a><a href="/countries/../etc/passwd">climb</a><a href="/a b">space</a>`,
	`<img src="/static/a.png" srcset="/static/a.png 1x, /static/b.png 2x,, /admin 3x, https://x.example/c.png">`,
	`<div id="s" data-base="/?lang=fr" data-x="a=&#34;b&#34;" title="href=&#34;/countries&#34;"></div>`,
	`<script>var s = ' href="/countries"'; x="/updates"</script><style>a[href="/countries"]{}</style>`,
	`<form class="filters" method="get" action="/countries"><select name="region"></select></form><form method="get" action="/updates" role="search"><input name="q"></form>`,
	`<form method="post" action="/countries"></form><form method="get"><a href="/countries">in a dropped form</a></form> after`,
	`<form method="get" action="/countries"> unclosed <a href="/countries">x</a>`,
	`<form method="get" action="/countries"></form><form method="get" action="/regions/africa"></form><p>kept`,
	`<form method="get" action="/updates"><form method="get" action="/countries"></form></form><form `,
	`<a href="/countries`,
	`<a href="/countries?page=2&page=3">twice</a><a href="/countries?lang=fr&lang=ru">two languages</a><a href="/countries?lang=xx">unknown language</a>`,
	`<a href="/countries/kazakhstan/feed.json?lang=ru">f</a><a href="/data/updates.csv?country=KZ">d</a><a href="/static/style.0123.css">s</a>`,
	`<a href="/%63ountries">escaped path</a><a href="/countries?lang=f%72">escaped language</a><a href="/countries;x">semicolon</a>`,
	`="/countries" =" href=" href="/countries"`,
	// Links in a language, remembered once for all languages.
	`<a href="/countries?lang=fr">fr</a><a href="/countries">en</a><a href="/countries?lang=ru">ru</a><a href="/countries?lang=en">en</a><a href="/countries?lang=xx">xx</a>`,
	`<a href="/countries&amp;lang=fr">no query to join</a><a href="/countries?page=2?lang=fr">two queries</a><a href="/countries#a?lang=fr">in the fragment</a>`,
	`<a href="/countries&#63;page=2&amp;lang=fr">escaped ?</a><a href="/countries?&amp;lang=fr">empty</a><a href="/countries?page=2&amp;lang=fr&amp;lang=ru">two</a>`,
	`<a href="/countries?lang=ru&amp;lang=fr">first wins</a><a href="/countries?l%61ng=ru&amp;lang=fr">escaped key</a><a href="/countries?&#108;ang=ru&amp;lang=fr">entity</a>`,
	`<a href="/countries?lang=FR">upper</a><a href="/countries?lang=fra">three</a><a href="/countries?lang=f">one</a><a href="/countries?lang=fr&amp;">trailing</a>`,
	`<a href="https://m.example.org/countries?lang=fr">abs</a><a href="https://m.example.org?lang=fr">bare base</a><a href="/admin?lang=fr">admin</a><a href="/updates?q=a+b&amp;lang=ru">search</a>`,
	`<a href="/updates/x/cite/bibtex?lang=fr">cite</a><a href="/countries/x/feed.atom?lang=es">feed</a><a href="/?lang=ru">home</a><a href="?lang=fr">relative</a><a href="/countries/lang?lang=fr">slug</a>`,
}

// FuzzRewriterMatchesOracle compares the rewriter with the oracle, the
// rewriter before it remembered links by their text, on hostile pages.
// Each page starts with a doctype, as every page of the site does: the
// oracle kept a server form that opened the page, which the rewriter
// drops.
func FuzzRewriterMatchesOracle(f *testing.F) {
	for _, p := range hostilePages {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, page string) {
		newRewriterPair().check(t, []byte("<!DOCTYPE html>\n"+page))
	})
}

// TestRewriterMatchesOracleOnSite compares them on pages of the demo site,
// one rewriter pair for all of them, as in an export.
func TestRewriterMatchesOracleOnSite(t *testing.T) {
	pages := sitePages(t)
	p := newRewriterPair()
	for _, page := range pages {
		p.check(t, page)
	}
	if len(p.rw.targets.m) < 50 {
		t.Errorf("the pages name %d files: too few for a test", len(p.rw.targets.m))
	}
}

// sitePages renders a few pages of each kind of the demo site, in two
// languages.
func sitePages(tb testing.TB) [][]byte {
	db := storetest.SQLite.Open(tb)
	if _, err := demo.Load(context.Background(), db.Store()); err != nil {
		tb.Fatal(err)
	}
	us, _ := demo.KazakhstanUpdates()
	e, err := newExporter(db.Store(), tb.TempDir(), Options{BaseURL: "https://m.example.org", Logger: slog.Default(), Now: time.Now, Langs: benchLangs, SearchBlock: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	var pages [][]byte
	for _, u := range []string{"/updates/" + us[0].Slug, "/countries/kazakhstan", "/tags/censorship", "/", "/countries", "/countries?rating=closed",
		"/methodology", "/watchlist", "/embed/map", "/regions/africa", "/updates/" + us[0].Slug + "?lang=ru"} {
		var buf bytes.Buffer
		rec := &recorder{header: http.Header{}, body: &buf}
		e.h.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
		if rec.status != 200 {
			tb.Fatalf("%s: %d", u, rec.status)
		}
		pages = append(pages, buf.Bytes())
	}
	return pages
}

// BenchmarkRewriteLinks rewrites pages of the demo site, with the rewriter
// and with the oracle.
func BenchmarkRewriteLinks(b *testing.B) {
	pages := sitePages(b)
	files := []string{"countries/kazakhstan.html", "ru/countries/kazakhstan/page-2.html"}
	size := 0
	for _, p := range pages {
		size += len(p) * len(files)
	}
	pair := newRewriterPair()
	for _, r := range []struct {
		name string
		rw   interface {
			html(file string, in []byte) []byte
		}
	}{{"rewriter", pair.rw}, {"oracle", pair.oracle}} {
		b.Run(r.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, f := range files {
					for _, p := range pages {
						r.rw.html(f, p)
					}
				}
			}
		})
	}
}
