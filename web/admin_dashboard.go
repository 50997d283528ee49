package web

import (
	"net/http"

	"github.com/civicmon/civicmon"
)

type dashboardData struct {
	Mine        []civicmon.Update
	ReviewQueue []civicmon.Update
	Recent      []civicmon.Update
}

// handleDashboard shows what the account has to do: its drafts, and for
// editors the review queue.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := s.adminPage(w, r, "Workspace")
	u := p.User
	var data dashboardData
	var err error
	if u.Role.Can(civicmon.PermUpdatesCreate) {
		data.Mine, _, err = s.cfg.Store.FindUpdates(ctx, civicmon.UpdateFilter{AuthorID: u.ID,
			Statuses: []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview}, Order: "newest", Limit: 100})
		if err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	if u.Role.Can(civicmon.PermUpdatesPublish) {
		data.ReviewQueue, _, err = s.cfg.Store.FindUpdates(ctx, civicmon.UpdateFilter{
			Statuses: []civicmon.Status{civicmon.StatusInReview}, Limit: 100})
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		data.Recent, _, err = s.cfg.Store.FindUpdates(ctx, civicmon.UpdateFilter{
			Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 10})
		if err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	p.Data = data
	s.RenderTemplate(w, r, http.StatusOK, "admin_dashboard", p)
}
