// Package worldmap renders the server-side world map: an inline SVG
// choropleth of the countries coloured by their current civic space rating,
// each rated country a link to its page with an accessible name.
//
// The shapes are Natural Earth 1:110m countries (public domain), taken from
// the npm package world-atlas and converted once, by tools/worldmap/convert.mjs,
// into the embedded file shapes.txt: integer, relative SVG paths on a
// 1000-unit-wide viewBox in the Natural Earth I projection.
//
// The output uses no JavaScript, no inline styles and nothing from other
// hosts: colours come from classes that CSS() styles. Small states have no
// shape at this scale (see HasShape); the page that shows the map must also
// show the same data as a text table, which covers them.
package worldmap

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed shapes.txt
var shapesFile string

// Country is one country or territory to show on the map.
type Country struct {
	Code         string // ISO 3166-1 alpha-2 (XK for Kosovo), upper case
	Name         string // display name, e.g. "Kazakhstan" (possibly translated)
	Href         string // link to the country's page; "" draws it unlinked
	Category     string // open, narrowed, obstructed, repressed, closed, or "" for not rated
	CategoryName string // display word for the category, e.g. "Repressed" or "Not rated"
}

// Label is the country's accessible name on the map: "Kazakhstan: Repressed",
// or just the name when CategoryName is empty.
func (c Country) Label() string {
	if c.CategoryName == "" {
		return c.Name
	}
	return c.Name + ": " + c.CategoryName
}

// Options tune Render. The zero value is usable.
type Options struct {
	// ID is the svg element's id (default "worldmap"); its <title> gets
	// ID+"-title", so use a different ID for each map on one page.
	ID string
	// Title is the map's accessible name (default "World map of civic space
	// ratings"). Pass a translated title on translated pages.
	Title string
	// Target, when set, is the target attribute of every link: "_top" on
	// a page that other sites frame, so a click opens the country page in
	// the whole window instead of inside the frame, where it may not show.
	Target string
	// Focus, when set, zooms the map to these countries (a region's): the
	// viewBox frames their shapes and markers, and other countries are
	// drawn around them as usual.
	Focus []string
}

// Categories lists the rating categories from most open to most closed, as
// the slugs Country.Category takes.
var Categories = []string{"open", "narrowed", "obstructed", "repressed", "closed"}

// Class returns the CSS class that colours a category: "r-repressed", or
// "r-none" for "" (not rated). It returns "" for an unknown category.
func Class(category string) string {
	if category == "" {
		return "r-none"
	}
	for _, c := range Categories {
		if c == category {
			return "r-" + c
		}
	}
	return ""
}

type shape struct {
	code string
	d    string
	box  box
}

// point is a small state's place: a country without a shape at this scale.
type point struct {
	code string
	x, y float64
}

var (
	loadOnce sync.Once
	shapes   []shape // sorted by code
	byCode   map[string]int
	points   []point // sorted by code
	byPoint  map[string]int
	vbW, vbH int
	loadErr  error
)

func load() {
	loadOnce.Do(func() {
		byCode, byPoint = map[string]int{}, map[string]int{}
		sc := bufio.NewScanner(strings.NewReader(shapesFile))
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
			case strings.HasPrefix(line, "point "):
				f := strings.Fields(line)
				var x, y float64
				var err error
				if len(f) == 4 && len(f[1]) == 2 {
					if x, err = strconv.ParseFloat(f[2], 64); err == nil {
						y, err = strconv.ParseFloat(f[3], 64)
					}
				}
				if len(f) != 4 || len(f[1]) != 2 || err != nil {
					loadErr = fmt.Errorf("worldmap: shapes.txt line %d: want point CODE X Y", n)
					return
				}
				if _, dup := byPoint[f[1]]; dup {
					loadErr = fmt.Errorf("worldmap: shapes.txt line %d: point %s twice", n, f[1])
					return
				}
				byPoint[f[1]] = len(points)
				points = append(points, point{f[1], x, y})
			case strings.HasPrefix(line, "viewBox "):
				f := strings.Fields(line)
				if len(f) != 5 {
					loadErr = fmt.Errorf("worldmap: shapes.txt line %d: want viewBox 0 0 W H", n)
					return
				}
				vbW, _ = strconv.Atoi(f[3])
				vbH, _ = strconv.Atoi(f[4])
			default:
				code, d, ok := strings.Cut(line, " ")
				if !ok || len(code) != 2 || d == "" {
					loadErr = fmt.Errorf("worldmap: shapes.txt line %d: want CODE PATH", n)
					return
				}
				if _, dup := byCode[code]; dup {
					loadErr = fmt.Errorf("worldmap: shapes.txt line %d: %s twice", n, code)
					return
				}
				b, err := pathBox(d)
				if err != nil {
					loadErr = fmt.Errorf("worldmap: shapes.txt line %d: %s: %w", n, code, err)
					return
				}
				byCode[code] = len(shapes)
				shapes = append(shapes, shape{code, d, b})
			}
		}
		if vbW <= 0 || vbH <= 0 {
			loadErr = errors.New("worldmap: shapes.txt has no viewBox")
			return
		}
		if !sort.SliceIsSorted(shapes, func(i, j int) bool { return shapes[i].code < shapes[j].code }) {
			loadErr = errors.New("worldmap: shapes.txt is not sorted by code")
		}
		for _, p := range points {
			if _, ok := byCode[p.code]; ok {
				loadErr = fmt.Errorf("worldmap: shapes.txt: %s has a shape and a point", p.code)
			}
		}
	})
}

