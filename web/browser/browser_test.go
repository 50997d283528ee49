package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// axeScript is axe-core as npm installs it from testdata/package-lock.json.
const axeScript = "testdata/node_modules/axe-core/axe.min.js"

// The WCAG levels axe-core checks: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// tabTimeout bounds everything one tab does.
const tabTimeout = 30 * time.Second

// site is the website under test and the browser that reads it.
type site struct {
	base    string // http://127.0.0.1:port, no trailing slash
	host    string // 127.0.0.1:port
	browser context.Context
	logs    *syncBuffer // the server's log, JSON lines
	// the demo data the pages must show
	updates   []civicmon.Update           // Kazakhstan, newest first
	countries int                         // how many countries
	editions  []civicmon.WatchlistEdition // oldest first
}

// TestSite runs every browser test against one server and one Chromium,
// each page in a tab of its own browser context (no shared cache, cookies
// or history).
func TestSite(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests: SKIPPED in -short mode")
	}
	exe := findChromium(t)
	s := startSite(t)
	s.browser = startBrowser(t, exe)

	t.Run("Pages", func(t *testing.T) { testPages(t, s, false) })
	t.Run("PagesWithoutJavaScript", func(t *testing.T) { testPages(t, s, true) })
	t.Run("Reflow320", func(t *testing.T) { testReflow(t, s) })
	t.Run("MapClickOpensCountry", func(t *testing.T) { testMapClick(t, s) })
	t.Run("MapClickOpensSmallStates", func(t *testing.T) { testSmallStatesClick(t, s) })
	t.Run("RightToLeft", func(t *testing.T) { testRightToLeft(t, s) })
	t.Run("Screenshots", func(t *testing.T) { testScreenshots(t, s) })
	t.Run("EmbeddedMapLinksLeaveTheFrame", func(t *testing.T) { testEmbedClick(t, s) })
	t.Run("Keyboard", func(t *testing.T) { testKeyboard(t, s) })
	t.Run("Axe", func(t *testing.T) { testAxe(t, s) })

	for line := range bytes.Lines(s.logs.Bytes()) {
		if bytes.Contains(line, []byte(`"level":"ERROR"`)) {
			t.Errorf("the server logged an error: %s", line)
		}
	}
}

// findChromium returns the chromium binary, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CIVICMON_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Skip("browser tests: SKIPPED — chromium not found; apt-get install chromium")
	return ""
}

// startSite serves the public website over a fresh database with the demo
// data (webtest's environment: its accounts and drafts are not public).
func startSite(t *testing.T) *site {
	t.Helper()
	updates, err := demo.KazakhstanUpdates()
	if err != nil {
		t.Fatal(err)
	}
	countries, err := demo.Countries()
	if err != nil {
		t.Fatal(err)
	}
	editions, err := demo.WatchlistEditions()
	if err != nil || len(editions) < 2 {
		t.Fatalf("demo watchlist: %d editions, %v", len(editions), err)
	}
	logs := &syncBuffer{}
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) { c.Logger = slog.New(slog.NewJSONHandler(logs, nil)) }})
	u, _ := url.Parse(env.URL)
	return &site{base: env.URL, host: u.Host, logs: logs, updates: updates, countries: len(countries), editions: editions}
}

// startBrowser starts the one Chromium that all subtests share. The flags
// keep it off the network: Chromium reaches for Google hosts without them.
func startBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	profile := t.TempDir() // removed after the browser has stopped (cleanups run last-in first-out)
	var output syncBuffer
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions"),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&output),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil { // starts the browser, with no timeout on it
		t.Fatalf("start %s: %v\n%s", exe, err, output.Bytes())
	}
	return browserCtx
}

// tab is one page opened in its own tab and browser context, with what the
// browser reported while loading it.
type tab struct {
	ctx    context.Context
	status int64 // of the document

	mu       sync.Mutex
	requests []string // every URL the page asked for
	problems []string // console errors (CSP violations among them), exceptions, failed loads
}

type tabOptions struct {
	noJS  bool
	width int64 // emulate a viewport this wide (CSS px); 0 keeps the window's
}

