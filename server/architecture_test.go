package server_test

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/api"
	"github.com/civicmon/civicmon/site"
	"github.com/civicmon/civicmon/webtest"
	"github.com/civicmon/civicmon/workspace"
)

// surfaceStores are the store interfaces each surface's handlers see.
var surfaceStores = map[string]reflect.Type{
	"api":       reflect.TypeFor[api.Store](),
	"site":      reflect.TypeFor[site.Store](),
	"workspace": reflect.TypeFor[workspace.Store](),
	"web":       reflect.TypeFor[civicmon.Store](),
}

// routeRow is a row of docs/architecture.md's route table.
type routeRow struct {
	line                         int
	route, handler, markup, test string
	methods                      []string
}

// readRouteTable reads the table under "## Every route".
func readRouteTable(t *testing.T) []routeRow {
	t.Helper()
	f, err := os.Open("../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []routeRow
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Every route"
			continue
		}
		if !in || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 5 {
			t.Fatalf("docs/architecture.md:%d: %d cells, want 5 (route, handler, markup, store methods, test)", n, len(cells))
		}
		for i := range cells {
			cells[i] = strings.Trim(strings.TrimSpace(cells[i]), "`")
		}
		r := routeRow{line: n, route: cells[0], handler: cells[1], markup: cells[2], test: cells[4]}
		for _, m := range strings.Split(cells[3], ",") {
			if m = strings.Trim(strings.TrimSpace(m), "`"); m != "" && m != "—" {
				r.methods = append(r.methods, m)
			}
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatal(`docs/architecture.md has no route table under "## Every route"`)
	}
	return rows
}

var handleCall = regexp.MustCompile(`\bHandle\("([^"]+)"(\s*\+)?`)
var storeCall = regexp.MustCompile(`\bstore\.([A-Z][A-Za-z0-9]*)\(`)
var editorialCall = regexp.MustCompile(`\bed\.([A-Z][A-Za-z0-9]*)\(`)

// TestArchitectureTable holds docs/architecture.md's table of routes to
// the code: every route the server has is in it once and nothing else is;
// each row's handler file registers the route, its markup and test files
// exist, and the store methods it names are exactly those its handler file
// calls, each one of its surface's store interface.
func TestArchitectureTable(t *testing.T) {
	env := webtest.New(t, webtest.Options{Empty: true})
	var routes []string
	for _, r := range env.Server.Routes() {
		routes = append(routes, r.Pattern)
	}
	rows := readRouteTable(t)
	seen := map[string]int{}
	for _, r := range rows {
		where := "docs/architecture.md:" + itoa(r.line)
		if prev, ok := seen[r.route]; ok {
			t.Errorf("%s: route %q is also on line %d", where, r.route, prev)
		}
		seen[r.route] = r.line
		if !slices.Contains(routes, r.route) {
			t.Errorf("%s: route %q is not a route of the server", where, r.route)
		}
		surface := filepath.Dir(r.handler)
		src, err := os.ReadFile(filepath.Join("..", r.handler))
		if err != nil {
			t.Errorf("%s: handler file: %v", where, err)
			continue
		}
		registered := false
		for _, f := range mustGlob(t, filepath.Join("..", surface, "*.go")) {
			b, _ := os.ReadFile(f)
			for _, m := range handleCall.FindAllStringSubmatch(string(b), -1) {
				// A pattern built in a loop ("GET /feed."+f.ext) registers
				// the routes its literal part begins.
				if m[1] == r.route || (m[2] != "" && strings.HasPrefix(r.route, m[1])) {
					registered = true
				}
			}
		}
		if !registered {
			t.Errorf("%s: no file of %s/ registers %q", where, surface, r.route)
		}
		if r.markup != "—" {
			if filepath.Ext(r.markup) != ".templ" {
				t.Errorf("%s: markup %q is not a templ file", where, r.markup)
			} else if _, err := os.Stat(filepath.Join("..", r.markup)); err != nil {
				t.Errorf("%s: markup file: %v", where, err)
			}
		}
		if _, err := os.Stat(filepath.Join("..", r.test)); err != nil || !strings.HasSuffix(r.test, "_test.go") {
			t.Errorf("%s: test file %q: %v", where, r.test, err)
		}
		iface := surfaceStores[surface]
		var called []string
		for _, m := range storeCall.FindAllStringSubmatch(string(src), -1) {
			called = append(called, m[1])
		}
		for _, m := range editorialCall.FindAllStringSubmatch(string(src), -1) {
			called = append(called, "Editorial."+m[1])
		}
		slices.Sort(called)
		called = slices.Compact(called)
		listed := slices.Sorted(slices.Values(r.methods))
		if !slices.Equal(called, listed) {
			t.Errorf("%s: %s calls %v, the table says %v", where, r.handler, called, listed)
		}
		for _, m := range r.methods {
			if name, ok := strings.CutPrefix(m, "Editorial."); ok {
				if _, ok := reflect.TypeFor[*civicmon.Editorial]().MethodByName(name); !ok {
					t.Errorf("%s: civicmon.Editorial has no method %s", where, name)
				}
				continue
			}
			if iface == nil {
				t.Errorf("%s: %s/ has no store interface the test knows", where, surface)
			} else if _, ok := iface.MethodByName(m); !ok {
				t.Errorf("%s: %s is not a method of %s", where, m, iface)
			}
		}
	}
	for _, r := range routes {
		if _, ok := seen[r]; !ok {
			t.Errorf("route %q has no row in docs/architecture.md's table: add one", r)
		}
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }
