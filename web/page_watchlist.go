package web

import (
	"net/http"

	"github.com/civicmon/civicmon"
)

type watchlistData struct {
	Edition  *editionView
	Entries  []watchlistEntryView
	Current  bool
	Editions []civicmon.WatchlistEdition // all, newest first
}

type watchlistEntryView struct {
	Country   countryView
	Narrative string
}

// handleWatchlist shows the current edition at /watchlist and earlier ones
// at /watchlist/{date}.
func (s *Server) handleWatchlist(w http.ResponseWriter, r *http.Request) {
	d, err := s.siteData(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := watchlistData{Editions: d.editions}
	var ed *civicmon.WatchlistEdition
	if date := r.PathValue("date"); date != "" {
		for i := range d.editions {
			if d.editions[i].PublishedOn.String() == date {
				ed = &d.editions[i]
			}
		}
		if ed == nil {
			s.notFound(w, r)
			return
		}
	} else {
		ed = d.currentEdition()
	}
	p := s.newPage(r, "")
	p.Title = p.T("Watchlist")
	if ed != nil {
		data.Edition = d.editionView(ed)
		data.Current = ed == d.currentEdition()
		for _, e := range ed.Entries {
			if c, ok := d.byCode[e.CountryCode]; ok {
				data.Entries = append(data.Entries, watchlistEntryView{Country: d.view(c), Narrative: e.Narrative})
			}
		}
		p.Title = ed.Title
	}
	p.Description = p.T("Countries where civic space is declining seriously and fast.")
	p.Data = data
	s.render(w, r, http.StatusOK, "watchlist", p)
}
