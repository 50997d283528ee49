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
`)
	for _, c := range append(append([]string{}, Categories...), "") {
		cl := Class(c)
		fmt.Fprintf(&b, ".wm .%s,.wm-sw.%s{fill:%s;background:%s}\n", cl, cl, fills[c], fills[c])
	}
	return b.String()
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
