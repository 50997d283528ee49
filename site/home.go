package site

import (
	"html/template"
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/worldmap"
)

type homeData struct {
	Map       template.HTML
	Legend    []legendEntry
	Counts    []categoryCount
	Unrated   int
	Edition   *editionView
	Latest    []updateItem
	Countries []web.CountryView // the map's data as a table
}

type legendEntry struct {
	Class, Name string
}

type categoryCount struct {
	Category civicmon.Category
	Count    int
}

// handleHome is the home page: the world map of ratings, the ratings as a
// table, the countries counted by rating, the watchlist and the latest
// updates.
func (s *Site) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	p := s.srv.NewPage(r, "")
	p.Title = p.T("The state of civic space in every country")
	p.Description = p.T("Ratings of the freedoms of association, peaceful assembly and expression in every country, with research updates.")
	data := homeData{}
	counts := map[civicmon.Category]int{}
	for i := range d.Countries {
		v := d.View(&d.Countries[i])
		data.Countries = append(data.Countries, v)
		if v.Rating != nil {
			counts[v.Rating.Category]++
		} else {
			data.Unrated++
		}
	}
	for _, c := range civicmon.Categories {
		data.Counts = append(data.Counts, categoryCount{c, counts[c]})
	}
	var err error
	if data.Map, err = worldMap(p, d, "worldmap", ""); err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	data.Legend = legend(p)
	if ed := d.CurrentEdition(); ed != nil {
		data.Edition = newEditionView(d, ed)
	}
	latest, _, err := s.store.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: published, Limit: 10})
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	data.Latest = listItems(p, d, latest)
	p.Feeds = feedLinks(p, "", feedTitle(p, ""))
	s.srv.Render(w, r, http.StatusOK, p, HomePage(p, &data))
}

// worldMap renders the choropleth with every country linked to its page.
func worldMap(p *web.Page, d *web.SiteData, id, target string) (template.HTML, error) {
	return worldMapOf(p, d, id, target, nil)
}

// worldMapOf renders the choropleth zoomed onto the focus countries (all
// the world when there are none).
func worldMapOf(p *web.Page, d *web.SiteData, id, target string, focus []string) (template.HTML, error) {
	cs := make([]worldmap.Country, 0, len(d.Countries))
	for i := range d.Countries {
		c := &d.Countries[i]
		mc := worldmap.Country{Code: c.Code, Name: c.Name, Href: p.Link("/countries/" + c.Slug)}
		if r, ok := d.Current[c.Code]; ok {
			mc.Category, mc.CategoryName = string(r.Category), p.Category(r.Category)
		} else {
			mc.CategoryName = p.T("Not rated")
		}
		cs = append(cs, mc)
	}
	title := p.T("World map of civic space ratings")
	if len(focus) > 0 {
		title = p.T("Map of civic space ratings in the region")
	}
	return worldmap.HTML(cs, worldmap.Options{ID: id, Title: title, Target: target, Focus: focus})
}

func legend(p *web.Page) []legendEntry {
	var out []legendEntry
	for _, c := range civicmon.Categories {
		out = append(out, legendEntry{worldmap.Class(string(c)), p.Category(c)})
	}
	return append(out, legendEntry{worldmap.Class(""), p.T("Not rated")})
}