// open loads path (relative to the site, or a full URL) in a new tab.
func (s *site) open(t *testing.T, path string, o tabOptions) *tab {
	t.Helper()
	tb := s.newTab(t)
	if o.noJS {
		if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		// Prove it on the blank page, which has no CSP: a script added to
		// it must not run. (DevTools evaluation itself still works.)
		if ran := eval[bool](t, tb, `(() => { const s = document.createElement('script');
			s.textContent = 'window.__ran = true'; document.documentElement.appendChild(s); return window.__ran === true; })()`); ran {
			t.Fatal("JavaScript still runs in the tab")
		}
	}
	if o.width > 0 {
		if _, err := chromedp.Run(tb.ctx, chromedp.EmulateViewport(o.width, 640)); err != nil {
			t.Fatalf("emulate a %d px viewport: %v", o.width, err)
		}
	}
	tb.navigate(t, s.url(path))
	return tb
}

// newTab opens an empty tab that records its requests and problems.
func (s *site) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(cancelTimeout)
	tb := &tab{ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			tb.requests = append(tb.requests, ev.Request.URL)
		case *network.EventLoadingFailed:
			if !ev.Canceled {
				tb.problems = append(tb.problems, fmt.Sprintf("loading failed (%s): %s", ev.Type, ev.ErrorText))
			}
		case *cdplog.EventEntryAdded:
			if e := ev.Entry; e.Level == cdplog.EntryLevelError { // CSP violations and failed loads are errors
				tb.problems = append(tb.problems, fmt.Sprintf("console %s (%s): %s %s", e.Level, e.Source, e.Text, e.URL))
			}
		case *runtime.EventExceptionThrown:
			tb.problems = append(tb.problems, "exception: "+ev.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the log: %v", err)
	}
	return tb
}

func (s *site) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return s.base + path
}

// navigate loads u and waits for its load event.
func (tb *tab) navigate(t *testing.T, u string) {
	t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("load %s: %v", u, err)
	}
	tb.status = resp.Status
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// snapshot returns the requests and problems recorded so far.
func (tb *tab) snapshot() (requests, problems []string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.requests), slices.Clone(tb.problems)
}

// pageCase is one page and what it must show.
type pageCase struct {
	path     string
	status   int64
	h1       string         // the text of the one h1
	hiddenH1 bool           // the h1 is for screen readers only (.vh)
	texts    []string       // visible text the page must show
	ordered  []string       // visible text that must appear in this order
	count    map[string]int // CSS selector → how many elements must match
}