// Codes lists, sorted, the codes of the countries that have a shape.
func Codes() []string {
	load()
	out := make([]string, len(shapes))
	for i, s := range shapes {
		out[i] = s.code
	}
	return out
}

// HasShape reports whether the country with this alpha-2 code is drawn on
// the map as a shape. Small states (most islands, Andorra, Singapore…) are
// not: they are markers (HasMarker).
func HasShape(code string) bool {
	load()
	_, ok := byCode[code]
	return ok
}

// HasMarker reports whether the country is drawn as a marker: a small
// state with no shape at this scale.
func HasMarker(code string) bool {
	load()
	_, ok := byPoint[code]
	return ok
}

// Drawn reports whether the country can be seen and clicked on the map,
// as a shape or as a marker.
func Drawn(code string) bool { return HasShape(code) || HasMarker(code) }

// ViewBox returns the width and height of the map's coordinate system, which
// are also the svg element's width and height attributes.
func ViewBox() (width, height int) {
	load()
	return vbW, vbH
}

// Render writes the map as one inline <svg> element. Each country of the
// input that has a shape is filled with its category's class, wrapped in a
// link to Href and named by Label(); a small state is a dot, linked and
// named the same way (countries with neither are skipped, and the page's
// text table covers them); shapes with no input are drawn grey
// (class r-none), unlinked and hidden from assistive technology. Output is
// deterministic: shapes in code order, unlinked ones first.
//
// Render returns an error, and writes nothing, for an unknown category, a
// duplicate code or an Href that is not an http(s) or relative URL.
func Render(w io.Writer, countries []Country, opt Options) error {
	load()
	if loadErr != nil {
		return loadErr
	}
	in := make(map[string]*Country, len(countries))
	for i := range countries {
		c := &countries[i]
		if Class(c.Category) == "" {
			return fmt.Errorf("worldmap: %s: unknown category %q", c.Code, c.Category)
		}
		if _, dup := in[c.Code]; dup {
			return fmt.Errorf("worldmap: %s given twice", c.Code)
		}
		if c.Href != "" && !safeURL(c.Href) {
			return fmt.Errorf("worldmap: %s: href %q is not an http(s) or relative URL", c.Code, c.Href)
		}
		in[c.Code] = c
	}
	id := opt.ID
	if id == "" {
		id = "worldmap"
	}
	title := opt.Title
	if title == "" {
		title = "World map of civic space ratings"
	}

	m := &mapModel{in: in, id: id, title: title, target: opt.Target, v: frame(opt.Focus)}
	var small []string
	for _, p := range points {
		if in[p.code] != nil {
			small = append(small, p.code)
		}
	}
	m.markers = layout(small, m.v)

	// The markup is svgMap's (map.templ); the validation above is why its
	// links need no more checks than templ's own.
	var b strings.Builder
	b.Grow(len(shapesFile) + 160*len(countries) + 512)
	if err := svgMap(m).Render(context.Background(), &b); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// HTML renders the map for a page that shows it as it is (templ.Raw).
func HTML(countries []Country, opt Options) (template.HTML, error) {
	var b strings.Builder
	if err := Render(&b, countries, opt); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // #nosec G203 -- every value in it is escaped by templ
}

// safeURL accepts relative URLs (no scheme) and http and https URLs, so that
// a javascript: or data: URL can never become a link on the map.
func safeURL(u string) bool {
	if strings.ContainsAny(u, "\x00\r\n\t") {
		return false
	}
	scheme, _, ok := strings.Cut(u, ":")
	if !ok || strings.ContainsAny(scheme, "/?#") {
		return true // no scheme: a relative URL
	}
	scheme = strings.ToLower(scheme)
	return scheme == "http" || scheme == "https"
}
