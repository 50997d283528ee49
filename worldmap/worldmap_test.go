package worldmap

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/xml"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"
)

// node is a generic XML element, enough to inspect the rendered SVG.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) child(name string) *node {
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Local == name {
			return &n.Nodes[i]
		}
	}
	return nil
}

// walk calls f on n and every element below it, with the element's parent.
func (n *node) walk(parent *node, f func(n, parent *node)) {
	f(n, parent)
	for i := range n.Nodes {
		n.Nodes[i].walk(n, f)
	}
}

// pathOf finds the path element whose d is the shape of code, and its parent.
func pathOf(t *testing.T, root *node, code string) (path, parent *node) {
	t.Helper()
	d := shapes[byCode[code]].d
	root.walk(nil, func(n, p *node) {
		if n.XMLName.Local == "path" && n.attr("d") == d {
			path, parent = n, p
		}
	})
	if path == nil {
		t.Fatalf("no path for %s", code)
	}
	return path, parent
}

func parse(t *testing.T, svg string) *node {
	t.Helper()
	var root node
	dec := xml.NewDecoder(strings.NewReader(svg))
	dec.Strict = true
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("output is not well-formed XML: %v", err)
	}
	return &root
}

func render(t *testing.T, cs []Country, opt Options) string {
	t.Helper()
	var b strings.Builder
	if err := Render(&b, cs, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

type csvCountry struct{ code, name, slug string }

// civicusCountries reads the demo list of the ~197 CIVICUS-rated countries.
func civicusCountries(t *testing.T) []csvCountry {
	t.Helper()
	f, err := os.Open("../demo/data/countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []csvCountry
	for _, r := range rows[1:] {
		out = append(out, csvCountry{r[0], r[2], r[3]})
	}
	if len(out) < 190 {
		t.Fatalf("only %d countries in countries.csv", len(out))
	}
	return out
}

// fullInput is every CIVICUS country, rated round the five categories with a
// few not rated, as the home page would pass them.
func fullInput(t *testing.T) []Country {
	var cs []Country
	for i, c := range civicusCountries(t) {
		cat := Categories[i%len(Categories)]
		if i%17 == 0 {
			cat = ""
		}
		name := "Not rated"
		if cat != "" {
			name = strings.ToUpper(cat[:1]) + cat[1:]
		}
		if c.code == "KZ" {
			cat, name = "repressed", "Repressed"
		}
		cs = append(cs, Country{Code: c.code, Name: c.name, Href: "/countries/" + c.slug, Category: cat, CategoryName: name})
	}
	return cs
}

func TestWellFormedAndAccessible(t *testing.T) {
	svg := render(t, fullInput(t), Options{})
	root := parse(t, svg)
	if root.XMLName.Local != "svg" || root.attr("role") != "" {
		t.Errorf("root is <%s role=%q>, want <svg> without a role", root.XMLName.Local, root.attr("role"))
	}
	if root.attr("viewBox") == "" || root.attr("preserveAspectRatio") == "" || root.attr("width") == "" || root.attr("height") == "" {
		t.Errorf("svg lacks viewBox, preserveAspectRatio, width or height: %v", root.Attrs)
	}
	title := root.child("title")
	if title == nil || title.attr("id") != root.attr("aria-labelledby") || title.Text == "" {
		t.Errorf("svg is not labelled by its <title>: %v", root.Attrs)
	}
	// Every link has a relative href, an accessible name, a matching <title>
	// and one coloured path.
	links := 0
	root.walk(nil, func(n, _ *node) {
		if n.XMLName.Local != "a" {
			return
		}
		links++
		label := n.attr("aria-label")
		if !strings.HasPrefix(n.attr("href"), "/countries/") || label == "" {
			t.Errorf("link without href or name: %v", n.Attrs)
		}
		if ti := n.child("title"); ti == nil || ti.Text != label {
			t.Errorf("link %q: title %v", label, ti)
		}
		p := n.child("path")
		if p == nil {
			p = n.child("circle") // a small state's marker
		}
		if p == nil || !strings.HasPrefix(p.attr("class"), "r-") {
			t.Errorf("link %q: no coloured path or marker", label)
		}
	})
	if want := len(civicusCountries(t)); links != want {
		t.Errorf("%d links, want one for each of the %d rated countries", links, want)
	}
	for _, bad := range []string{"style=", "<style", "<script", "http://", "https://"} {
		if bad == "http://" {
			svg = strings.Replace(svg, `xmlns="http://www.w3.org/2000/svg"`, "", 1)
		}
		if strings.Contains(svg, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
}

func TestKazakhstanLinked(t *testing.T) {
	root := parse(t, render(t, fullInput(t), Options{}))
	path, a := pathOf(t, root, "KZ")
	if a.XMLName.Local != "a" {
		t.Fatalf("KZ path is inside <%s>, want <a>", a.XMLName.Local)
	}
	if got := a.attr("href"); got != "/countries/kazakhstan" {
		t.Errorf("href = %q", got)
	}
	if got := a.attr("aria-label"); got != "Kazakhstan: Repressed" {
		t.Errorf("aria-label = %q", got)
	}
	if ti := a.child("title"); ti == nil || ti.Text != "Kazakhstan: Repressed" {
		t.Errorf("title = %v", ti)
	}
	if got := path.attr("class"); got != "r-repressed" {
		t.Errorf("class = %q", got)
	}
}

func TestCountryNotInInputIsGreyAndUnlinked(t *testing.T) {
	root := parse(t, render(t, []Country{{Code: "KZ", Name: "Kazakhstan", Href: "/countries/kazakhstan", Category: "repressed", CategoryName: "Repressed"}}, Options{}))
	for _, code := range []string{"RU", "GL", "EH"} {
		path, parent := pathOf(t, root, code)
		if parent.XMLName.Local != "g" || parent.attr("aria-hidden") != "true" {
			t.Errorf("%s is inside <%s %v>, want the hidden group", code, parent.XMLName.Local, parent.Attrs)
		}
		if path.attr("class") != "r-none" || path.child("title") != nil {
			t.Errorf("%s: class %q, title %v; want grey and unnamed", code, path.attr("class"), path.child("title"))
		}
	}
	links := 0
	root.walk(nil, func(n, _ *node) {
		if n.XMLName.Local == "a" {
			links++
		}
	})
	if links != 1 {
		t.Errorf("%d links, want 1", links)
	}
}

func TestNotRatedAndUnlinked(t *testing.T) {
	root := parse(t, render(t, []Country{
		{Code: "KZ", Name: "Kazakhstan", Href: "/countries/kazakhstan", CategoryName: "Not rated"},
		{Code: "UZ", Name: "Uzbekistan", Category: "closed", CategoryName: "Closed"},
		{Code: "SG", Name: "Singapore", Href: "/countries/singapore", Category: "obstructed"},
	}, Options{}))
	path, a := pathOf(t, root, "KZ")
	if a.XMLName.Local != "a" || a.attr("aria-label") != "Kazakhstan: Not rated" || path.attr("class") != "r-none" {
		t.Errorf("not rated KZ: <%s %v> class %q", a.XMLName.Local, a.Attrs, path.attr("class"))
	}
	path, parent := pathOf(t, root, "UZ")
	if parent.XMLName.Local != "svg" || path.attr("class") != "r-closed" {
		t.Errorf("UZ without href: parent <%s>, class %q", parent.XMLName.Local, path.attr("class"))
	}
	if ti := path.child("title"); ti == nil || ti.Text != "Uzbekistan: Closed" {
		t.Errorf("UZ title %v", ti)
	}
	if HasShape("SG") || !HasMarker("SG") {
		t.Fatal("Singapore has a shape at 110m, or no marker")
	}
	linked := false
	root.walk(nil, func(n, _ *node) {
		if n.attr("href") == "/countries/singapore" {
			c := n.child("circle")
			linked = c != nil && c.attr("class") == "r-obstructed" && n.attr("aria-label") == "Singapore"
		}
	})
	if !linked {
		t.Error("Singapore is not a linked, coloured marker")
	}
}

func TestEscaping(t *testing.T) {
	name := `Bosnia & "Herz" <b>'s`
	href := `/countries/x?a=1&b="2"`
	svg := render(t, []Country{{Code: "BA", Name: name, Href: href, Category: "narrowed", CategoryName: "Nar & rowed"}},
		Options{ID: `m"1`, Title: `Map & "more"`})
	root := parse(t, svg)
	_, a := pathOf(t, root, "BA")
	want := name + ": Nar & rowed"
	if a.attr("aria-label") != want || a.child("title").Text != want || a.attr("href") != href {
		t.Errorf("escaping lost data: %v title %q", a.Attrs, a.child("title").Text)
	}
	if root.child("title").Text != `Map & "more"` {
		t.Errorf("title %q", root.child("title").Text)
	}
	if strings.Contains(svg, "<b>") || strings.Contains(svg, `"Herz"`) || strings.Contains(svg, "& ") {
		t.Error("unescaped text in output")
	}
}

func TestErrors(t *testing.T) {
	for name, cs := range map[string][]Country{
		"unknown category": {{Code: "KZ", Category: "bad"}},
		"duplicate":        {{Code: "KZ"}, {Code: "KZ"}},
		"javascript href":  {{Code: "KZ", Href: "javascript:alert(1)"}},
		"data href":        {{Code: "KZ", Href: " DATA:text/html,x"}},
	} {
		var b bytes.Buffer
		if err := Render(&b, cs, Options{}); err == nil || b.Len() != 0 {
			t.Errorf("%s: err %v, wrote %d bytes", name, err, b.Len())
		}
	}
	for _, ok := range []string{"/countries/kz", "kz", "https://example.org/kz", "?c=kz", "#kz", "/a:b"} {
		if !safeURL(ok) {
			t.Errorf("safeURL(%q) = false", ok)
		}
	}
}

func TestDeterministic(t *testing.T) {
	in := fullInput(t)
	first := render(t, in, Options{})
	r := rand.New(rand.NewSource(1))
	for range 5 {
		r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		if render(t, in, Options{}) != first {
			t.Fatal("output depends on input order")
		}
	}
}

// Budget of a full home-page map (174 shapes, 29 markers, 197 countries).
// Measured when the markers and patterns came: 55,500 B raw, 13,700 B
// gzipped (shapes.txt 25,286 B); the limits leave about 10% room and fail
// if the map grows a lot.
const (
	maxRaw  = 60 << 10
	maxGzip = 15 << 10
)

func TestSizeBudget(t *testing.T) {
	svg := render(t, fullInput(t), Options{})
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.DefaultCompression)
	zw.Write([]byte(svg))
	zw.Close()
	t.Logf("shapes.txt %d B; full map: %d shapes, %d B raw, %d B gzipped", len(shapesFile), len(shapes), len(svg), z.Len())
	if len(svg) > maxRaw || z.Len() > maxGzip {
		t.Errorf("map is %d B raw (limit %d), %d B gzipped (limit %d)", len(svg), maxRaw, z.Len(), maxGzip)
	}
}

// CIVICUS-rated countries that are too small for a 1:110m shape: the map
// draws them as markers. A change here means the shapes file changed.
var noShape = []string{
	"AD", "AG", "BB", "BH", "CV", "DM", "FM", "GD", "HK", "KI", "KM", "KN", "LC", "LI",
	"MC", "MH", "MT", "MU", "MV", "NR", "PW", "SC", "SG", "SM", "ST", "TO", "TV", "VC", "WS",
}

// Shapes that are not CIVICUS-rated countries: territories drawn grey.
var territories = []string{"EH", "FK", "GL", "NC", "PR", "TF"}

func TestCoverage(t *testing.T) {
	var missing []string
	rated := map[string]bool{}
	for _, c := range civicusCountries(t) {
		rated[c.code] = true
		if !HasShape(c.code) {
			missing = append(missing, c.code)
		}
	}
	t.Logf("CIVICUS codes without a shape (%d): %s", len(missing), strings.Join(missing, " "))
	if !slices.Equal(missing, noShape) {
		t.Errorf("CIVICUS codes without a shape = %v, want %v", missing, noShape)
	}
	for c := range rated {
		if !Drawn(c) {
			t.Errorf("%s is rated but neither a shape nor a marker", c)
		}
	}
	var extra []string
	for _, code := range Codes() {
		if !rated[code] {
			extra = append(extra, code)
		}
	}
	if !slices.Equal(extra, territories) {
		t.Errorf("shapes that are not rated countries = %v, want %v", extra, territories)
	}
	if !slices.IsSorted(Codes()) || HasShape("AQ") || !HasShape("XK") || !HasShape("KZ") {
		t.Error("Codes unsorted, Antarctica drawn, or Kosovo or Kazakhstan missing")
	}
	if w, h := ViewBox(); w != 1000 || h < 400 || h > 520 {
		t.Errorf("viewBox %dx%d", w, h)
	}
}

func TestCSSAndLegend(t *testing.T) {
	css := CSS()
	for _, c := range append(append([]string{}, Categories...), "") {
		if !strings.Contains(css, "."+Class(c)+"{") && !strings.Contains(css, "."+Class(c)+",") {
			t.Errorf("CSS has no rule for %s", Class(c))
		}
		if Fill(c) == "" {
			t.Errorf("no fill for %q", c)
		}
	}
	var b strings.Builder
	if err := RenderLegend(&b, Legend()); err != nil {
		t.Fatal(err)
	}
	root := parse(t, b.String())
	var words []string
	for _, li := range root.Nodes {
		words = append(words, strings.TrimSpace(li.Text))
		if sw := li.child("span"); sw == nil || !strings.HasPrefix(sw.attr("class"), "wm-sw r-") || sw.attr("aria-hidden") != "true" {
			t.Errorf("legend item %q has no hidden swatch", li.Text)
		}
	}
	if got := strings.Join(words, ","); got != "Open,Narrowed,Obstructed,Repressed,Closed,Not rated" {
		t.Errorf("legend words %q", got)
	}
	if RenderLegend(&b, []LegendItem{{"bad", "x"}}) == nil {
		t.Error("unknown legend category accepted")
	}
}

func TestHTML(t *testing.T) {
	h, err := HTML(fullInput(t)[:3], Options{})
	if err != nil || !strings.HasPrefix(string(h), "<svg") {
		t.Fatalf("HTML: %v %.40q", err, h)
	}
}
