package web

import (
	"net/http"

	"github.com/civicmon/civicmon"
)

type historyData struct {
	U         *civicmon.Update
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
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(w, r, "History")
	p.Title = p.T("History") + ": " + u.Title
	data := historyData{U: u}
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
	s.render(w, r, http.StatusOK, "admin_history", p)
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
