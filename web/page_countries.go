package web

import (
	"net/http"

	"github.com/civicmon/civicmon"
)

type countriesData struct {
	Regions       []regionGroup
	Region        civicmon.Region   // filter, or ""
	Category      civicmon.Category // filter, or ""
	Total         int
	AllRegions    []civicmon.Region
	AllCategories []civicmon.Category
}

type regionGroup struct {
	Region    civicmon.Region
	Countries []CountryView
}

// handleCountries lists every country by region, filtered with plain GET
// parameters so that it works without JavaScript.
func (s *Server) handleCountries(w http.ResponseWriter, r *http.Request) {
	d, err := s.SiteData(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	p := s.NewPage(r, "")
	p.Title = p.T("Countries")
	data := countriesData{AllRegions: civicmon.Regions, AllCategories: civicmon.Categories}
	q := r.URL.Query()
	if v := q.Get("region"); v != "" {
		reg, ok := civicmon.ParseRegion(v)
		if !ok {
			s.NotFound(w, r)
			return
		}
		data.Region = reg
	}
	if v := q.Get("rating"); v != "" {
		c, ok := civicmon.ParseCategory(v)
		if !ok {
			s.NotFound(w, r)
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
	p.Data = data
	s.RenderTemplate(w, r, http.StatusOK, "countries", p)
}
