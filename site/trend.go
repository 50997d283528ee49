package site

import (
	"fmt"
	"html"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// ratingTrendSVG draws a country's rating over time: a step line over five
// labelled rows (Open at the top, Closed at the bottom), a mark at each
// rating with its category's pattern and, where published, its score. The
// history is oldest first and holds only ratings in force by today.
func ratingTrendSVG(p *web.Page, id string, history []civicmon.Rating, today civicmon.Date) string {
	if len(history) == 0 {
		return ""
	}
	const (
		width, left, right, top, rowH = 640, 100, 20, 10, 24
	)
	h := top + 5*rowH + 22
	first := history[0].EffectiveDate.Time()
	span := today.Time().Sub(first).Hours()
	if span <= 0 {
		span = 1
	}
	x := func(d civicmon.Date) float64 {
		return left + d.Time().Sub(first).Hours()/span*(width-left-right)
	}
	y := func(c civicmon.Category) int { return top + (c.Rank()-1)*rowH + rowH/2 }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t %s-d">`,
		width, h, width, h, id, id)
	last := history[len(history)-1]
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, html.EscapeString(p.T("Rating over time")), id,
		html.EscapeString(p.T("From %s (%s) to %s (%s); the table below lists every rating.",
			p.Category(history[0].Category), p.Date(history[0].EffectiveDate), p.Category(last.Category), p.Date(last.EffectiveDate))))
	patternDefs(&b, id)
	for _, c := range civicmon.Categories {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="11">%s</text><path d="M%d %dH%d" stroke="#ccc"/>`,
			left-8, y(c)+4, html.EscapeString(p.Category(c)), left, y(c), width-right)
	}
	// The step line: each rating holds until the next.
	fmt.Fprintf(&b, `<path fill="none" stroke="#222" stroke-width="2" d="M%.1f %d`, x(history[0].EffectiveDate), y(history[0].Category))
	for i := 1; i < len(history); i++ {
		fmt.Fprintf(&b, `H%.1fV%d`, x(history[i].EffectiveDate), y(history[i].Category))
	}
	fmt.Fprintf(&b, `H%d"/>`, width-right)
	for _, r := range history {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="5" fill="url(#%s-%s)" stroke="#000"/>`, x(r.EffectiveDate), y(r.Category), id, r.Category)
		if r.HasScore() {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10">%d</text>`, x(r.EffectiveDate)+7, y(r.Category)-6, r.Score)
		}
	}
	// Years along the bottom: the first and today.
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">%d</text><text x="%d" y="%d" font-size="11" text-anchor="end">%d</text>`,
		left, h-4, first.Year(), width-right, h-4, today.Year())
	b.WriteString(`</svg>`)
	return b.String()
}
