package web

import (
	_ "embed"
	"net/http"
	"slices"
	"strings"

	"github.com/civicmon/civicmon"
)

// The JSON API, version 1. Reads are public and show published data only,
// through the public projection; writes need an API token (or a signed-in
// browser with the workspace's CSRF token). openapi.json describes every
// operation; the tests check each live answer against it.

//go:embed openapi.json
var openAPIDocument []byte

// apiRoutes registers the API's routes through s.handle, like every route.
func (s *Server) apiRoutes() {
	s.Handle("GET /api/v1/openapi.json", Public, s.apiPublic(s.handleAPIOpenAPI))
	s.Handle("GET /api/v1/countries", Public, s.apiPublic(s.handleAPICountries))
	s.Handle("GET /api/v1/countries/{country}", Public, s.apiPublic(s.handleAPICountry))
	s.Handle("GET /api/v1/ratings", Public, s.apiPublic(s.handleAPIRatings))
	s.Handle("GET /api/v1/updates", Public, s.apiPublic(s.handleAPIUpdates))
	s.Handle("GET /api/v1/updates/{id}", Public, s.apiPublic(s.handleAPIUpdate))
	s.Handle("GET /api/v1/incidents", Public, s.apiPublic(s.handleAPIIncidents))
	s.Handle("GET /api/v1/watchlist", Public, s.apiPublic(s.handleAPIWatchlist))
	s.Handle("GET /api/v1/watchlist/{date}", Public, s.apiPublic(s.handleAPIWatchlistEdition))
	s.Handle("GET /api/v1/vocabularies", Public, s.apiPublic(s.handleAPIVocabularies))
	s.Handle("OPTIONS /api/v1/", Public, s.handleAPIOptions)

	s.Handle("GET /api/v1/updates/{id}/editorial", Need(civicmon.PermUpdatesCreate), s.handleAPIEditorial)
	s.Handle("POST /api/v1/updates", Need(civicmon.PermUpdatesCreate), s.handleAPICreateUpdate)
	s.Handle("PUT /api/v1/updates/{id}", Need(civicmon.PermUpdatesCreate), s.handleAPIReplaceUpdate)
	s.Handle("POST /api/v1/updates/{id}/actions/{action}", Need(civicmon.PermUpdatesCreate), s.handleAPIAction)

	// Anything else under /api/ is a 404 or 405 in problem details.
	s.Handle("/api/", Public, s.handleAPINotFound)
}

// apiPublic wraps a public read: CORS for every origin, and the page
// cache (ETag, Last-Modified, 304, gzip, Cache-Control as public pages).
func (s *Server) apiPublic(next http.HandlerFunc) http.HandlerFunc {
	h := s.CachedAPI(next)
	return func(w http.ResponseWriter, r *http.Request) {
		setPublicCORS(w.Header())
		h(w, r)
	}
}

// setPublicCORS lets pages on any site read public answers.
func setPublicCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag, Link, Last-Modified")
	// Public data may be read from other origins; the default, same-origin,
	// is for pages.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
}

// handleAPIOptions answers CORS preflights: other origins may read
// (GET, HEAD); writes are for API clients, not for other sites' pages.
func (s *Server) handleAPIOptions(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	setPublicCORS(h)
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Accept, If-None-Match, If-Modified-Since")
	h.Set("Access-Control-Max-Age", "86400")
	if allow := s.apiAllowed(r); len(allow) > 0 {
		h.Set("Allow", strings.Join(append(allow, http.MethodOptions), ", "))
	}
	h.Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusNoContent)
}

// apiAllowed lists the methods the API has for the request's path.
func (s *Server) apiAllowed(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := s.mux.Handler(r2); strings.HasPrefix(pattern, m+" ") ||
			(m == http.MethodHead && strings.HasPrefix(pattern, "GET ")) {
			allow = append(allow, m)
		}
	}
	return slices.Compact(allow)
}

func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) {
	if allow := s.apiAllowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.Problem(w, r, ProbMethod, r.Method+" is not an operation of "+r.URL.Path+"; allowed: "+strings.Join(allow, ", ")+".")
		return
	}
	s.Problem(w, r, ProbNotFound, "There is no API operation at this address. GET /api/v1/openapi.json describes them all.")
}

func (s *Server) handleAPIOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
}
