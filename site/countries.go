package site

import (
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type countriesData struct {
	Regions  []regionGroup
	Region   civicmon.Region   // filter, or ""
	Category civicmon.Category // filter, or ""
	Total    int
}

type regionGroup struct {
	Region    civicmon.Region
	Countries []web.CountryView
}

// handleCountries lists every country by region, filtered with plain GET
// parameters so that it works without JavaScript.
func (s *Site) handleCountries(w http.ResponseWriter, r *http.Request) {
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	p := s.srv.NewPage(r, "")
	p.Title = p.T("Countries")
	data := countriesData{}
	q := r.URL.Query()
	if v := q.Get("region"); v != "" {
		reg, ok := civicmon.ParseRegion(v)
		if !ok {
			s.srv.NotFound(w, r)
			return
		}
		data.Region = reg
	}
	if v := q.Get("rating"); v != "" {
		c, ok := civicmon.ParseCategory(v)
		if !ok {
			s.srv.NotFound(w, r)
			return
		}
		data.Category = c
	}
	for _, reg := range civicmon.Regions {
		if data.Region != "" && reg != data.Region {
			continue
		}
		g := regionGroup{Region: reg}
		for i := range d.Countries {
			c := &d.Countries[i]
			if c.Region != reg {
				continue
			}
			v := d.View(c)
			if data.Category != "" && (v.Rating == nil || v.Rating.Category != data.Category) {
				continue
			}
			g.Countries = append(g.Countries, v)
		}
		data.Total += len(g.Countries)
		if len(g.Countries) > 0 {
			data.Regions = append(data.Regions, g)
		}
	}
	s.srv.Render(w, r, http.StatusOK, p, CountriesPage(p, &data))
}
