package site

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
)

// A chart is a set of labelled numbers drawn as horizontal bars, in SVG
// written here (no script): every bar carries its label and its number,
// and categories carry a pattern too, so the chart reads in print and
// without colour. The same rows are the table beside it and the data
// behind it (CSV and JSON).
type chart struct {
	ID    string // stable: part of its embed and data URLs
	Title string
	Desc  string
	// Cols are the table's column headings (the first is the label's);
	// Keys name the same columns in the CSV and JSON.
	Cols, Keys []string
	Rows       []chartRow
	// Measure is the index in Row.Values of the number the bars show.
	Measure int
	// Percent: the measure is a share (0–1), shown as a percentage.
	Percent bool
	// Note is shown under the chart (a credit, the countries left out).
	Note string
	// Lang writes the numbers the reader sees (table, bar labels); the
	// CSV and JSON keep plain machine numbers.
	Lang i18n.Lang
}

type chartRow struct {
	// Label is the row's name in the data; Shown, when set, is how the
	// page writes it (a month key "2020-03" as "mars 2020").
	Label  string
	Shown  string
	Key    string // machine value of the label (a slug, a code, a year)
	Href   string
	Values []float64
	// Pattern is the bar's category (a rating category's slug), "" for
	// the plain bar.
	Pattern string
}

// Name is the row's label as the page shows it.
func (r *chartRow) Name() string {
	if r.Shown != "" {
		return r.Shown
	}
	return r.Label
}

// Cell is a row's value in column i (after the label) as the table shows it.
func (c *chart) Cell(r *chartRow, i int) string {
	v := r.Values[i]
	if c.Percent && i == c.Measure {
		return c.Lang.Percent(v, 1)
	}
	return c.Lang.Decimal(v, -1)
}

var categoryFill = map[string]string{
	"open": "#ffffb2", "narrowed": "#fecc5c", "obstructed": "#fd8d3c", "repressed": "#f03b20", "closed": "#bd0026",
}

// patternDefs are the hatchings of the five categories: none for Open,
// then denser and darker towards Closed.
func patternDefs(b *strings.Builder, id string) {
	b.WriteString(`<defs>`)
	for _, c := range civicmon.Categories {
		fmt.Fprintf(b, `<pattern id="%s-%s" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/>`, id, c, categoryFill[string(c)])
		switch c {
		case civicmon.Narrowed:
			b.WriteString(`<path d="M0 6L6 0" stroke="#000" stroke-width=".6"/>`)
		case civicmon.Obstructed:
			b.WriteString(`<circle cx="3" cy="3" r="1.1" fill="#000"/>`)
		case civicmon.Repressed:
			b.WriteString(`<path d="M0 6L6 0M0 0L6 6" stroke="#000" stroke-width=".7"/>`)
		case civicmon.Closed:
			b.WriteString(`<path d="M0 3H6M3 0V6" stroke="#fff" stroke-width="1"/>`)
		}
		b.WriteString(`</pattern>`)
	}
	b.WriteString(`</defs>`)
}

// SVG draws the chart.
func (c *chart) SVG() string {
	const (
		width  = 640
		labelW = 210
		valueW = 70
		rowH   = 22
		barH   = 15
	)
	max := 0.0
	patterns := false
	for _, r := range c.Rows {
		max = maxf(max, r.Values[c.Measure])
		patterns = patterns || r.Pattern != ""
	}
	h := len(c.Rows)*rowH + 8
	var b strings.Builder
	b.Grow(300 + len(c.Rows)*260)
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t %s-d">`,
		width, h, width, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, html.EscapeString(c.Title), c.ID, html.EscapeString(c.Desc))
	if patterns {
		patternDefs(&b, c.ID)
	}
	for i := range c.Rows {
		r := &c.Rows[i]
		y := 4 + i*rowH
		w := 0.0
		if max > 0 {
			w = r.Values[c.Measure] / max * (width - labelW - valueW)
		}
		fill := `#3b6e8f`
		if r.Pattern != "" {
			fill = `url(#` + c.ID + `-` + r.Pattern + `)`
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12">%s</text>`, labelW-6, y+12, html.EscapeString(truncate(r.Name(), 32)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s" stroke="#333" stroke-width=".5"/>`, labelW, y, w, barH, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s</text>`, float64(labelW)+w+4, y+12, html.EscapeString(c.Cell(r, c.Measure)))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// writeCSV writes the chart's rows: the label's key, the label, then the
// values.
func (c *chart) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := append([]string{"key"}, c.Keys...)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range c.Rows {
		rec := []string{r.Key, r.Label}
		for i := range r.Values {
			rec = append(rec, strconv.FormatFloat(r.Values[i], 'f', -1, 64))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// chartJSON is the data behind a chart as JSON.
type chartJSON struct {
	Chart   string           `json:"chart"`
	Title   string           `json:"title"`
	Filter  map[string]any   `json:"filter"`
	Note    string           `json:"note,omitempty"`
	Rows    []map[string]any `json:"rows"`
	Credits []string         `json:"credits"`
}

func (c *chart) writeJSON(w io.Writer, filter map[string]any) error {
	out := chartJSON{Chart: c.ID, Title: c.Title, Filter: filter, Note: c.Note, Rows: []map[string]any{},
		Credits: []string{"CIVICUS Monitor ratings"}}
	if c.Percent {
		out.Credits = append(out.Credits, "Population: World Bank (SP.POP.TOTL)")
	}
	for _, r := range c.Rows {
		m := map[string]any{"key": r.Key, c.Keys[0]: r.Label}
		for i, v := range r.Values {
			m[c.Keys[i+1]] = v
		}
		out.Rows = append(out.Rows, m)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