func (s *site) pageCases() []pageCase {
	var titles []string
	var withIncidents civicmon.Update
	for _, u := range s.updates {
		titles = append(titles, u.Title)
		if len(u.Incidents) > len(withIncidents.Incidents) {
			withIncidents = u
		}
	}
	oldest := s.updates[len(s.updates)-1] // its page has no incidents
	current, older := s.editions[len(s.editions)-1], s.editions[0]
	categories := []string{"Open", "Narrowed", "Obstructed", "Repressed", "Closed"}
	return []pageCase{
		{path: "/", status: 200, h1: "The state of civic space in every country",
			texts: []string{"World map of ratings", "Countries by rating", "On the watchlist", "Latest updates", titles[0]},
			count: map[string]int{`main svg.wm a[href="/countries/kazakhstan"]`: 1, "table.ratings tbody tr": s.countries}},
		{path: "/countries", status: 200, h1: "Countries",
			texts: []string{"Kazakhstan", "Europe and Central Asia", "Africa", "Americas", "Asia-Pacific", "Middle East and North Africa"},
			count: map[string]int{`a[href="/countries/kazakhstan"]`: 1}},
		{path: "/countries/kazakhstan", status: 200, h1: "Kazakhstan",
			texts: []string{"Repressed", "Research updates", "By freedom", "Cite this country page", "Follow Kazakhstan"}, ordered: titles, // newest first
			count: map[string]int{"ol.updates > li": len(titles), "ol.updates .more a": len(titles), "figure.trend svg.chart": 1}},
		{path: "/updates/" + oldest.Slug, status: 200, h1: oldest.Title,
			texts: []string{"Kazakhstan", "Published", oldest.Summary}},
		{path: "/updates/" + withIncidents.Slug, status: 200, h1: withIncidents.Title,
			texts: []string{"Incidents", withIncidents.Incidents[0].Description},
			count: map[string]int{"section.incidents table tbody tr": len(withIncidents.Incidents)}},
		{path: "/regions/europe-central-asia", status: 200, h1: "Europe and Central Asia",
			texts: []string{"Kazakhstan", "Research updates", titles[0]}},
		{path: "/freedoms/expression", status: 200, h1: "Freedom of expression",
			texts: []string{"Kazakhstan", "Research updates"},
			count: map[string]int{"ol.updates > li": -1}},
		{path: "/tags/internet-shutdown", status: 200, h1: "Internet shutdown",
			texts: []string{"Kazakhstan", withIncidents.Title}},
		{path: "/watchlist", status: 200, h1: current.Title,
			texts: []string{"Kazakhstan", "All editions"}},
		{path: "/watchlist/" + older.PublishedOn.String(), status: 200, h1: older.Title,
			texts: []string{"Kazakhstan", "See the current edition"}},
		{path: "/methodology", status: 200, h1: "Methodology", texts: categories},
		{path: "/embed/map", status: 200, h1: "World map of civic space ratings", hiddenH1: true,
			texts: []string{"Repressed", "Not rated"},
			count: map[string]int{"main svg.wm": 1, `main svg.wm a[href="/countries/kazakhstan"]`: 1}},
		{path: "/statistics?year=2020", status: 200, h1: "Statistics",
			texts: []string{"Countries by civic space rating on 31 December 2020", "Closed 23", "Open 42", "Share of the population",
				"Countries whose rating changed in 2020", "Costa Rica", "The data behind this chart"},
			count: map[string]int{"main svg.chart": -1, "main svg.chart title": -1, "main svg.chart desc": -1, "main table.numbers": -1}},
		{path: "/reports/2020", status: 200, h1: "Civic space in 2020",
			texts: []string{"Headline numbers", "196 countries rated at the end of 2020", "2 ratings improved and 11 worsened",
				"Closed 23", "Countries whose rating changed in 2020", "The watchlist in 2020", "Most common violations per region"},
			count: map[string]int{"main svg.chart": -1, "main svg.chart title": -1, "main table.numbers": -1}},
		{path: "/embed/statistics/ratings?year=2020", status: 200, h1: "Countries by civic space rating on 31 December 2020",
			texts: []string{"Repressed 44"}, count: map[string]int{"main svg.chart": 1}},
		{path: "/no-such-page", status: 404, h1: "Page not found",
			texts: []string{"There is no page at this address", "All countries"}},
	}
}

// testPages loads every page and checks that it shows its content, and
// that neither the page nor the browser asked any other host for anything.
func testPages(t *testing.T, s *site, noJS bool) {
	for _, pc := range s.pageCases() {
		t.Run(testName(pc.path), func(t *testing.T) {
			tb := s.open(t, pc.path, tabOptions{noJS: noJS})
			if tb.status != pc.status {
				t.Errorf("HTTP status %d, want %d", tb.status, pc.status)
			}
			checkContent(t, tb, pc)
			checkRequests(t, s, tb, pc.path)
		})
	}
}

// pageFacts is what checkContent reads from the page in one evaluation.
type pageFacts struct {
	Text        string         `json:"text"`
	H1s         []string       `json:"h1s"`
	H1Visible   bool           `json:"h1Visible"`
	Counts      map[string]int `json:"counts"`
	Scripts     int            `json:"scripts"`
	Stylesheets []string       `json:"stylesheets"`
	StyleRules  int            `json:"styleRules"`
}

func checkContent(t *testing.T, tb *tab, pc pageCase) {
	t.Helper()
	var sels []string
	for sel := range pc.count {
		sels = append(sels, sel)
	}
	slices.Sort(sels)
	js := fmt.Sprintf(`(() => {
		const h1s = [...document.querySelectorAll('h1')];
		const counts = {};
		for (const sel of %s) counts[sel] = document.querySelectorAll(sel).length;
		let rules = 0;
		for (const sh of document.styleSheets) { try { rules += sh.cssRules.length } catch (e) {} }
		return {
			text: document.body.innerText,
			h1s: h1s.map(h => h.textContent.trim()),
			h1Visible: h1s.length > 0 && h1s[0].checkVisibility() && h1s[0].getBoundingClientRect().width > 1,
			counts,
			scripts: document.scripts.length,
			stylesheets: [...document.styleSheets].map(sh => sh.href || 'inline'),
			styleRules: rules,
		};
	})()`, jsonStrings(sels))
	f := eval[pageFacts](t, tb, js)
	if len(f.H1s) != 1 || f.H1s[0] != pc.h1 {
		t.Errorf("h1: %q, want exactly one, %q", f.H1s, pc.h1)
	}
	if !pc.hiddenH1 && !f.H1Visible {
		t.Errorf("the h1 %q is not visible", pc.h1)
	}
	text := strings.Join(strings.Fields(f.Text), " ")
	for _, want := range pc.texts {
		if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the page does not show %q", want)
		}
	}
	at := 0
	for _, want := range pc.ordered {
		i := strings.Index(text[at:], strings.Join(strings.Fields(want), " "))
		if i < 0 {
			t.Errorf("the page does not show %q after %q", want, text[max(0, at-60):at])
			continue
		}
		at += i + 1
	}
	for _, sel := range sels {
		got, want := f.Counts[sel], pc.count[sel]
		if want < 0 && got == 0 || want >= 0 && got != want {
			t.Errorf("%s: %d elements, want %s", sel, got, map[bool]string{true: "some", false: fmt.Sprint(want)}[want < 0])
		}
	}
	if f.Scripts != 0 {
		t.Errorf("the page has %d <script> elements; public pages have none", f.Scripts)
	}
	if len(f.Stylesheets) != 1 || f.StyleRules < 20 {
		t.Errorf("stylesheets %q with %d rules: want the site's one stylesheet, loaded", f.Stylesheets, f.StyleRules)
	}
}

