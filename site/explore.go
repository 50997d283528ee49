package site

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// exploreParams are the URL parameters of /updates: every state of the
// explore page is in its URL, so a search can be bookmarked and shared.
var exploreParams = []string{"q", "country", "region", "freedom", "violation", "target", "rating", "year", "since", "until", "sort", "cursor"}

type exploreData struct {
	Query    civicmon.SearchQuery
	Result   *civicmon.SearchResult
	Errors   []civicmon.FieldError
	Hits     []exploreHit
	Facets   []facetGroup
	Selected []selectedFilter
	Next     string
	Sorts    []sortOption
	Clear    string
	// Hidden are the filters in force, which the search form keeps.
	Hidden []hiddenInput
}

type hiddenInput struct{ Name, Value string }

type exploreHit struct {
	civicmon.SearchHit
	CountryName string
	CountrySlug string
}

type facetGroup struct {
	Name   string
	Values []facetValue
}

type facetValue struct {
	Label    string
	Count    int
	Selected bool
	Href     string
}

type selectedFilter struct {
	Label, Href string // Href removes it
}

type sortOption struct {
	Value, Label string
	Selected     bool
}

// handleExplore is the explore page: full-text search with filters and
// facet counts, as HTML, or as JSON for Accept: application/json.
func (s *Site) handleExplore(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	p := s.srv.NewPage(r, "")
	p.Title = p.T("Explore the research updates")
	vals := r.URL.Query()
	q, perrs := parseExplore(vals)
	data := exploreData{Query: q}
	status := http.StatusOK
	var res *civicmon.SearchResult
	if len(perrs) == 0 {
		var err error
		res, err = s.store.SearchUpdates(ctx, q)
		var ve *civicmon.ValidationError
		switch {
		case errors.As(err, &ve):
			perrs = ve.Fields
		case civicmon.ErrorCode(err) == civicmon.EINVALID:
			perrs = []civicmon.FieldError{{Field: "search", Message: civicmon.ErrorMessage(err)}}
		case err != nil:
			s.srv.Fail(w, r, err)
			return
		}
	}
	if len(perrs) > 0 {
		status = http.StatusBadRequest
		data.Errors = perrs
	}
	if web.WantsJSON(r) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Vary", "Accept")
		w.WriteHeader(status)
		enc := json.NewEncoder(w)
		if len(perrs) > 0 {
			enc.Encode(map[string]any{"errors": perrs})
			return
		}
		enc.Encode(res)
		return
	}
	w.Header().Set("Vary", "Accept")
	if res != nil {
		data.Result = res
		for _, h := range res.Hits {
			eh := exploreHit{SearchHit: h}
			if c, ok := d.ByCode[h.CountryCode]; ok {
				eh.CountryName, eh.CountrySlug = c.Name, c.Slug
			}
			data.Hits = append(data.Hits, eh)
		}
		data.Facets = facetGroups(p, d, vals, &res.Facets)
		if res.NextCursor != "" {
			data.Next = p.Link(exploreURL(vals, "cursor", res.NextCursor, true))
		}
	}
	data.Selected = selectedFilters(p, d, vals)
	data.Clear = p.Link("/updates")
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if k != "q" && k != "sort" && k != "cursor" && k != "lang" {
			for _, v := range vals[k] {
				data.Hidden = append(data.Hidden, hiddenInput{k, v})
			}
		}
	}
	for _, so := range []civicmon.SearchSort{civicmon.SortRelevance, civicmon.SortNewest, civicmon.SortOldest} {
		label := map[civicmon.SearchSort]string{civicmon.SortRelevance: p.T("Most relevant"), civicmon.SortNewest: p.T("Newest"), civicmon.SortOldest: p.T("Oldest")}[so]
		selected := string(so) == vals.Get("sort") || (vals.Get("sort") == "" && res != nil && res.Sort == so)
		data.Sorts = append(data.Sorts, sortOption{Value: string(so), Label: label, Selected: selected})
	}
	p.NoIndex = len(vals) > 0 // search results are not pages for crawlers
	s.srv.Render(w, r, status, p, ExplorePage(p, &data))
}

