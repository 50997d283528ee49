package api

import (
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// The countries: each with its current rating, and one with its rating
// history and watchlist editions. Public reads, like every read of the API,
// of published data only, built from the public projection.

func (h *handler) countries(w http.ResponseWriter, r *http.Request) {
	d, err := h.srv.SiteData(r.Context())
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	p := newParams(r, "region", "category")
	region, category := p.region(), p.category()
	if p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	out := apiList[apiCountry]{Data: []apiCountry{}}
	for i := range d.Countries {
		c := &d.Countries[i]
		if region != "" && c.Region != region {
			continue
		}
		if category != "" && d.Current[c.Code].Category != category {
			continue
		}
		out.Data = append(out.Data, h.newAPICountry(r, d, c))
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}

func (h *handler) country(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := h.srv.SiteData(ctx)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	if p := newParams(r); p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	c := findCountry(d, r.PathValue("country"))
	if c == nil {
		h.srv.Problem(w, r, web.ProbNotFound, "There is no country with this code or slug. GET /api/v1/countries lists them.")
		return
	}
	history, err := h.store.RatingHistory(ctx, c.Code)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	out := apiCountryDetail{apiCountry: h.newAPICountry(r, d, c), Ratings: []apiRating{}, Watchlist: []string{}}
	today := civicmon.DateOf(h.now())
	for i := range history {
		// A rating dated in the future is not in effect yet, and not public.
		if !history[i].EffectiveDate.After(today) {
			out.Ratings = append(out.Ratings, newAPIRating(&history[i]))
		}
	}
	for i := range d.Editions {
		if d.Editions[i].Has(c.Code) {
			out.Watchlist = append(out.Watchlist, d.Editions[i].PublishedOn.String())
		}
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}
