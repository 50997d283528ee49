package web

import (
	"net/http"

	"github.com/civicmon/civicmon"
)

type countryData struct {
	Country   CountryView
	History   []civicmon.Rating // newest first
	Edition   *civicmon.WatchlistEdition
	Narrative string
	Updates   []updateItem
	Pager     Pagination
}

// handleCountry is the country page: like the CIVICUS Monitor's, the
// country and its rating, then its research updates newest first, each a
// title, a date, a summary and "Read more".
func (s *Server) handleCountry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.SiteData(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	c, ok := d.BySlug[r.PathValue("slug")]
	if !ok {
		s.NotFound(w, r)
		return
	}
	pageNo, ok := PageNumber(r.URL.Query().Get("page"))
	if !ok {
		s.NotFound(w, r)
		return
	}
	history, err := s.cfg.Store.RatingHistory(ctx, c.Code)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	today := civicmon.DateOf(s.cfg.Now())
	data := countryData{Country: d.View(c)}
	for i := len(history) - 1; i >= 0; i-- {
		if !history[i].EffectiveDate.After(today) {
			data.History = append(data.History, history[i])
		}
	}
	if ed := d.CurrentEdition(); ed != nil {
		for _, e := range ed.Entries {
			if e.CountryCode == c.Code {
				data.Edition, data.Narrative = ed, e.Narrative
			}
		}
	}
	f := civicmon.UpdateFilter{CountryCode: c.Code, Statuses: published, Limit: PerPage, Offset: (pageNo - 1) * PerPage}
	us, total, err := s.cfg.Store.FindUpdates(ctx, f)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	data.Pager = NewPagination(pageNo, total, "/countries/"+c.Slug)
	if pageNo > data.Pager.Pages {
		s.NotFound(w, r)
		return
	}
	p := s.NewPage(r, c.Name)
	data.Updates = d.listItems(p, us)
	p.Description = p.T("Civic space in %s: rating, rating history and research updates.", c.Name)
	p.Data = data
	p.Feeds = feedLinks(p, "/countries/"+c.Slug, feedTitle(p, c.Name))
	s.RenderTemplate(w, r, http.StatusOK, "country", p)
}
