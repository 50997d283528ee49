package web

import (
	"bytes"
	"net/http"

	"github.com/civicmon/civicmon"
)

// routes registers every route. Public pages go through the page cache.
// Every route is registered through s.handle with the access it needs, so
// that the authorization tests can enumerate them all.
func (s *Server) routes() {
	s.handle("GET /healthz", public, s.handleHealthz)
	s.handle("GET /readyz", public, s.handleReadyz)
	s.handle("GET /static/", public, s.handleStatic)

	s.handle("GET /{$}", public, s.cached(s.handleHome))
	s.handle("GET /countries", public, s.cached(s.handleCountries))
	s.handle("GET /countries/{slug}", public, s.cached(s.handleCountry))
	s.handle("GET /updates", public, s.cached(s.handleExplore))
	s.handle("GET /updates/{slug}", public, s.cached(s.handleUpdate))
	s.handle("GET /updates/{slug}/{lang}", public, s.cached(s.handleUpdate))
	s.handle("GET /regions/{slug}", public, s.cached(s.handleRegion))
	s.handle("GET /freedoms/{slug}", public, s.cached(s.handleFreedom))
	s.handle("GET /tags/{slug}", public, s.cached(s.handleTag))
	s.handle("GET /watchlist", public, s.cached(s.handleWatchlist))
	s.handle("GET /watchlist/{date}", public, s.cached(s.handleWatchlist))
	s.handle("GET /methodology", public, s.cached(s.handleMethodology))
	s.handle("GET /embed/map", public, s.cached(s.handleEmbedMap))
	s.handle("GET /robots.txt", public, s.handleRobots)
	s.handle("GET /sitemap.xml", public, s.cached(s.handleSitemapIndex))
	s.handle("GET /sitemaps/{name}", public, s.cached(s.handleSitemap))

	// The editorial workspace.
	s.handle("GET /admin/login", access{anonymousOnly: true}, s.handleLoginForm)
	s.handle("POST /admin/login", access{anonymousOnly: true}, s.handleLogin)
	s.handle("POST /admin/logout", access{anonymousOnly: true}, s.handleLogout)
	s.handle("GET /admin/login/2fa", access{anonymousOnly: true}, s.handleTwoFactorForm)
	s.handle("POST /admin/login/2fa", access{anonymousOnly: true}, s.handleTwoFactor)
	s.handle("GET /admin/password-reset", access{anonymousOnly: true}, s.handleResetRequestForm)
	s.handle("POST /admin/password-reset", access{anonymousOnly: true}, s.handleResetRequest)
	s.handle("GET /admin/password-reset/{token}", access{anonymousOnly: true}, s.handleResetForm)
	s.handle("POST /admin/password-reset/{token}", access{anonymousOnly: true}, s.handleReset)
	s.handle("GET /admin/account/2fa", need(civicmon.PermAdminAccess), s.handleAccount2FA)
	s.handle("POST /admin/account/2fa", need(civicmon.PermAdminAccess), s.handleAccount2FASave)
	s.handle("GET /admin", need(civicmon.PermAdminAccess), s.handleDashboard)
	s.handle("GET /admin/updates/new", need(civicmon.PermUpdatesCreate), s.handleUpdateForm)
	s.handle("POST /admin/updates", need(civicmon.PermUpdatesCreate), s.handleUpdateSave)
	s.handle("GET /admin/updates/{id}", need(civicmon.PermUpdatesCreate), s.handleUpdateForm)
	s.handle("POST /admin/updates/{id}", need(civicmon.PermUpdatesCreate), s.handleUpdateSave)
	s.handle("GET /admin/updates/{id}/history", need(civicmon.PermHistoryRead), s.handleUpdateHistory)
	s.handle("GET /admin/ratings", need(civicmon.PermAdminAccess), s.handleRatings)
	s.handle("POST /admin/ratings", need(civicmon.PermRatingsPropose), s.handleProposeRating)
	s.handle("POST /admin/ratings/{id}/{decision}", need(civicmon.PermRatingsApprove), s.handleDecideRating)
	s.handle("GET /admin/watchlist", need(civicmon.PermWatchlistManage), s.handleWatchlistAdmin)
	s.handle("POST /admin/watchlist", need(civicmon.PermWatchlistManage), s.handleWatchlistCreate)
	s.handle("GET /admin/watchlist/{id}", need(civicmon.PermWatchlistManage), s.handleWatchlistAdmin)
	s.handle("POST /admin/watchlist/{id}", need(civicmon.PermWatchlistManage), s.handleWatchlistCreate)
	s.handle("GET /admin/history/{entity}/{id}", need(civicmon.PermHistoryRead), s.handleRecordHistory)
	s.handle("GET /admin/users", need(civicmon.PermUsersManage), s.handleUsers)
	s.handle("POST /admin/users", need(civicmon.PermUsersManage), s.handleUserCreate)
	s.handle("POST /admin/users/{id}", need(civicmon.PermUsersManage), s.handleUserUpdate)
	s.handle("GET /admin/vocabularies", need(civicmon.PermVocabManage), s.handleVocabularies)
	s.handle("POST /admin/vocabularies", need(civicmon.PermVocabManage), s.handleVocabularyAdd)
	s.handle("GET /admin/settings", need(civicmon.PermSettingsManage), s.handleSettings)
	s.handle("POST /admin/settings", need(civicmon.PermSettingsManage), s.handleSettingsSave)

	s.feedRoutes()
	s.dataRoutes()
	s.apiRoutes()

	// Anything else is a friendly 404.
	s.handle("/", public, s.notFound)
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
	var buf bytes.Buffer
	if err := s.writePage(&buf, "error", p); err != nil {
		s.log.Error("render error page", "err", err)
	}
	w.Write(buf.Bytes())
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
