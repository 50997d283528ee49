package site

import (
	"net/http"
	"strconv"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type countryData struct {
	Country   web.CountryView
	History   []civicmon.Rating // newest first
	Edition   *civicmon.WatchlistEdition
	Narrative string
	Updates   []updateItem
	Pager     web.Pagination
}

// handleCountry is the country page: like the CIVICUS Monitor's, the
// country and its rating, then its research updates newest first, each a
// title, a date, a summary and "Read more".
func (s *Site) handleCountry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	c, ok := d.BySlug[r.PathValue("slug")]
	if !ok {
		s.srv.NotFound(w, r)
		return
	}
	pageNo, ok := web.PageNumber(r.URL.Query().Get("page"))
	if !ok {
		s.srv.NotFound(w, r)
		return
	}
	history, err := s.store.RatingHistory(ctx, c.Code)
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	today := civicmon.DateOf(s.now())
	data := countryData{Country: d.View(c)}
	for i := len(history) - 1; i >= 0; i-- {
		if h := history[i]; !h.EffectiveDate.After(today) {
			h.Rationale, _ = d.Field(civicmon.FieldRatingRationale, strconv.FormatInt(h.ID, 10), h.Rationale)
			data.History = append(data.History, h)
		}
	}
	if ed := d.CurrentEdition(); ed != nil {
		for _, e := range ed.Entries {
			if e.CountryCode == c.Code {
				data.Edition, data.Narrative = ed, e.Narrative
			}
		}
	}
	f := civicmon.UpdateFilter{CountryCode: c.Code, Statuses: published, Limit: web.PerPage, Offset: (pageNo - 1) * web.PerPage}
	us, total, err := s.store.FindUpdates(ctx, f)
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	data.Pager = web.NewPagination(pageNo, total, "/countries/"+c.Slug)
	if pageNo > data.Pager.Pages {
		s.srv.NotFound(w, r)
		return
	}
	p := s.srv.NewPage(r, c.Name)
	data.Updates = listItems(p, d, us)
	p.Description = p.T("Civic space in %s: rating, rating history and research updates.", c.Name)
	p.Feeds = feedLinks(p, "/countries/"+c.Slug, feedTitle(p, c.Name))
	s.srv.Render(w, r, http.StatusOK, p, CountryPage(p, &data))
}
