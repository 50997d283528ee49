package worldmap

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// markers collects the rendered markers: code (from the link's href slug
// map) → centre and radius.
type dot struct{ x, y, r float64 }

func renderedDots(t *testing.T, root *node) map[string]dot {
	t.Helper()
	out := map[string]dot{}
	root.walk(nil, func(n, _ *node) {
		if n.XMLName.Local != "a" {
			return
		}
		c := n.child("circle")
		if c == nil {
			return
		}
		f := func(a string) float64 {
			v, err := strconv.ParseFloat(c.attr(a), 64)
			if err != nil {
				t.Fatalf("%s: %s=%q", n.attr("href"), a, c.attr(a))
			}
			return v
		}
		out[n.attr("href")] = dot{f("cx"), f("cy"), f("r")}
	})
	return out
}

// TestSmallStatesClickable: every rated state without a shape is a linked
// dot inside the map, and no two dots overlap, so each can be clicked.
func TestSmallStatesClickable(t *testing.T) {
	in := fullInput(t)
	root := parse(t, render(t, in, Options{}))
	dots := renderedDots(t, root)
	if len(dots) != len(noShape) {
		t.Fatalf("%d markers, want %d (%v)", len(dots), len(noShape), noShape)
	}
	for _, c := range noShape {
		if !HasMarker(c) {
			t.Errorf("%s has no marker", c)
		}
	}
	w, h := ViewBox()
	var hrefs []string
	for href, d := range dots {
		hrefs = append(hrefs, href)
		if d.x-d.r < 0 || d.y-d.r < 0 || d.x+d.r > float64(w) || d.y+d.r > float64(h) {
			t.Errorf("%s: dot %v outside the map", href, d)
		}
	}
	for i, a := range hrefs {
		for _, b := range hrefs[i+1:] {
			p, q := dots[a], dots[b]
			if dist := math.Hypot(p.x-q.x, p.y-q.y); dist < p.r+q.r+0.5 {
				t.Errorf("%s and %s overlap: %.1f apart, radii %.1f", a, b, dist, p.r)
			}
		}
	}
}

// TestMarkersNearTheirPlace: a dot moved apart from a crowd stays near its
// state and has a leader line back to it; Singapore, alone, stays put.
func TestMarkersNearTheirPlace(t *testing.T) {
	ms := layout(noShape, frame(nil))
	for _, m := range ms {
		if d := math.Hypot(m.x-m.ax, m.y-m.ay); d > 30 {
			t.Errorf("%s drawn %.1f units from its place", m.code, d)
		}
		if m.code == "SG" && m.displaced {
			t.Error("Singapore moved though nothing crowds it")
		}
	}
	svg := render(t, fullInput(t), Options{})
	if !strings.Contains(svg, `<g aria-hidden="true" class="wm-ld"><path d="M`) {
		t.Error("no leader lines for the Caribbean's crowded dots")
	}
}

