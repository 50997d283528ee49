package api

import (
	"net/http"
	"sort"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// ratings lists ratings: the whole history of every country, or
// with as_of, the rating each country had on that day.
func (h *handler) ratings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := h.srv.SiteData(ctx)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	p := newParams(r, "country", "region", "category", "since", "until", "as_of")
	code, region, category := p.country(d), p.region(), p.category()
	since, until := p.dateRange()
	asOf := p.date("as_of")
	if p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	today := civicmon.DateOf(h.now())
	var ratings []civicmon.Rating
	if !asOf.IsZero() {
		if asOf.After(today) {
			asOf = today // ratings dated later are not in effect, and not public
		}
		cur := d.Current
		if !asOf.Equal(today) {
			if cur, err = h.store.CurrentRatings(ctx, asOf); err != nil {
				h.srv.APIFail(w, r, err)
				return
			}
		}
		for _, rt := range cur {
			ratings = append(ratings, rt)
		}
	} else {
		for i := range d.Countries {
			c := &d.Countries[i]
			if (code != "" && c.Code != code) || (region != "" && c.Region != region) {
				continue
			}
			history, err := h.store.RatingHistory(ctx, c.Code)
			if err != nil {
				h.srv.APIFail(w, r, err)
				return
			}
			ratings = append(ratings, history...)
		}
	}
	out := apiList[apiRating]{Data: []apiRating{}}
	for i := range ratings {
		rt := &ratings[i]
		c, known := d.ByCode[rt.CountryCode]
		switch {
		case rt.EffectiveDate.After(today),
			code != "" && rt.CountryCode != code,
			region != "" && (!known || c.Region != region),
			category != "" && rt.Category != category,
			!since.IsZero() && rt.EffectiveDate.Before(since),
			!until.IsZero() && rt.EffectiveDate.After(until):
			continue
		}
		out.Data = append(out.Data, newAPIRating(rt))
	}
	sort.SliceStable(out.Data, func(i, j int) bool {
		a, b := out.Data[i], out.Data[j]
		if a.Country != b.Country {
			return a.Country < b.Country
		}
		return a.EffectiveDate < b.EffectiveDate
	})
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}
