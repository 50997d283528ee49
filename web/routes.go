package web

import "net/http"

// routes registers every route. Public pages go through the page cache.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("GET /readyz", s.handleReadyz)
	s.mux.HandleFunc("GET /static/", s.handleStatic)

	s.mux.HandleFunc("GET /{$}", s.cached(s.handleHome))
	s.mux.HandleFunc("GET /countries", s.cached(s.handleCountries))
	s.mux.HandleFunc("GET /countries/{slug}", s.cached(s.handleCountry))
	s.mux.HandleFunc("GET /updates/{slug}", s.cached(s.handleUpdate))
	s.mux.HandleFunc("GET /updates/{slug}/{lang}", s.cached(s.handleUpdate))
	s.mux.HandleFunc("GET /regions/{slug}", s.cached(s.handleRegion))
	s.mux.HandleFunc("GET /freedoms/{slug}", s.cached(s.handleFreedom))
	s.mux.HandleFunc("GET /tags/{slug}", s.cached(s.handleTag))
	s.mux.HandleFunc("GET /watchlist", s.cached(s.handleWatchlist))
	s.mux.HandleFunc("GET /watchlist/{date}", s.cached(s.handleWatchlist))
	s.mux.HandleFunc("GET /methodology", s.cached(s.handleMethodology))
	s.mux.HandleFunc("GET /embed/map", s.cached(s.handleEmbedMap))
	s.mux.HandleFunc("GET /robots.txt", s.handleRobots)
	s.mux.HandleFunc("GET /sitemap.xml", s.cached(s.handleSitemapIndex))
	s.mux.HandleFunc("GET /sitemaps/{name}", s.cached(s.handleSitemap))

	// Anything else is a friendly 404.
	s.mux.HandleFunc("/", s.notFound)
}

// notFound answers 404 with a page that helps the reader on.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "")
	p.Title = p.T("Page not found")
	p.NoIndex = true
	p.Data = errorPage{Status: http.StatusNotFound,
		Message: p.T("There is no page at this address. It may have moved, or the link may be mistyped.")}
	s.render(w, r, http.StatusNotFound, "error", p)
}

// serverError answers 500 without details: those go to the log.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "")
	p.Title = p.T("Something went wrong")
	p.NoIndex = true
	p.Data = errorPage{Status: http.StatusInternalServerError,
		Message: p.T("The server could not show this page. Please try again in a moment.")}
	p.CSS = s.assets.URL("style.css")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	if err := s.templates["error"].ExecuteTemplate(w, "layout.html", p); err != nil {
		s.log.Error("render error page", "err", err)
	}
}

// fail logs err and answers 404 for a missing record, 500 otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isNotFound(err) {
		s.notFound(w, r)
		return
	}
	s.log.Error("request failed", "path", r.URL.Path, "err", err)
	s.serverError(w, r)
}

type errorPage struct {
	Status  int
	Message string
}