// TestRegionView: a focus zooms the viewBox onto the region's countries,
// keeps the map's proportions and still holds every focus country.
func TestRegionView(t *testing.T) {
	focus := []string{"SG", "MY", "ID", "TH", "PH", "VN", "KH", "LA", "MM"}
	root := parse(t, render(t, fullInput(t), Options{Focus: focus}))
	f := strings.Fields(root.attr("viewBox"))
	if len(f) != 4 {
		t.Fatalf("viewBox %q", root.attr("viewBox"))
	}
	var v [4]float64
	for i := range f {
		v[i], _ = strconv.ParseFloat(f[i], 64)
	}
	W, H := ViewBox()
	if v[2] >= float64(W)/2 {
		t.Errorf("viewBox %v is not zoomed", v)
	}
	if a, most := v[2]/v[3], float64(W)/float64(H); a < minAspect-0.01 || a > most+0.01 {
		t.Errorf("viewBox %v: aspect %.3f, want %.2f to the map's %.3f", v, a, minAspect, most)
	}
	sg := points[byPoint["SG"]]
	if sg.x < v[0] || sg.x > v[0]+v[2] || sg.y < v[1] || sg.y > v[1]+v[3] {
		t.Errorf("Singapore (%.0f, %.0f) outside viewBox %v", sg.x, sg.y, v)
	}
	for _, c := range []string{"MY", "ID", "PH"} {
		b := shapes[byCode[c]].box
		if b.x0 < v[0] || b.x1 > v[0]+v[2] || b.y0 < v[1] || b.y1 > v[1]+v[3] {
			t.Errorf("%s %v outside viewBox %v", c, b, v)
		}
	}
	if dots := renderedDots(t, root); dots["/countries/singapore"].r <= markerRadius*v[2]/float64(W) {
		t.Errorf("zoomed dots are no larger on screen: r %.2f in a %.0f-wide view", dots["/countries/singapore"].r, v[2])
	}
	// The tall Americas and the Asia-Pacific, which wraps past 180° to
	// its islands, are zoomed too, with their small states in view.
	for name, region := range map[string][]string{
		"americas":     {"US", "CA", "BR", "CL", "AR", "MX", "AG", "BB", "LC"},
		"asia-pacific": {"AF", "CN", "IN", "JP", "AU", "NZ", "ID", "SG", "TO", "WS", "TV", "KI", "FJ"},
	} {
		root := parse(t, render(t, fullInput(t), Options{Focus: region}))
		var v [4]float64
		for i, f := range strings.Fields(root.attr("viewBox")) {
			v[i], _ = strconv.ParseFloat(f, 64)
		}
		if v[2] > 0.75*float64(W) {
			t.Errorf("%s: viewBox %v is hardly zoomed", name, v)
		}
		for href, d := range renderedDots(t, root) {
			slug := strings.TrimPrefix(href, "/countries/")
			for _, c := range civicusCountries(t) {
				if c.slug == slug && slices.Contains(region, c.code) &&
					(d.x-d.r < v[0] || d.x+d.r > v[0]+v[2] || d.y-d.r < v[1] || d.y+d.r > v[1]+v[3]) {
					t.Errorf("%s: %s's dot %v outside viewBox %v", name, c.code, d, v)
				}
			}
		}
	}
	// No focus, or one that is not on the map: the whole world.
	for _, fc := range [][]string{nil, {"QQ"}} {
		if got := parse(t, render(t, fullInput(t), Options{Focus: fc})).attr("viewBox"); got != "0 0 1000 438" {
			t.Errorf("focus %v: viewBox %q", fc, got)
		}
	}
}

// luminance is WCAG 2's relative luminance of a #rrggbb colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q", hex)
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// TestNeighboursTellApart: each pair of neighbouring categories on the
// scale differs by the WCAG non-text contrast of 3:1, or one of the two
// carries a pattern whose lines stand 3:1 against its own fill. (Not
// rated is off the scale: a grey, set apart from Open by hue, and always
// named in words beside it.)
func TestNeighboursTellApart(t *testing.T) {
	var pairs [][2]string
	for i := 1; i < len(Categories); i++ {
		pairs = append(pairs, [2]string{Categories[i-1], Categories[i]})
	}
	for _, p := range pairs {
		r := contrast(t, Fill(p[0]), Fill(p[1]))
		var marked []string
		for _, c := range p {
			if h := pattern[c]; h.ink != "" {
				if ir := contrast(t, h.ink, Fill(c)); ir < 3 {
					t.Errorf("%s: pattern ink %s on %s is %.2f:1, under 3:1", c, h.ink, Fill(c), ir)
				}
				marked = append(marked, c)
			}
		}
		t.Logf("%q–%q: %.2f:1, patterned %v", p[0], p[1], r, marked)
		if r < 3 && len(marked) == 0 {
			t.Errorf("%q (%s) and %q (%s) differ by %.2f:1 and neither carries a pattern", p[0], Fill(p[0]), p[1], Fill(p[1]), r)
		}
		if len(marked) == 2 && pattern[p[0]] == pattern[p[1]] {
			t.Errorf("%q and %q carry the same pattern", p[0], p[1])
		}
	}
	// The patterns reach the map and the legend.
	svg := render(t, fullInput(t), Options{})
	css := CSS()
	for c := range pattern {
		if !strings.Contains(svg, `<pattern id="worldmap-`+c+`"`) || !strings.Contains(svg, `fill="url(#worldmap-`+c+`)"`) {
			t.Errorf("%s: pattern not defined or not used on the map", c)
		}
		if !strings.Contains(css, ".wm-sw."+Class(c)+"{background:") || !strings.Contains(css, "repeating-linear-gradient") {
			t.Errorf("%s: legend swatch has no pattern", c)
		}
		if strings.Contains(css, ".wm ."+Class(c)+",") {
			t.Errorf("%s: a CSS fill would hide the map's pattern", c)
		}
	}
}
