package worldmap

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Fill colours, from Open to Closed: ColorBrewer's 5-class YlOrRd, a
// sequential scheme that reads as one light-to-dark ramp for every kind of
// colour vision (it is marked colour-blind safe), so that "more closed" is
// always "darker". Not rated is a neutral grey, set apart from the yellow of
// Open by hue on the blue–yellow axis that red–green colour-blind readers keep.
// The hover and focus outline is black: at least 3:1 against every fill (the
// darkest, Closed, gives 3.2:1) and against a white page.
var fills = map[string]string{
	"open":       "#ffffb2",
	"narrowed":   "#fecc5c",
	"obstructed": "#fd8d3c",
	"repressed":  "#f03b20",
	"closed":     "#bd0026",
	"":           "#d0d0d0",
}

// hatch is a category's pattern: lines of ink at an angle, weight their
// width as a share of the pattern's size, crossed or not.
type hatch struct {
	ink    string
	angle  int
	weight float64
	cross  bool
}

// pattern marks the categories whose colour alone is too close to a
// neighbour's: no five colours in a light-to-dark ramp can differ by the
// WCAG non-text contrast of 3:1 from each neighbour (that would take a
// range of 3⁴ = 81:1, and white to black is 21:1), so every other category
// carries lines, of an ink at least 3:1 against its fill
// (TestNeighboursTellApart). Narrowed gets dark diagonal lines, Repressed a
// white cross-hatch; Open, Obstructed and Closed stay plain.
var pattern = map[string]hatch{
	"narrowed":  {ink: "#1a1a1a", angle: 45, weight: 0.22},
	"repressed": {ink: "#ffffff", angle: 45, weight: 0.3, cross: true},
}

// Fill returns the fill colour of a category ("" for not rated), for pages
// that need it outside CSS(), e.g. an Open Graph image.
func Fill(category string) string { return fills[category] }

// CSS returns the stylesheet rules for the map (class wm) and its legend
// (classes wm-key and wm-sw). Put it in the site's own stylesheet: the map
// uses no inline styles, so it works under a Content-Security-Policy that
// allows stylesheets from self only.
func CSS() string {
	var b strings.Builder
	b.WriteString(`.wm{display:block;width:100%;height:auto}
.wm path{stroke:#555;stroke-width:.5px;stroke-linejoin:round;vector-effect:non-scaling-stroke}
.wm a:hover path,.wm a:focus path{stroke:#000;stroke-width:2px}
.wm a:focus-visible{outline:2px solid #000;outline-offset:1px}
.wm-key{list-style:none;margin:.5em 0;padding:0;display:flex;flex-wrap:wrap;gap:.25em 1.25em}
.wm-key li{display:flex;align-items:center;gap:.4em}
.wm-sw{display:inline-block;width:1em;height:1em;border:1px solid #555;flex:none}
.wm .wm-pt circle,.wm circle.wm-pt{stroke:#000;stroke-width:1.5px;vector-effect:non-scaling-stroke}
.wm a.wm-pt:hover circle,.wm a.wm-pt:focus circle{stroke-width:3px}
.wm .wm-ld path{fill:none;stroke:#000;stroke-width:1px;vector-effect:non-scaling-stroke}
`)
	for _, c := range append(append([]string{}, Categories...), "") {
		cl := Class(c)
		if h := pattern[c]; h.ink != "" {
			// The map's shapes take the pattern from their fill attribute,
			// which a CSS fill would override; the legend's swatches draw
			// the same lines with a gradient.
			fmt.Fprintf(&b, ".wm-sw.%s{background:%srepeating-linear-gradient(%ddeg,%s 0 1.5px,%s 1.5px 5px)}\n",
				cl, crossCSS(h), h.angle, h.ink, fills[c])
			continue
		}
		fmt.Fprintf(&b, ".wm .%s,.wm-sw.%s{fill:%s;background:%s}\n", cl, cl, fills[c], fills[c])
	}
	return b.String()
}

// crossCSS is the top layer of lines of a crossed pattern's swatch.
func crossCSS(h hatch) string {
	if !h.cross {
		return ""
	}
	return fmt.Sprintf("repeating-linear-gradient(%ddeg,%s 0 1.5px,transparent 1.5px 5px),", h.angle+90, h.ink)
}

// LegendItem is one entry of the legend: a category slug ("" for not rated)
// and its display word.
type LegendItem struct {
	Category string
	Name     string
}

// Legend returns the legend in English: the five categories from Open to
// Closed, then Not rated. Translated pages build their own items.
func Legend() []LegendItem {
	items := make([]LegendItem, 0, len(Categories)+1)
	for _, c := range Categories {
		items = append(items, LegendItem{c, strings.ToUpper(c[:1]) + c[1:]})
	}
	return append(items, LegendItem{"", "Not rated"})
}

// RenderLegend writes the legend in words as an HTML list, each word after a
// colour swatch that is hidden from assistive technology:
//
//	<ul class="wm-key"><li><span class="wm-sw r-open" aria-hidden="true"></span>Open</li>…</ul>
func RenderLegend(w io.Writer, items []LegendItem) error {
	for _, it := range items {
		if Class(it.Category) == "" {
			return fmt.Errorf("worldmap: legend: unknown category %q", it.Category)
		}
	}
	return legend(items).Render(context.Background(), w)
}