// parseExplore reads the URL into a search, naming each bad parameter.
func parseExplore(v url.Values) (civicmon.SearchQuery, []civicmon.FieldError) {
	q := civicmon.SearchQuery{Text: v.Get("q"), Countries: v["country"], Violations: v["violation"], Targets: v["target"],
		Sort: civicmon.SearchSort(v.Get("sort")), Cursor: v.Get("cursor")}
	var errs []civicmon.FieldError
	for _, r := range v["region"] {
		q.Regions = append(q.Regions, civicmon.Region(r))
	}
	for _, f := range v["freedom"] {
		q.Freedoms = append(q.Freedoms, civicmon.Freedom(f))
	}
	for _, c := range v["rating"] {
		q.Categories = append(q.Categories, civicmon.Category(c))
	}
	for _, y := range v["year"] {
		n, err := strconv.Atoi(y)
		if err != nil {
			errs = append(errs, civicmon.FieldError{Field: "year", Message: strconv.Quote(y) + " is not a year"})
			continue
		}
		q.Years = append(q.Years, n)
	}
	var err error
	if q.Since, err = civicmon.ParseDate(v.Get("since")); err != nil {
		errs = append(errs, civicmon.FieldError{Field: "since", Message: err.Error()})
	}
	if q.Until, err = civicmon.ParseDate(v.Get("until")); err != nil {
		errs = append(errs, civicmon.FieldError{Field: "until", Message: err.Error()})
	}
	for k := range v {
		if !contains(exploreParams, k) && k != "lang" {
			errs = append(errs, civicmon.FieldError{Field: k, Message: "is not a filter of this page"})
		}
	}
	if len(errs) == 0 {
		var ve *civicmon.ValidationError
		if err := q.Validate(); errors.As(err, &ve) {
			errs = ve.Fields
		}
	}
	return q, errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// exploreURL returns /updates with the parameter set to value (set), or
// the value toggled in or out (a multi-valued filter); a new filter starts
// again from the first page.
func exploreURL(v url.Values, key, value string, set bool) string {
	n := url.Values{}
	for k, vs := range v {
		if k == "cursor" || k == "lang" {
			continue
		}
		n[k] = append([]string(nil), vs...)
	}
	switch {
	case set:
		n.Set(key, value)
	case contains(n[key], value):
		var keep []string
		for _, x := range n[key] {
			if x != value {
				keep = append(keep, x)
			}
		}
		if len(keep) == 0 {
			n.Del(key)
		} else {
			n[key] = keep
		}
	default:
		n.Add(key, value)
	}
	if len(n) == 0 {
		return "/updates"
	}
	return "/updates?" + n.Encode()
}

func facetGroups(p *web.Page, d *web.SiteData, v url.Values, f *civicmon.SearchFacets) []facetGroup {
	group := func(name, key string, counts []civicmon.FacetCount, label func(string) string) facetGroup {
		g := facetGroup{Name: name}
		for _, c := range counts {
			g.Values = append(g.Values, facetValue{Label: label(c.Value), Count: c.Count, Selected: c.Selected,
				Href: p.Link(exploreURL(v, key, c.Value, false))})
		}
		return g
	}
	country := func(code string) string {
		if c, ok := d.ByCode[code]; ok {
			return c.Name
		}
		return code
	}
	countries := append([]civicmon.FacetCount(nil), f.Countries...)
	if len(countries) > 30 { // the most frequent; the rest by the search box
		countries = countries[:30]
	}
	sort.SliceStable(countries, func(i, j int) bool { return countries[i].Selected && !countries[j].Selected })
	return []facetGroup{
		group(p.T("Region"), "region", f.Regions, func(x string) string { return p.Region(civicmon.Region(x)) }),
		group(p.T("Country"), "country", countries, country),
		group(p.T("Rating"), "rating", f.Categories, func(x string) string { return p.Category(civicmon.Category(x)) }),
		group(p.T("Freedom"), "freedom", f.Freedoms, func(x string) string { return p.Freedom(civicmon.Freedom(x)) }),
		group(p.T("Violations"), "violation", f.Violations, func(x string) string { return p.T(d.Vocab.ViolationName(x)) }),
		group(p.T("Target"), "target", f.Targets, func(x string) string { return p.T(d.Vocab.TargetName(x)) }),
		group(p.T("Year"), "year", f.Years, func(x string) string { return x }),
	}
}

// selectedFilters lists the filters in force, each with a link that
// removes it.
func selectedFilters(p *web.Page, d *web.SiteData, v url.Values) []selectedFilter {
	var out []selectedFilter
	for _, key := range []string{"country", "region", "rating", "freedom", "violation", "target", "year", "since", "until"} {
		for _, val := range v[key] {
			label := val
			switch key {
			case "country":
				if c, ok := d.ByCode[strings.ToUpper(val)]; ok {
					label = c.Name
				}
			case "region":
				label = p.Region(civicmon.Region(val))
			case "rating":
				label = p.Category(civicmon.Category(val))
			case "freedom":
				label = p.Freedom(civicmon.Freedom(val))
			case "violation":
				label = p.T(d.Vocab.ViolationName(val))
			case "target":
				label = p.T(d.Vocab.TargetName(val))
			case "since":
				label = p.T("from %s", val)
			case "until":
				label = p.T("until %s", val)
			}
			href := exploreURL(v, key, val, false)
			if key == "since" || key == "until" {
				n := url.Values{}
				for k, vs := range v {
					if k != key && k != "cursor" && k != "lang" {
						n[k] = vs
					}
				}
				href = "/updates?" + n.Encode()
			}
			out = append(out, selectedFilter{Label: label, Href: p.Link(href)})
		}
	}
	return out
}