// checkRequests fails for any request to a host other than the test
// server's, and for console errors and failed loads.
func checkRequests(t *testing.T, s *site, tb *tab, path string) {
	t.Helper()
	// Let late requests (a favicon) arrive before looking.
	if _, err := chromedp.Run(tb.ctx, chromedp.Sleep(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	requests, problems := tb.snapshot()
	if len(requests) == 0 {
		t.Fatal("no request recorded: the network log does not work")
	}
	var foreign []string
	for _, r := range requests {
		u, err := url.Parse(r)
		switch {
		case err != nil:
			foreign = append(foreign, r+" (unparsable)")
		case u.Scheme == "data":
		case (u.Scheme == "http" || u.Scheme == "https") && u.Host == s.host:
		default:
			foreign = append(foreign, r)
		}
	}
	if len(foreign) > 0 {
		t.Errorf("requests to hosts other than %s:\n  %s", s.host, strings.Join(foreign, "\n  "))
	}
	for _, p := range problems {
		// The 404 page is meant to answer 404, and the browser says so.
		if strings.HasPrefix(path, "/no-such-page") && strings.Contains(p, "status of 404") && strings.HasSuffix(p, " "+s.url(path)) {
			continue
		}
		if strings.HasSuffix(p, "/favicon.ico") {
			p += " (a browser asks for /favicon.ico when the page declares no icon)"
		}
		t.Errorf("browser reported: %s", p)
	}
}

// reflowFacts is what testReflow reads from a page.
type reflowFacts struct {
	Width       int      `json:"width"`
	ScrollWidth int      `json:"scrollWidth"`
	Culprits    []string `json:"culprits"`
}

// testReflow loads every page 320 CSS px wide (WCAG 1.4.10 Reflow: a
// phone, or 1280 px zoomed to 400%), with every <details> open: the page
// must not scroll sideways. Tables may scroll inside their own box.
func testReflow(t *testing.T, s *site) {
	const js = `(() => {
		for (const d of document.querySelectorAll('details')) d.open = true; // as a reader may
		const w = document.documentElement.clientWidth, sw = document.documentElement.scrollWidth;
		const culprits = [];
		if (sw > w) {
			const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
				if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
			const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
				(el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\s+/).join('.') : '');
			for (const el of document.body.querySelectorAll('*')) {
				const r = el.getBoundingClientRect();
				if (r.right <= w + 1 || r.width === 0 || clipped(el)) continue;
				if (el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1) continue; // its parent is reported
				culprits.push(name(el.parentElement) + ' > ' + name(el) + ' (right edge at ' + Math.round(r.right) + ' px): ' +
					(el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60));
				if (culprits.length === 10) break;
			}
		}
		return {width: w, scrollWidth: sw, culprits};
	})()`
	for _, pc := range s.pageCases() {
		t.Run(testName(pc.path), func(t *testing.T) {
			tb := s.open(t, pc.path, tabOptions{width: 320})
			f := eval[reflowFacts](t, tb, js)
			if f.Width != 320 {
				t.Fatalf("the viewport is %d px wide, want 320", f.Width)
			}
			if f.ScrollWidth > f.Width {
				t.Errorf("at 320 px the page is %d px wide and the whole page scrolls sideways; too wide:\n  %s\n"+
					"(WCAG 1.4.10 lets a data table need two dimensions, not the page around it: "+
					"let a wide table scroll in its own box, as the incidents table does)",
					f.ScrollWidth, strings.Join(f.Culprits, "\n  "))
			}
		})
	}
}

// testMapClick clicks Kazakhstan on the home page's map.
func testMapClick(t *testing.T, s *site) {
	tb := s.open(t, "/", tabOptions{})
	const sel = `svg#worldmap a[aria-label^="Kazakhstan"]`
	// The click lands on the centre of the link's box; say what is there
	// when it does not open the page.
	hit := eval[string](t, tb, `(() => {
		const a = document.querySelector('`+sel+`');
		if (!a) return 'no element matches';
		a.scrollIntoView({block: 'center'});
		const r = a.getBoundingClientRect();
		const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		const at = el && el.closest('a');
		return at === a ? 'ok' : 'the centre of the link is covered by ' + (at ? at.getAttribute('aria-label') : el && el.outerHTML.slice(0, 80));
	})()`)
	if hit != "ok" {
		t.Fatalf("%s: %s", sel, hit)
	}
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp.Status != 200 {
		t.Errorf("country page: HTTP %d", resp.Status)
	}
	loc := eval[string](t, tb, `location.pathname`)
	if loc != "/countries/kazakhstan" {
		t.Errorf("the click on Kazakhstan opened %s, want /countries/kazakhstan", loc)
	}
	if h1 := eval[string](t, tb, `document.querySelector('h1').textContent.trim()`); h1 != "Kazakhstan" {
		t.Errorf("h1 after the click: %q, want Kazakhstan", h1)
	}
	checkRequests(t, s, tb, "/countries/kazakhstan")
}

// testEmbedClick frames /embed/map in a page of another origin, as a site
// that embeds the map does, and clicks Kazakhstan: the country page must
// open, in the whole window. The country page may not be framed
// (X-Frame-Options DENY, frame-ancestors 'none'), so a link that opens in
// the frame shows the reader a blocked frame instead.
func testEmbedClick(t *testing.T, s *site) {
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>A site that embeds the map</title>
<h1>Our story</h1><iframe src="%s/embed/map" title="World map" width="1000" height="600"></iframe>`, s.base)
	}))
	defer outer.Close()
	tb := s.newTab(t)
	tb.navigate(t, outer.URL)

	// Find the link inside the frame and click its centre as a reader would.
	x, y, err := frameLinkCentre(tb.ctx, `a[aria-label^="Kazakhstan"]`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.MouseClickXY(x, y)); err != nil {
		t.Fatal(err)
	}
	// Wait for the window or the frame to change. (The window may be
	// between documents when asked: ask again.)
	var top, frame string
	// A frame between documents reports no URL: that is no change yet.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		href, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.href`))
		if err != nil {
			continue
		}
		top, frame = href, frameURL(tb.ctx)
		if top != outer.URL+"/" || (frame != "" && !strings.HasSuffix(frame, "/embed/map")) {
			break
		}
	}
	if top != s.base+"/countries/kazakhstan" {
		t.Errorf("a click on Kazakhstan in the embedded map left the window at %s and loaded %q in the frame, "+
			"where the country page may not be shown (X-Frame-Options: DENY); want the window to open %s/countries/kazakhstan",
			top, frame, s.base)
	}
}

