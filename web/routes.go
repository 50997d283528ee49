package web

import (
	"bytes"
	"net/http"

	"github.com/civicmon/civicmon"
)

// routes registers the kit's own routes and the surfaces still in this
// package; the public site mounts its own (package site). Every route is
// registered through s.Handle with the access it needs, so that the
// authorization tests can enumerate them all.
func (s *Server) routes() {
	s.Handle("GET /healthz", Public, s.handleHealthz)
	s.Handle("GET /readyz", Public, s.handleReadyz)
	s.Handle("GET /static/", Public, s.handleStatic)

	// The editorial workspace.
	s.Handle("GET /admin/login", Access{AnonymousOnly: true}, s.handleLoginForm)
	s.Handle("POST /admin/login", Access{AnonymousOnly: true}, s.handleLogin)
	s.Handle("POST /admin/logout", Access{AnonymousOnly: true}, s.handleLogout)
	s.Handle("GET /admin/login/2fa", Access{AnonymousOnly: true}, s.handleTwoFactorForm)
	s.Handle("POST /admin/login/2fa", Access{AnonymousOnly: true}, s.handleTwoFactor)
	s.Handle("GET /admin/password-reset", Access{AnonymousOnly: true}, s.handleResetRequestForm)
	s.Handle("POST /admin/password-reset", Access{AnonymousOnly: true}, s.handleResetRequest)
	s.Handle("GET /admin/password-reset/{token}", Access{AnonymousOnly: true}, s.handleResetForm)
	s.Handle("POST /admin/password-reset/{token}", Access{AnonymousOnly: true}, s.handleReset)
	s.Handle("GET /admin/account/2fa", Need(civicmon.PermAdminAccess), s.handleAccount2FA)
	s.Handle("POST /admin/account/2fa", Need(civicmon.PermAdminAccess), s.handleAccount2FASave)
	s.Handle("GET /admin", Need(civicmon.PermAdminAccess), s.handleDashboard)
	s.Handle("GET /admin/updates/new", Need(civicmon.PermUpdatesCreate), s.handleUpdateForm)
	s.Handle("POST /admin/updates", Need(civicmon.PermUpdatesCreate), s.handleUpdateSave)
	s.Handle("GET /admin/updates/{id}", Need(civicmon.PermUpdatesCreate), s.handleUpdateForm)
	s.Handle("POST /admin/updates/{id}", Need(civicmon.PermUpdatesCreate), s.handleUpdateSave)
	s.Handle("GET /admin/updates/{id}/history", Need(civicmon.PermHistoryRead), s.handleUpdateHistory)
	s.Handle("GET /admin/ratings", Need(civicmon.PermAdminAccess), s.handleRatings)
	s.Handle("POST /admin/ratings", Need(civicmon.PermRatingsPropose), s.handleProposeRating)
	s.Handle("POST /admin/ratings/{id}/{decision}", Need(civicmon.PermRatingsApprove), s.handleDecideRating)
	s.Handle("GET /admin/watchlist", Need(civicmon.PermWatchlistManage), s.handleWatchlistAdmin)
	s.Handle("POST /admin/watchlist", Need(civicmon.PermWatchlistManage), s.handleWatchlistCreate)
	s.Handle("GET /admin/watchlist/{id}", Need(civicmon.PermWatchlistManage), s.handleWatchlistAdmin)
	s.Handle("POST /admin/watchlist/{id}", Need(civicmon.PermWatchlistManage), s.handleWatchlistCreate)
	s.Handle("GET /admin/history/{entity}/{id}", Need(civicmon.PermHistoryRead), s.handleRecordHistory)
	s.Handle("GET /admin/users", Need(civicmon.PermUsersManage), s.handleUsers)
	s.Handle("POST /admin/users", Need(civicmon.PermUsersManage), s.handleUserCreate)
	s.Handle("POST /admin/users/{id}", Need(civicmon.PermUsersManage), s.handleUserUpdate)
	s.Handle("GET /admin/vocabularies", Need(civicmon.PermVocabManage), s.handleVocabularies)
	s.Handle("POST /admin/vocabularies", Need(civicmon.PermVocabManage), s.handleVocabularyAdd)
	s.Handle("GET /admin/settings", Need(civicmon.PermSettingsManage), s.handleSettings)
	s.Handle("POST /admin/settings", Need(civicmon.PermSettingsManage), s.handleSettingsSave)

	s.apiRoutes()

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
