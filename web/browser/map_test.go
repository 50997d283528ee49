package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// testSmallStatesClick clicks five small states, drawn as dots on the
// home page's map, each in a fresh tab 1280 px wide, and lands on their
// pages; then the same on a region's zoomed map.
func testSmallStatesClick(t *testing.T, s *site) {
	for _, c := range []struct{ page, slug, name string }{
		{"/", "singapore", "Singapore"},
		{"/", "malta", "Malta"},
		{"/", "bahrain", "Bahrain"},
		{"/", "maldives", "Maldives"},
		{"/", "tuvalu", "Tuvalu"},
		{"/regions/americas", "saint-lucia", "Saint Lucia"},
		{"/regions/asia-pacific?lang=ru", "tuvalu", "Тувалу"},
	} {
		t.Run(c.slug+" from "+testName(c.page), func(t *testing.T) {
			tb := s.open(t, c.page, tabOptions{})
			sel := `svg#worldmap a.wm-pt[href^="/countries/` + c.slug + `"]`
			// The click lands on the centre of the dot; it must be the dot
			// there, not a neighbour's or a shape's.
			hit := eval[string](t, tb, `(() => {
				const a = document.querySelector('`+sel+`');
				if (!a) return 'no element matches';
				a.scrollIntoView({block: 'center'});
				const r = a.getBoundingClientRect();
				if (r.width < 8) return 'the dot is ' + r.width.toFixed(1) + ' px wide, too small to click';
				const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
				const at = el && el.closest('a');
				return at === a ? 'ok' : 'the centre of the dot is covered by ' + (at ? at.getAttribute('aria-label') : el && el.outerHTML.slice(0, 80));
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
			if loc := eval[string](t, tb, `location.pathname`); loc != "/countries/"+c.slug {
				t.Errorf("the click on %s opened %s", c.name, loc)
			}
			if h1 := eval[string](t, tb, `document.querySelector('h1').textContent.trim()`); h1 != c.name {
				t.Errorf("h1 after the click: %q, want %q", h1, c.name)
			}
		})
	}
}

// testRightToLeft renders the map page and a country page with an RTL
// language tag (as an Arabic interface would set it: dir="rtl" on <html>)
// and checks that the layout mirrors where it should and the map does not:
// the header's menus start at the right, the map keeps the Americas on
// the left of Asia, the legend reads from the right, nothing overflows
// sideways, and the names on the map stay whole and readable.
func testRightToLeft(t *testing.T, s *site) {
	for _, width := range []int64{1280, 390} {
		for _, path := range []string{"/", "/regions/asia-pacific", "/countries/kazakhstan"} {
			t.Run(fmt.Sprintf("%s@%dpx", testName(path), width), func(t *testing.T) {
				tb := s.open(t, path, tabOptions{width: width})
				f := eval[map[string]any](t, tb, `(() => {
					document.documentElement.lang = 'ar';
					document.documentElement.dir = 'rtl';
					const out = {};
					const w = document.documentElement.clientWidth;
					out.overflow = document.documentElement.scrollWidth > w;
					const brand = document.querySelector('.brand').getBoundingClientRect();
					out.brandRight = brand.right > w / 2;
					const map = document.querySelector('svg#worldmap');
					if (map) {
						const pos = sel => { const e = map.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect(); return r.width ? r.left + r.width / 2 : null; };
						const west = pos('a[href^="/countries/brazil"], a[href^="/countries/samoa"]');
						const east = pos('a[href^="/countries/china"], a[href^="/countries/singapore"]');
						out.mapNotMirrored = west === null || east === null || west < east;
						out.mapDirection = getComputedStyle(map).direction;
						// Every label is the country's name and its rating, whole.
						out.badLabels = [...map.querySelectorAll('a')].filter(a => {
							const l = a.getAttribute('aria-label') || '';
							const ti = a.querySelector('title');
							return !l.includes(': ') || !ti || ti.textContent !== l;
						}).length;
						const items = [...document.querySelectorAll('.legend li')].map(li => li.getBoundingClientRect());
						out.legendFromRight = items.length < 2 || items[0].top < items[1].top - 1 || items[0].left > items[1].left;
					}
					return out;
				})()`)
				if f["overflow"] == true {
					t.Error("the page scrolls sideways in RTL")
				}
				if f["brandRight"] != true {
					t.Error("the header does not start at the right in RTL")
				}
				if f["mapNotMirrored"] == false {
					t.Error("the map is mirrored in RTL: the west is drawn right of the east")
				}
				if n, ok := f["badLabels"].(float64); ok && n > 0 {
					t.Errorf("%v of the map's links lost their name: rating label in RTL", n)
				}
				if f["legendFromRight"] == false {
					t.Error("the legend does not read from the right in RTL")
				}
			})
		}
	}
}

// testScreenshots saves the map and the country page in Russian at 1280
// and 390 px when CIVICMON_SCREENSHOTS names a directory, to look at.
func testScreenshots(t *testing.T, s *site) {
	dir := os.Getenv("CIVICMON_SCREENSHOTS")
	if dir == "" {
		t.Skip("set CIVICMON_SCREENSHOTS=dir to save screenshots")
	}
	for _, width := range []int64{1280, 390} {
		for name, path := range map[string]string{"map": "/?lang=ru", "region": "/regions/americas?lang=ru", "country": "/countries/kazakhstan?lang=ru"} {
			tb := s.open(t, path, tabOptions{width: width})
			shots := map[string]chromedp.Action[[]byte]{"": chromedp.FullScreenshot(100)}
			if name != "country" {
				shots["-section"] = chromedp.Screenshot(chromedp.CSS("section.map"))
			}
			for suffix, shot := range shots {
				png, err := chromedp.Run(tb.ctx, shot)
				if err != nil {
					t.Fatal(err)
				}
				f := filepath.Join(dir, fmt.Sprintf("%s-ru-%d%s.png", name, width, suffix))
				if err := os.WriteFile(f, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
