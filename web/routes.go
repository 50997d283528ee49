package web

import (
	"bytes"
	"net/http"
)

// routes registers every route. Public pages go through the page cache.
// Every route is registered through s.handle with the access it needs, so
// that the authorization tests can enumerate them all.
func (s *Server) routes() {
	s.Handle("GET /healthz", Public, s.handleHealthz)
	s.Handle("GET /readyz", Public, s.handleReadyz)
	s.Handle("GET /static/", Public, s.handleStatic)

	s.Handle("GET /{$}", Public, s.Cached(s.handleHome))
	s.Handle("GET /countries", Public, s.Cached(s.handleCountries))
	s.Handle("GET /countries/{slug}", Public, s.Cached(s.handleCountry))
	s.Handle("GET /updates", Public, s.Cached(s.handleExplore))
	s.Handle("GET /updates/{slug}", Public, s.Cached(s.handleUpdate))
	s.Handle("GET /updates/{slug}/{lang}", Public, s.Cached(s.handleUpdate))
	s.Handle("GET /regions/{slug}", Public, s.Cached(s.handleRegion))
	s.Handle("GET /freedoms/{slug}", Public, s.Cached(s.handleFreedom))
	s.Handle("GET /tags/{slug}", Public, s.Cached(s.handleTag))
	s.Handle("GET /watchlist", Public, s.Cached(s.handleWatchlist))
	s.Handle("GET /watchlist/{date}", Public, s.Cached(s.handleWatchlist))
	s.Handle("GET /methodology", Public, s.Cached(s.handleMethodology))
	s.Handle("GET /embed/map", Public, s.Cached(s.handleEmbedMap))
	s.Handle("GET /robots.txt", Public, s.handleRobots)
	s.Handle("GET /sitemap.xml", Public, s.Cached(s.handleSitemapIndex))
	s.Handle("GET /sitemaps/{name}", Public, s.Cached(s.handleSitemap))

	s.feedRoutes()
	s.dataRoutes()

	// Anything else is a friendly 404.
	s.Handle("/", Public, s.NotFound)
}

// notFound answers 404 with a page that helps the reader on.
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "")
	p.Title = p.T("Page not found")
	p.NoIndex = true
	p.Data = errorPage{Status: http.StatusNotFound,
		Message: p.T("There is no page at this address. It may have moved, or the link may be mistyped.")}
	s.RenderTemplate(w, r, http.StatusNotFound, "error", p)
}

// serverError answers 500 without details: those go to the log.
func (s *Server) ServerError(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "")
	p.Title = p.T("Something went wrong")
	p.NoIndex = true
	p.Data = errorPage{Status: http.StatusInternalServerError,
		Message: p.T("The server could not show this page. Please try again in a moment.")}
	p.CSS = s.assets.URL("style.css")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	var buf bytes.Buffer
	if err := s.writePage(r.Context(), &buf, p, s.Template("error", p)); err != nil {
		s.log.Error("render error page", "err", err)
	}
	w.Write(buf.Bytes())
}

// fail logs err and answers 404 for a missing record, 500 otherwise.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if IsNotFound(err) {
		s.NotFound(w, r)
		return
	}
	s.log.Error("request failed", "path", r.URL.Path, "err", err)
	s.ServerError(w, r)
}

type errorPage struct {
	Status  int
	Message string
}
