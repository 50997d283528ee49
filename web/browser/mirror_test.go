package browser

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/mirror"
	"github.com/civicmon/civicmon/search"
	"github.com/civicmon/civicmon/storetest"
)

// TestMirror exports the demo site as a static mirror and reads it from
// file://, as a reader does from a USB stick: it goes from the home page to
// a country by clicking, opens the search page from the menu, searches a
// word and a Cyrillic word, follows a result, and checks that every request
// stayed on file:// and that the page's content security policy held.
func TestMirror(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests: SKIPPED in -short mode")
	}
	exe := findChromium(t)
	db := storetest.SQLite.Open(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, db.Store()); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	kk := civicmon.Update{CountryCode: "KZ", Title: "Қазақстан: бейбіт жиналыс бостандығы", Slug: "qazaqstan-beibit-zhinalys",
		Summary: "Алматыдағы митинг туралы қысқаша шолу.", Body: "Бейбіт жиналыстарға шектеу.", Language: "kk",
		Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2025-05-04"), Freedoms: civicmon.NewFreedomSet(civicmon.Assembly),
		Translations: []civicmon.Translation{{Language: "ru", Title: "Казахстан: свобода мирных собраний", Summary: "Обзор.", Body: "Текст."}}}
	if err := db.Store().CreateUpdate(ctx, &kk); err != nil {
		t.Fatal(err)
	}
	updates, err := demo.KazakhstanUpdates()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "mirror")
	if _, err := mirror.Export(ctx, db.Store(), dir, mirror.Options{BaseURL: "https://monitor.example.org", Unsigned: true, SearchBlock: 4}); err != nil {
		t.Fatalf("export: %v", err)
	}
	root := (&url.URL{Scheme: "file", Path: dir + "/"}).String()
	s := &site{browser: startBrowser(t, exe)}

	t.Run("HomeToCountryToSearch", func(t *testing.T) {
		tb := s.newTab(t)
		tb.navigate(t, root+"index.html")
		if h1 := eval[string](t, tb, `document.querySelector('h1').textContent.trim()`); h1 != "The state of civic space in every country" {
			t.Fatalf("home page h1: %q", h1)
		}
		checkStyled(t, tb)
		// The country link of the newest update in "Latest updates".
		click(t, tb, `section[aria-labelledby="latest-heading"] ol.updates p.meta a`)
		waitPage(t, tb, `/countries/kazakhstan.html`)
		if h1 := eval[string](t, tb, `document.querySelector('h1').textContent.trim()`); h1 != "Kazakhstan" {
			t.Errorf("country page h1: %q", h1)
		}
		if n := eval[int](t, tb, `document.querySelectorAll('ol.updates > li').length`); n != len(updates)+1 {
			t.Errorf("the country page lists %d updates, want %d", n, len(updates)+1)
		}
		checkStyled(t, tb)
		// The menu's "Explore" is the search page.
		click(t, tb, `nav.main-nav a[href$="updates.html"]`)
		waitPage(t, tb, `/updates.html`)
		if eval[bool](t, tb, `!document.querySelector('form.search').hidden && document.querySelector('.js-needed').hidden`) != true {
			t.Fatal("the search form is not shown, or the no-JavaScript notice is")
		}

		// A word, and the start of another: every Kazakhstan update has the
		// first; one has "January 2022" in its title.
		hits := searchFor(t, tb, "Kazakhstan janu")
		if len(hits) == 0 {
			t.Fatal("no result for “Kazakhstan janu”")
		}
		for _, h := range hits {
			if !strings.Contains(strings.ToLower(h.Title+h.Text), "jan") {
				t.Errorf("result %q does not have a word starting with “janu”", h.Title)
			}
		}
		all := searchFor(t, tb, "kazakhstan")
		if len(all) != len(updates)+1 {
			t.Errorf("“kazakhstan”: %d results, want every update, %d", len(all), len(updates)+1)
		}
		if len(all) > 1 && all[0].Title != kk.Title { // newest first
			t.Errorf("first result %q, want the newest, %q", all[0].Title, kk.Title)
		}
		// Cyrillic, in any case, and by the start of a word.
		for _, q := range []string{"Қазақстан", "ҚАЗАҚСТАН жиналыс", "казах"} {
			hits := searchFor(t, tb, q)
			if len(hits) != 1 || hits[0].Title != kk.Title {
				t.Errorf("%q: %d results %v, want the update in Kazakh", q, len(hits), hits)
			}
		}
		if hits := searchFor(t, tb, "zzzznothing"); len(hits) != 0 {
			t.Errorf("a word no update has: %d results", len(hits))
		}
		// Every result links to an update page of the mirror.
		for _, h := range append(all, hits...) {
			checkFileLink(t, h.Href, dir, "updates/")
			checkFileLink(t, h.Country, dir, "countries/")
		}
		// Follow a result.
		searchFor(t, tb, "Қазақстан")
		click(t, tb, `#results li h3 a`)
		waitPage(t, tb, `/updates/qazaqstan-beibit-zhinalys.html`)
		if h1 := eval[string](t, tb, `document.querySelector('h1').textContent.trim()`); h1 != kk.Title {
			t.Errorf("the result opened %q", h1)
		}
		checkFileRequests(t, tb)
	})

	t.Run("SearchInRussianAndFromTheURL", func(t *testing.T) {
		tb := s.newTab(t)
		tb.navigate(t, root+"ru/updates.html#q="+url.QueryEscape("казахстан"))
		waitFor(t, tb, `document.querySelector('.results').getAttribute('data-query') === 'казахстан'`)
		hits := results(t, tb)
		if len(hits) != 1 || hits[0].Title != kk.Title {
			t.Fatalf("ru search page, “казахстан” from the URL: %v", hits)
		}
		if !strings.Contains(hits[0].Href, "/ru/updates/") {
			t.Errorf("a result of the Russian page links to %s, not the Russian page", hits[0].Href)
		}
		checkFileLink(t, hits[0].Href, dir, "ru/updates/")
		if lang := eval[string](t, tb, `document.documentElement.lang`); lang != "ru" {
			t.Errorf("lang %q", lang)
		}
		checkFileRequests(t, tb)
	})

	t.Run("NormalizerMatchesGo", func(t *testing.T) {
		tb := s.newTab(t)
		tb.navigate(t, root+"updates.html")
		samples := []string{"Қазақстан ӘҒҚҢӨҰҮҺІ", "Côte d'Ivoire", "Ёлка йод ї ў", "Straße Æ Ø Ł Đ Þ ı ſ ς",
			"e-mail, COVID-19; 2022/03", "Ｆｕｌｌ ｗｉｄｔｈ ﬁ", "и\u0306 e\u0301", "中文字 かな カナ", "İstanbul Ωμέγα",
			strings.Repeat("Қ", 40) + " " + strings.Repeat("a", 80)}
		b, _ := json.Marshal(samples)
		got := eval[[]string](t, tb, `(`+string(b)+`).map(s => window.civicmonNormalize(s))`)
		for i, s := range samples {
			if want := search.Normalize(s); i >= len(got) || got[i] != want {
				g := ""
				if i < len(got) {
					g = got[i]
				}
				t.Errorf("normalise %q: the search page gives %q, the index %q", s, g, want)
			}
		}
	})

	t.Run("SearchPageWithoutJavaScript", func(t *testing.T) {
		tb := s.newTab(t)
		if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		tb.navigate(t, root+"updates.html")
		f := eval[map[string]bool](t, tb, `({
			notice: document.querySelector('.js-needed').checkVisibility(),
			form: document.querySelector('form.search').checkVisibility(),
			countries: !!document.querySelector('.js-needed a[href$="countries.html"]'),
		})`)
		if !f["notice"] || f["form"] || !f["countries"] {
			t.Errorf("without JavaScript the search page must say so, link to the countries and hide its form: %v", f)
		}
		checkStyled(t, tb)
		checkFileRequests(t, tb)
	})
}

