package web

import (
	"html/template"
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/worldmap"
)

type homeData struct {
	Map       template.HTML
	Legend    []legendEntry
	Counts    []categoryCount
	Unrated   int
	Edition   *editionView
	Latest    []updateItem
	Countries []CountryView // the map's data as a table
}

type legendEntry struct {
	Class, Name string
}

type categoryCount struct {
	Category civicmon.Category
	Count    int
}

type editionView struct {
	civicmon.WatchlistEdition
	Countries []CountryView
}

// updateItem is an update in a list: what the country page's entries show.
type updateItem struct {
	civicmon.PublicUpdate
	Country CountryView
	// In lists (the "updates" template, from listItems): the links to the
	// update and its country, and its date, in the page's language.
	// Written here, they spare the template five calls an item.
	Href, CountryHref, When string
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.SiteData(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	p := s.NewPage(r, "")
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
	if data.Map, err = s.worldMap(p, d, "worldmap", ""); err != nil {
		s.Fail(w, r, err)
		return
	}
	data.Legend = legend(p)
	if ed := d.CurrentEdition(); ed != nil {
		data.Edition = d.editionView(ed)
	}
	latest, _, err := s.cfg.Store.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: published, Limit: 10})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	data.Latest = d.listItems(p, latest)
	p.Data = data
	p.Feeds = feedLinks(p, "", feedTitle(p, ""))
	s.RenderTemplate(w, r, http.StatusOK, "home", p)
}

var published = []civicmon.Status{civicmon.StatusPublished}

func (d *SiteData) editionView(ed *civicmon.WatchlistEdition) *editionView {
	v := &editionView{WatchlistEdition: *ed}
	for _, e := range ed.Entries {
		if c, ok := d.ByCode[e.CountryCode]; ok {
			v.Countries = append(v.Countries, d.View(c))
		}
	}
	return v
}

// items turns stored updates into list entries through the public
// projection; anything unpublished is dropped, whatever the query said.
func (d *SiteData) items(us []civicmon.Update) []updateItem {
	out := make([]updateItem, 0, len(us))
	for i := range us {
		pu, ok := us[i].Public()
		if !ok {
			continue
		}
		item := updateItem{PublicUpdate: pu}
		if c, ok := d.ByCode[pu.CountryCode]; ok {
			item.Country = d.View(c)
		}
		out = append(out, item)
	}
	return out
}

// listItems are items for the "updates" template of page p.
func (d *SiteData) listItems(p *Page, us []civicmon.Update) []updateItem {
	out := d.items(us)
	for i := range out {
		it := &out[i]
		it.Href = p.Link("/updates/" + it.Slug)
		it.CountryHref = p.Link("/countries/" + it.Country.Slug)
		it.When = p.ApproxDate(it.PublishedOn, it.DateApproximate)
	}
	return out
}

// worldMap renders the choropleth with every country linked to its page.
func (s *Server) worldMap(p *Page, d *SiteData, id, target string) (template.HTML, error) {
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
	return worldmap.HTML(cs, worldmap.Options{ID: id, Title: p.T("World map of civic space ratings"), Target: target})
}

func legend(p *Page) []legendEntry {
	var out []legendEntry
	for _, c := range civicmon.Categories {
		out = append(out, legendEntry{worldmap.Class(string(c)), p.Category(c)})
	}
	return append(out, legendEntry{worldmap.Class(""), p.T("Not rated")})
}