// frameLinkCentre returns the centre, in the window's coordinates, of the
// first element matching sel in the first iframe.
func frameLinkCentre(ctx context.Context, sel string) (x, y float64, err error) {
	type res struct{ X, Y float64 }
	// The frame is of another origin, so the top page's script cannot
	// reach it; the DevTools DOM can.
	r, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (res, error) {
		doc, err := cdp.Call(ctx, t, dom.GetDocument, dom.GetDocumentParams{Depth: new(int64(-1)), Pierce: new(true)})
		if err != nil {
			return res{}, err
		}
		fd := findFrameDocument(doc.Root)
		if fd == 0 {
			return res{}, errors.New("no document in the iframe")
		}
		q, err := cdp.Call(ctx, t, dom.QuerySelector, dom.QuerySelectorParams{NodeID: fd, Selector: sel})
		if err != nil || q.NodeID == 0 {
			return res{}, fmt.Errorf("%s in the frame: %v", sel, err)
		}
		quads, err := cdp.Call(ctx, t, dom.GetContentQuads, dom.GetContentQuadsParams{NodeID: q.NodeID})
		if err != nil || len(quads.Quads) == 0 {
			return res{}, fmt.Errorf("%s in the frame has no box: %v", sel, err)
		}
		qd := quads.Quads[0]
		var cx, cy float64
		for i := 0; i+1 < len(qd); i += 2 {
			cx += qd[i]
			cy += qd[i+1]
		}
		n := float64(len(qd) / 2)
		return res{cx / n, cy / n}, nil
	})
	return r.X, r.Y, err
}

// findFrameDocument returns the id of the document of the first iframe
// under n, or 0.
func findFrameDocument(n *cdp.Node) cdp.NodeID {
	if n == nil {
		return 0
	}
	if n.ContentDocument != nil {
		return n.ContentDocument.NodeID
	}
	for _, c := range n.Children {
		if id := findFrameDocument(c); id != 0 {
			return id
		}
	}
	return 0
}

// frameURL returns the URL of the document in the first iframe.
func frameURL(ctx context.Context) string {
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil || tree.FrameTree == nil || len(tree.FrameTree.ChildFrames) == 0 {
		return ""
	}
	return tree.FrameTree.ChildFrames[0].Frame.URL
}