// checkStyled fails when the stylesheet did not load (the policy in the
// page's <meta> must let the mirror's own files load from file://).
func checkStyled(t *testing.T, tb *tab) {
	t.Helper()
	// (file:// stylesheets do not show their rules to scripts: look at
	// their effect, the box-sizing of every element.)
	if bs := eval[string](t, tb, `getComputedStyle(document.body).boxSizing`); bs != "border-box" {
		t.Errorf("the stylesheet did not load: box-sizing %q", bs)
	}
}

func click(t *testing.T, tb *tab, sel string) {
	t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// waitFor polls a JavaScript condition for up to ten seconds.
func waitFor(t *testing.T, tb *tab, cond string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`(() => { try { return !!(`+cond+`) } catch (e) { return false } })()`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s; at %s", cond, eval[string](t, tb, `location.href`))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPage waits until the tab shows the page whose URL ends with suffix,
// loaded.
func waitPage(t *testing.T, tb *tab, suffix string) {
	t.Helper()
	waitFor(t, tb, `location.href.endsWith(`+jsString(suffix)+`) && document.readyState === 'complete' && document.querySelector('h1')`)
}

type hit struct {
	Title, Text, Href, Country string
}

// searchFor types q into the search box, submits, and returns every result
// (asking for more until there are no more).
func searchFor(t *testing.T, tb *tab, q string) []hit {
	t.Helper()
	eval[bool](t, tb, `(document.querySelector('#q').value = '') === ''`)
	if _, err := chromedp.Run(tb.ctx, chromedp.SendKeys(chromedp.CSS(`#q`), q+kb.Enter)); err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	// The page marks its results with their query when they are shown.
	waitFor(t, tb, `document.querySelector('.results').getAttribute('data-query') === `+jsString(q))
	for eval[bool](t, tb, `!document.querySelector('#more').hidden`) {
		n := eval[int](t, tb, `document.querySelectorAll('#results li').length`)
		click(t, tb, `#more`)
		waitFor(t, tb, `document.querySelectorAll('#results li').length > `+jsInt(n))
	}
	return results(t, tb)
}

func results(t *testing.T, tb *tab) []hit {
	t.Helper()
	return eval[[]hit](t, tb, `[...document.querySelectorAll('#results li')].map(li => ({
		Title: li.querySelector('h3').textContent, Text: li.textContent,
		Href: li.querySelector('h3 a').href, Country: (li.querySelector('.meta a') || {}).href || ''}))`)
}

// checkFileLink fails unless u is a file:// URL of a file of the mirror in
// dir, under prefix.
func checkFileLink(t *testing.T, u, dir, prefix string) {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "file" || !strings.HasPrefix(p.Path, dir+"/"+prefix) {
		t.Errorf("link %s: not a file:// link into %s/%s", u, dir, prefix)
		return
	}
	if fi, err := os.Stat(p.Path); err != nil || fi.IsDir() {
		t.Errorf("link %s: no such file in the mirror", u)
	}
}

// checkFileRequests fails when the page asked for anything not on file://
// (or a data: URL), or the browser reported a problem: a failed load, a
// violation of the content security policy, an exception.
func checkFileRequests(t *testing.T, tb *tab) {
	t.Helper()
	chromedp.Run(tb.ctx, chromedp.Sleep(100*time.Millisecond))
	requests, problems := tb.snapshot()
	if len(requests) == 0 {
		t.Fatal("no request recorded: the network log does not work")
	}
	for _, r := range requests {
		if !strings.HasPrefix(r, "file://") && !strings.HasPrefix(r, "data:") {
			t.Errorf("a request left file://: %s", r)
		}
	}
	for _, p := range problems {
		t.Errorf("the browser reported: %s", p)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
