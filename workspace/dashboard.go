package workspace

import (
	"net/http"

	"github.com/civicmon/civicmon"
)

type dashboardData struct {
	// Imported is how many drafts imports left that wait for an editor
	// (editors only): the archive's "Imported drafts" view lists them.
	Imported    int
	Mine        []civicmon.Update
	ReviewQueue []civicmon.Update
	Recent      []civicmon.Update
}

// handleDashboard shows what the account has to do: its drafts, and for
// editors the review queue.
func (h *handler) handleDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := h.page(w, r, "Workspace")
	u := p.User
	var d dashboardData
	var err error
	if u.Role.Can(civicmon.PermUpdatesCreate) {
		d.Mine, _, err = h.store.FindUpdates(ctx, civicmon.UpdateFilter{AuthorID: u.ID,
			Statuses: []civicmon.Status{civicmon.StatusDraft, civicmon.StatusInReview}, Order: "newest", Limit: 100})
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
	}
	if u.Role.Can(civicmon.PermUpdatesPublish) {
		d.ReviewQueue, _, err = h.store.FindUpdates(ctx, civicmon.UpdateFilter{
			Statuses: []civicmon.Status{civicmon.StatusInReview}, Limit: 100})
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		_, d.Imported, err = h.store.ArchiveUpdates(ctx, civicmon.ArchiveQuery{Imported: true,
			Statuses: []civicmon.Status{civicmon.StatusDraft}, Limit: 1})
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		d.Recent, _, err = h.store.FindUpdates(ctx, civicmon.UpdateFilter{
			Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 10})
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
	}
	h.srv.Render(w, r, http.StatusOK, p, dashboardPage(p, d))
}
