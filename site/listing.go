package site

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/a-h/templ"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type listingData struct {
	Kind      string // "region", "freedom", "tag"
	Heading   string
	Intro     string
	Countries []web.CountryView
	// CountryItems are the Countries as the list's items (countryItems),
	// rendered once for every page of the list (see fragments).
	CountryItems templ.Component
	Updates      []updateItem
	Pager        web.Pagination
	// Region pages: the map zoomed onto the region.
	Region civicmon.Region
	Map    template.HTML
}

func (s *Site) handleRegion(w http.ResponseWriter, r *http.Request) {
	reg := civicmon.Region(r.PathValue("slug"))
	if !reg.Valid() {
		s.srv.NotFound(w, r)
		return
	}
	s.listing(w, r, "region", civicmon.UpdateFilter{Region: reg}, func(p *web.Page) (string, string) {
		return p.Region(reg), p.T("Countries of the region %s, their ratings, and the latest research updates on them.", p.Region(reg))
	})
}

func (s *Site) handleFreedom(w http.ResponseWriter, r *http.Request) {
	f, ok := civicmon.ParseFreedom(r.PathValue("slug"))
	if !ok || string(f) != r.PathValue("slug") {
		s.srv.NotFound(w, r)
		return
	}
	s.listing(w, r, "freedom", civicmon.UpdateFilter{Freedom: f}, func(p *web.Page) (string, string) {
		return freedomHeading(p, f), p.T("Research updates on this freedom, and the countries they cover.")
	})
}

func (s *Site) handleTag(w http.ResponseWriter, r *http.Request) {
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	slug := r.PathValue("slug")
	if !d.Vocab.HasViolation(slug) {
		s.srv.NotFound(w, r)
		return
	}
	s.listing(w, r, "tag", civicmon.UpdateFilter{Violation: slug}, func(p *web.Page) (string, string) {
		name := p.T(d.Vocab.ViolationName(slug))
		return name, p.T("Research updates tagged “%s”, and the countries they cover.", name)
	})
}

// listing renders a page of the updates that match f, and the countries
// they cover.
func (s *Site) listing(w http.ResponseWriter, r *http.Request, kind string, f civicmon.UpdateFilter, heading func(*web.Page) (string, string)) {
	ctx := r.Context()
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	pageNo, ok := web.PageNumber(r.URL.Query().Get("page"))
	if !ok {
		s.srv.NotFound(w, r)
		return
	}
	// The counts come from the search's facet index, which answers in
	// milliseconds where counting in the table takes seconds at a million
	// updates; the page of updates is an indexed list without a count.
	sq := civicmon.SearchQuery{Sort: civicmon.SortNewest, Limit: 1}
	switch {
	case f.Region != "":
		sq.Regions = []civicmon.Region{f.Region}
	case f.Freedom != "":
		sq.Freedoms = []civicmon.Freedom{f.Freedom}
	case f.Violation != "":
		sq.Violations = []string{f.Violation}
	}
	res, err := s.store.SearchUpdates(ctx, sq)
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	counts := make(map[string]int, len(res.Facets.Countries))
	for _, c := range res.Facets.Countries {
		counts[c.Value] = c.Count
	}
	total := res.Total
	f.Statuses = published
	f.Limit, f.Offset, f.SkipTotal = web.PerPage, (pageNo-1)*web.PerPage, true
	us, _, err := s.store.FindUpdates(ctx, f)
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	p := s.srv.NewPage(r, "")
	data := listingData{Kind: kind, Pager: web.NewPagination(pageNo, total, r.URL.Path), Updates: listItems(p, d, us)}
	if pageNo > data.Pager.Pages {
		s.srv.NotFound(w, r)
		return
	}
	for i := range d.Countries {
		c := &d.Countries[i]
		if kind == "region" && c.Region != f.Region {
			continue
		}
		if kind != "region" && counts[c.Code] == 0 {
			continue
		}
		v := d.View(c)
		v.Count = counts[c.Code]
		data.Countries = append(data.Countries, v)
	}
	if kind != "region" {
		// Generic, not sort.SliceStable: every page of a list sorts them,
		// and reflect's swapper of a struct this size was a tenth of a page.
		slices.SortStableFunc(data.Countries, func(a, b web.CountryView) int { return b.Count - a.Count })
	}
	if kind == "region" {
		codes := make([]string, len(data.Countries))
		for i := range data.Countries {
			codes[i] = data.Countries[i].Code
		}
		data.Region = f.Region
		if data.Map, err = worldMapOf(p, d, "worldmap", "", codes); err != nil {
			s.srv.Fail(w, r, err)
			return
		}
	}
	data.Heading, data.Intro = heading(p)
	p.Title, p.Description = data.Heading, data.Intro
	p.Feeds = feedLinks(p, r.URL.Path, feedTitle(p, data.Heading))
	data.CountryItems = s.countryList(p, data.Countries)
	s.srv.Render(w, r, http.StatusOK, p, ListingPage(p, &data))
}

// freedomHeading names a freedom in a heading; whole phrases, because
// "freedom of" does not compose the same way in every language.
func freedomHeading(p *web.Page, f civicmon.Freedom) string {
	switch f {
	case civicmon.Association:
		return p.T("Freedom of association")
	case civicmon.Assembly:
		return p.T("Freedom of peaceful assembly")
	}
	return p.T("Freedom of expression")
}
