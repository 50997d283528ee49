// Package site is civicmon's public site: the map, the country pages, the
// research updates and the lists of them, the explore page, the watchlist,
// the methodology, and what readers take away — feeds, citations, data
// downloads and sitemaps. It is one surface over the shared kit of package
// web (the server, the page cache, the layout); the static mirror renders
// it too.
//
// Each page is a handler file named after the markup it renders, with the
// markup (a templ template) and the test beside it: country.go,
// country.templ, country_test.go.
package site

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/web"
)

// Store is what the public site reads: the store methods its handlers
// call, and those of the data downloads (dataio.Source). It writes
// nothing.
type Store interface {
	dataio.Source // Countries, CurrentRatings, RatingHistory, FindUpdates, IncidentsByUpdate
	CountryByCode(ctx context.Context, code string) (*civicmon.Country, error)
	UpdateBySlug(ctx context.Context, slug string) (*civicmon.Update, error)
	Corrections(ctx context.Context, updateID int64) ([]civicmon.Correction, error)
	SearchUpdates(ctx context.Context, q civicmon.SearchQuery) (*civicmon.SearchResult, error)
}

// Site serves the public pages over a web.Server.
type Site struct {
	srv       *web.Server
	store     Store
	now       civicmon.Clock
	log       *slog.Logger
	fragments fragments
}

// Mount registers every route of the public site on srv, reading store.
// now is the server's clock (time.Now when nil), log where failures go
// (slog.Default when nil).
func Mount(srv *web.Server, store Store, now civicmon.Clock, log *slog.Logger) *Site {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Site{srv: srv, store: store, now: now, log: log}
	s.routes()
	return s
}

// routes registers the site's routes through srv.Handle, each public, the
// pages through the page cache. The downloads of /data/ skip it: they can
// be as large as the archive, and are streamed.
func (s *Site) routes() {
	srv := s.srv
	srv.Handle("GET /{$}", web.Public, srv.Cached(s.handleHome))
	srv.Handle("GET /countries", web.Public, srv.Cached(s.handleCountries))
	srv.Handle("GET /countries/{slug}", web.Public, srv.Cached(s.handleCountry))
	srv.Handle("GET /updates", web.Public, srv.Cached(s.handleExplore))
	srv.Handle("GET /updates/{slug}", web.Public, srv.Cached(s.handleUpdate))
	srv.Handle("GET /updates/{slug}/{lang}", web.Public, srv.Cached(s.handleUpdate))
	srv.Handle("GET /regions/{slug}", web.Public, srv.Cached(s.handleRegion))
	srv.Handle("GET /freedoms/{slug}", web.Public, srv.Cached(s.handleFreedom))
	srv.Handle("GET /tags/{slug}", web.Public, srv.Cached(s.handleTag))
	srv.Handle("GET /watchlist", web.Public, srv.Cached(s.handleWatchlist))
	srv.Handle("GET /watchlist/{date}", web.Public, srv.Cached(s.handleWatchlist))
	srv.Handle("GET /methodology", web.Public, srv.Cached(s.handleMethodology))
	srv.Handle("GET /embed/map", web.Public, srv.Cached(s.handleEmbedMap))
	srv.Handle("GET /statistics", web.Public, srv.Cached(s.handleStatistics))
	srv.Handle("GET /reports/{year}", web.Public, srv.Cached(s.handleReport))
	srv.Handle("GET /statistics/{file}", web.Public, srv.Cached(s.handleStatisticsData))
	srv.Handle("GET /embed/statistics/{chart}", web.Public, srv.Cached(s.handleStatisticsEmbed))
	srv.Handle("GET /robots.txt", web.Public, s.handleRobots)
	srv.Handle("GET /sitemap.xml", web.Public, srv.Cached(s.handleSitemapIndex))
	srv.Handle("GET /sitemaps/{name}", web.Public, srv.Cached(s.handleSitemap))

	// The feeds of published updates (all of them, and per country,
	// region, freedom and violation tag, each as Atom and as JSON Feed)
	// and the citations of each update.
	for _, f := range []struct {
		ext    string
		format feedFormat
	}{{"atom", atomFormat}, {"json", jsonFormat}} {
		srv.Handle("GET /feed."+f.ext, web.Public, srv.Cached(s.handleFeed(feedAll, f.format)))
		srv.Handle("GET /countries/{country}/feed."+f.ext, web.Public, srv.Cached(s.handleFeed(feedCountry, f.format)))
		srv.Handle("GET /regions/{region}/feed."+f.ext, web.Public, srv.Cached(s.handleFeed(feedRegion, f.format)))
		srv.Handle("GET /freedoms/{freedom}/feed."+f.ext, web.Public, srv.Cached(s.handleFeed(feedFreedom, f.format)))
		srv.Handle("GET /tags/{tag}/feed."+f.ext, web.Public, srv.Cached(s.handleFeed(feedTag, f.format)))
	}
	for _, f := range citeFormats {
		srv.Handle("GET /updates/{slug}/cite/"+f.name, web.Public, srv.Cached(s.handleCite(f)))
		srv.Handle("GET /countries/{slug}/cite/"+f.name, web.Public, srv.Cached(s.handleCountryCite(f)))
	}

	srv.Handle("GET /data/{file}", web.Public, s.handleData)
}

// published is the status a public list asks the store for.
var published = []civicmon.Status{civicmon.StatusPublished}

// siteData is the server's reference data with the countries named in
// the request's language, or a failure answered.
func (s *Site) siteData(w http.ResponseWriter, r *http.Request) (*web.SiteData, bool) {
	d, err := s.srv.SiteData(r.Context())
	if err != nil {
		s.srv.Fail(w, r, err)
		return nil, false
	}
	return d.In(s.srv.Language(r)), true
}

// updateItem is an update in a list: what the country page's entries show.
type updateItem struct {
	civicmon.PublicUpdate
	Country web.CountryView
	// In lists (UpdateList, from listItems): the links to the update and
	// its country, and its date, in the page's language. Written here,
	// once, rather than by the markup.
	Href, CountryHref, When string
	// TextLang is the language of Title and Summary: the translation's
	// in the page's language where there is one (listItems), else the
	// original's.
	TextLang string
}

// items turns stored updates into list entries through the public
// projection; anything unpublished is dropped, whatever the query said.
func items(d *web.SiteData, us []civicmon.Update) []updateItem {
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

// listItems are items for UpdateList on page p.
func listItems(p *web.Page, d *web.SiteData, us []civicmon.Update) []updateItem {
	out := items(d, us)
	for i := range out {
		it := &out[i]
		it.Href = p.Link("/updates/" + it.Slug)
		it.CountryHref = p.Link("/countries/" + it.Country.Slug)
		it.When = p.ApproxDate(it.PublishedOn, it.DateApproximate)
		it.TextLang = it.Language
		if l := string(p.Lang); l != it.Language {
			for _, t := range it.Translations {
				if t.Language == l {
					it.Title, it.Summary, it.TextLang = t.Title, t.Summary, l
				}
			}
		}
	}
	return out
}

// editionView is a watchlist edition with its countries as pages show them.
type editionView struct {
	civicmon.WatchlistEdition
	Countries []web.CountryView
}

func newEditionView(d *web.SiteData, ed *civicmon.WatchlistEdition) *editionView {
	v := &editionView{WatchlistEdition: *ed}
	for _, e := range ed.Entries {
		if c, ok := d.ByCode[e.CountryCode]; ok {
			v.Countries = append(v.Countries, d.View(c))
		}
	}
	return v
}
