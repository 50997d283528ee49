package site

import (
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type watchlistData struct {
	Edition  *editionView
	Entries  []watchlistEntryView
	Current  bool
	Editions []civicmon.WatchlistEdition // all, newest first
}

type watchlistEntryView struct {
	Country   web.CountryView
	Narrative string
}

// handleWatchlist shows the current edition at /watchlist and earlier ones
// at /watchlist/{date}.
func (s *Site) handleWatchlist(w http.ResponseWriter, r *http.Request) {
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	data := watchlistData{Editions: d.Editions}
	var ed *civicmon.WatchlistEdition
	if date := r.PathValue("date"); date != "" {
		for i := range d.Editions {
			if d.Editions[i].PublishedOn.String() == date {
				ed = &d.Editions[i]
			}
		}
		if ed == nil {
			s.srv.NotFound(w, r)
			return
		}
	} else {
		ed = d.CurrentEdition()
	}
	p := s.srv.NewPage(r, "")
	p.Title = p.T("Watchlist")
	if ed != nil {
		data.Edition = newEditionView(d, ed)
		data.Current = ed == d.CurrentEdition()
		for _, e := range ed.Entries {
			if c, ok := d.ByCode[e.CountryCode]; ok {
				data.Entries = append(data.Entries, watchlistEntryView{Country: d.View(c), Narrative: e.Narrative})
			}
		}
		p.Title = ed.Title
	}
	p.Description = p.T("Countries where civic space is declining seriously and fast.")
	s.srv.Render(w, r, http.StatusOK, p, WatchlistPage(p, &data))
}
