package api

import (
	"net/http"

	"github.com/civicmon/civicmon/web"
)

func (h *handler) watchlist(w http.ResponseWriter, r *http.Request) {
	d, ok := h.siteData(w, r)
	if !ok {
		return
	}
	out := apiList[apiWatchlistEdition]{Data: []apiWatchlistEdition{}}
	for i := range d.Editions {
		out.Data = append(out.Data, h.newAPIEdition(r, &d.Editions[i]))
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}

func (h *handler) watchlistEdition(w http.ResponseWriter, r *http.Request) {
	d, ok := h.siteData(w, r)
	if !ok {
		return
	}
	for i := range d.Editions {
		if d.Editions[i].PublishedOn.String() == r.PathValue("date") {
			web.WriteAPIJSON(w, r, http.StatusOK, h.newAPIEdition(r, &d.Editions[i]))
			return
		}
	}
	h.srv.Problem(w, r, web.ProbNotFound, "There is no watchlist edition published on this date. GET /api/v1/watchlist lists them.")
}
