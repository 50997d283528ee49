package web

import (
	"context"
	"net/http"
	"sort"
	"sync"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
)

// siteData is the small, often-read reference data every page needs:
// countries, their current ratings, the vocabularies and the watchlist.
// It is loaded once per data generation, not per request.
type siteData struct {
	countries []civicmon.Country // by name
	byCode    map[string]*civicmon.Country
	bySlug    map[string]*civicmon.Country
	current   map[string]civicmon.Rating
	vocab     *civicmon.Vocabulary
	editions  []civicmon.WatchlistEdition // newest first
}

type siteCache struct {
	mu   sync.Mutex
	gen  generation
	data *siteData
}

func (s *Server) siteData(ctx context.Context) (*siteData, error) {
	gen := s.generation()
	s.site.mu.Lock()
	defer s.site.mu.Unlock()
	if s.site.data != nil && s.site.gen == gen {
		return s.site.data, nil
	}
	st := s.cfg.Store
	d := &siteData{byCode: map[string]*civicmon.Country{}, bySlug: map[string]*civicmon.Country{}}
	var err error
	if d.countries, err = st.Countries(ctx); err != nil {
		return nil, err
	}
	for i := range d.countries {
		c := &d.countries[i]
		d.byCode[c.Code], d.bySlug[c.Slug] = c, c
	}
	if d.current, err = st.CurrentRatings(ctx, civicmon.DateOf(s.cfg.Now())); err != nil {
		return nil, err
	}
	if d.vocab, err = st.Vocabulary(ctx); err != nil {
		return nil, err
	}
	if d.editions, err = st.WatchlistEditions(ctx); err != nil {
		return nil, err
	}
	s.site.gen, s.site.data = gen, d
	return d, nil
}

// currentEdition is the newest watchlist edition, or nil.
func (d *siteData) currentEdition() *civicmon.WatchlistEdition {
	if len(d.editions) == 0 {
		return nil
	}
	return &d.editions[0]
}

// countryView is a country as pages show it: with its current rating.
type countryView struct {
	civicmon.Country
	Rating *civicmon.Rating
	Count  int // updates, where a page counts them
}

func (d *siteData) view(c *civicmon.Country) countryView {
	v := countryView{Country: *c}
	if r, ok := d.current[c.Code]; ok {
		v.Rating = &r
	}
	return v
}

// sortedByName sorts country views by their name in the page's language
// order (names are English for now; sorted as such).
func sortedByName(vs []countryView) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
}

// language is the interface language of a request: ?lang= when the reader
// chose one, else the best match of Accept-Language.
func (s *Server) language(r *http.Request) (i18n.Lang, bool) {
	if v := r.URL.Query().Get("lang"); v != "" {
		if l, ok := i18n.Parse(v); ok {
			return l, true
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language")), false
}

// newPage starts a page for the request.
func (s *Server) newPage(r *http.Request, title string) *page {
	lang, explicit := s.language(r)
	return &page{Lang: lang, explicit: explicit, Title: title, Path: r.URL.Path, Query: r.URL.Query(), srv: s}
}
