package web

import (
	"net/http"
	"strconv"

	"github.com/civicmon/civicmon"
)

type historyData struct {
	U         *civicmon.Update
	Title     string
	Back      string
	Revisions []revisionView // newest first
}

type revisionView struct {
	civicmon.Revision
	Who  string
	Diff []civicmon.DiffLine // against the revision before; unchanged lines trimmed to context
}

// handleUpdateHistory shows who changed an update, when, and what.
func (s *Server) handleUpdateHistory(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := s.loadEditable(r, r.PathValue("id"))
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	revs, err := s.cfg.Store.Revisions(ctx, "update", u.ID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	p := s.adminPage(w, r, "History")
	s.renderHistory(w, r, p, historyData{U: u, Title: u.Title, Back: "/admin/updates/" + itoa64(u.ID)}, revs)
}

// handleRecordHistory shows the revisions of a rating or a watchlist
// edition.
func (s *Server) handleRecordHistory(w http.ResponseWriter, r *http.Request) {
	entity := r.PathValue("entity")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || (entity != "rating" && entity != "watchlist") {
		s.NotFound(w, r)
		return
	}
	revs, err := s.cfg.Store.Revisions(r.Context(), entity, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if len(revs) == 0 {
		s.NotFound(w, r)
		return
	}
	p := s.adminPage(w, r, "History")
	back := "/admin/ratings"
	if entity == "watchlist" {
		back = "/admin/watchlist/" + itoa64(id)
	}
	s.renderHistory(w, r, p, historyData{Title: entity + " " + itoa64(id), Back: back}, revs)
}

func (s *Server) renderHistory(w http.ResponseWriter, r *http.Request, p *Page, data historyData, revs []civicmon.Revision) {
	ctx := r.Context()
	p.Title = p.T("History") + ": " + data.Title
	names := map[int64]string{0: p.T("the system")}
	prev := ""
	for _, rv := range revs {
		if _, ok := names[rv.UserID]; !ok {
			names[rv.UserID] = "#" + itoa64(rv.UserID)
			if who, err := s.cfg.Store.UserByID(ctx, rv.UserID); err == nil {
				names[rv.UserID] = who.Name
			}
		}
		v := revisionView{Revision: rv, Who: names[rv.UserID], Diff: trimDiff(civicmon.DiffSnapshots(prev, rv.Snapshot), 2)}
		data.Revisions = append([]revisionView{v}, data.Revisions...)
		prev = rv.Snapshot
	}
	p.Data = data
	s.RenderTemplate(w, r, http.StatusOK, "admin_history", p)
}

// trimDiff keeps changed lines and n lines of context around them, with a
// "…" line where unchanged lines were left out.
func trimDiff(d []civicmon.DiffLine, n int) []civicmon.DiffLine {
	keep := make([]bool, len(d))
	for i, l := range d {
		if l.Op != ' ' {
			for j := max(0, i-n); j <= min(len(d)-1, i+n); j++ {
				keep[j] = true
			}
		}
	}
	var out []civicmon.DiffLine
	skipped := false
	for i, l := range d {
		if keep[i] {
			out = append(out, l)
			skipped = false
		} else if !skipped {
			out = append(out, civicmon.DiffLine{Op: ' ', Text: "…"})
			skipped = true
		}
	}
	return out
}