// testKeyboard checks the first Tab stops, the skip link and that a
// reader reaches the first "Read more" by keyboard.
func testKeyboard(t *testing.T, s *site) {
	const active = `(() => { const a = document.activeElement; return a ? a.textContent.trim().replace(/\s+/g, ' ') : ''; })()`
	const maxTabs = 30

	t.Run("SkipLinkFirstAndShown", func(t *testing.T) {
		tb := s.open(t, "/countries/kazakhstan", tabOptions{})
		pressTab(t, tb)
		if got := eval[string](t, tb, active); got != "Skip to content" {
			t.Fatalf("first Tab focuses %q, want the skip link, \"Skip to content\"", got)
		}
		// A focused skip link must be seen (WCAG 2.4.7): on screen, not off to the side.
		if on := eval[bool](t, tb, `(() => { const r = document.activeElement.getBoundingClientRect();
			return r.width > 1 && r.height > 1 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()`); !on {
			t.Error("the focused skip link is not on screen")
		}
		// Following it moves the Tab order to the main content.
		if _, err := chromedp.Run(tb.ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		pressTab(t, tb)
		if in := eval[bool](t, tb, `!!document.activeElement.closest('main')`); !in {
			t.Errorf("after following the skip link, Tab focuses %q, outside <main>", eval[string](t, tb, active))
		}
	})

	t.Run("ReadMoreReachable", func(t *testing.T) {
		tb := s.open(t, "/countries/kazakhstan", tabOptions{})
		want := s.updates[0].Title
		var path []string
		for i := 1; i <= maxTabs; i++ {
			pressTab(t, tb)
			got := eval[string](t, tb, active)
			path = append(path, got)
			if eval[bool](t, tb, `document.activeElement.matches('ol.updates > li:first-child .more a')`) {
				if !strings.Contains(got, "Read more") || !strings.Contains(got, want) {
					t.Errorf("the first Read more link reads %q, want Read more and %q", got, want)
				}
				// The focus must be visible (WCAG 2.4.7).
				if o := eval[string](t, tb, `getComputedStyle(document.activeElement).outlineStyle`); o == "none" {
					t.Errorf("the focused Read more link has no outline")
				}
				t.Logf("Read more reached after %d Tabs", i)
				return
			}
		}
		t.Errorf("the first Read more link is not reached in %d Tabs; focus went: %q", maxTabs, path)
	})
}

func pressTab(t *testing.T, tb *tab) {
	t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
}

// axeResult is the part of axe.run's result the test reports.
type axeResult struct {
	Version    string         `json:"version"`
	Violations []axeViolation `json:"violations"`
	Incomplete []string       `json:"incomplete"`
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// testAxe runs axe-core on the main pages and fails for every WCAG 2.1
// A/AA violation.
func testAxe(t *testing.T, s *site) {
	src, err := os.ReadFile(axeScript)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("axe-core: SKIPPED — %s is missing; run `npm ci --prefix web/browser/testdata`", filepath.ToSlash(axeScript))
	}
	if err != nil {
		t.Fatal(err)
	}
	var withIncidents civicmon.Update
	for _, u := range s.updates {
		if len(u.Incidents) > len(withIncidents.Incidents) {
			withIncidents = u
		}
	}
	paths := []string{"/", "/countries", "/countries/kazakhstan", "/updates/" + withIncidents.Slug,
		"/watchlist", "/methodology", "/regions/europe-central-asia", "/embed/map", "/no-such-page",
		"/statistics?year=2020", "/statistics?country=KZ&freedom=expression", "/embed/statistics/population?year=2020",
		"/reports/2020", "/reports/2022?lang=ru", "/?lang=ru", "/regions/asia-pacific?lang=ru"}
	run := fmt.Sprintf(`axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']}).then(r => ({
		version: axe.version,
		violations: r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.map(x => Array.isArray(x) ? x.join(' >>> ') : String(x)).join(' '),
				summary: n.failureSummary || ''}))})),
		incomplete: r.incomplete.map(v => v.id),
	}))`, jsonStrings(axeTags))
	type axeCase struct {
		path  string
		width int64
	}
	var cases []axeCase
	for _, p := range paths {
		cases = append(cases, axeCase{p, 0})
	}
	// The map's pages on a phone too: the table first, the region picker.
	cases = append(cases, axeCase{"/", 390}, axeCase{"/?lang=ru", 390}, axeCase{"/regions/americas", 390})
	for _, c := range cases {
		path := c.path
		name := testName(path)
		if c.width != 0 {
			name += fmt.Sprintf("@%dpx", c.width)
		}
		t.Run(name, func(t *testing.T) {
			tb := s.open(t, path, tabOptions{width: c.width})
			// DevTools evaluation is not bound by the page's CSP (script-src
			// 'none'), so axe goes in without weakening the page.
			if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
				t.Fatalf("inject axe-core: %v", err)
			}
			res, err := chromedp.Run(tb.ctx, chromedp.Evaluate[axeResult](run, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe.run: %v", err)
			}
			if len(res.Incomplete) > 0 {
				t.Logf("axe-core %s: to review by hand: %s", res.Version, strings.Join(res.Incomplete, ", "))
			}
			const maxNodes = 8
			for _, v := range res.Violations {
				var b strings.Builder
				fmt.Fprintf(&b, "axe-core %s: %s (%s): %s — %s", res.Version, v.ID, v.Impact, v.Help, v.URL)
				for i, n := range v.Nodes {
					if i == maxNodes {
						fmt.Fprintf(&b, "\n    … and %d more elements", len(v.Nodes)-maxNodes)
						break
					}
					fmt.Fprintf(&b, "\n    %s\n      %s", n.Target, strings.ReplaceAll(n.Summary, "\n", "\n      "))
				}
				t.Error(b.String())
			}
		})
	}
}

// testName names a subtest after a page's path.
func testName(path string) string {
	if path == "/" {
		return "home"
	}
	return strings.TrimPrefix(path, "/")
}

// jsonStrings writes strs as a JavaScript array literal.
func jsonStrings(strs []string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, s := range strs {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	b.WriteString("]")
	return b.String()
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

var _ io.Writer = (*syncBuffer)(nil)
