package site

import (
	"net/http"
	"strconv"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/cite"
	"github.com/civicmon/civicmon/stats"
	"github.com/civicmon/civicmon/web"
)

type countryData struct {
	Country   web.CountryView
	History   []civicmon.Rating // newest first
	Edition   *civicmon.WatchlistEdition
	Narrative string
	Updates   []updateItem
	Pager     web.Pagination
	// The trend: the rating over time (SVG), per freedom the latest
	// updates and the incidents of the last twelve months, incidents per
	// year by freedom, the region's countries with their ratings.
	Trend        string
	Freedoms     []freedomBlock
	YearFreedoms []stats.YearFreedom
	Neighbours   []web.CountryView
	Feeds        []web.FeedLink
	// Citation is "cite this country page" as plain text.
	Citation string
}

type freedomBlock struct {
	Freedom   civicmon.Freedom
	Incidents int // in the last twelve months
	Latest    []updateItem
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
	if err := s.countryTrend(r, p, d, c, &data, history, today); err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	p.Description = p.T("Civic space in %s: rating, rating history and research updates.", c.Name)
	p.Feeds = feedLinks(p, "/countries/"+c.Slug, feedTitle(p, c.Name))
	data.Feeds = p.Feeds
	s.srv.Render(w, r, http.StatusOK, p, CountryPage(p, &data))
}

// countryTrend fills in what shows the country's trend.
func (s *Site) countryTrend(r *http.Request, p *web.Page, d *web.SiteData, c *civicmon.Country, data *countryData, history []civicmon.Rating, today civicmon.Date) error {
	ctx := r.Context()
	var inForce []civicmon.Rating
	for _, h := range history {
		if !h.EffectiveDate.After(today) {
			inForce = append(inForce, h)
		}
	}
	data.Trend = ratingTrendSVG(p, "trend", inForce, today)
	ix := s.srv.Stats()
	recent, err := ix.Query(ctx, stats.Filter{Country: c.Code, From: today.AddDays(-365), To: today})
	if err != nil {
		return err
	}
	for i, f := range civicmon.Freedoms {
		us, _, err := s.store.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: c.Code, Freedom: f, Statuses: published, Limit: 3, SkipTotal: true})
		if err != nil {
			return err
		}
		data.Freedoms = append(data.Freedoms, freedomBlock{Freedom: f, Incidents: recent.Freedoms[i].Incidents, Latest: listItems(p, d, us)})
	}
	all, err := ix.Query(ctx, stats.Filter{Country: c.Code, To: today})
	if err != nil {
		return err
	}
	data.YearFreedoms = all.YearFreedoms
	for i := range d.Countries {
		o := &d.Countries[i]
		if o.Region == c.Region && o.Code != c.Code {
			data.Neighbours = append(data.Neighbours, d.View(o))
		}
	}
	updated, err := s.countryUpdated(ctx, d, c)
	if err != nil {
		return err
	}
	ct := cite.FromCountry(c, s.srv.AbsoluteURL(r, "/countries/"+c.Slug), siteName, updated, today)
	data.Citation = ct.Text()
	return nil
}
