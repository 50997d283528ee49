package workspace

import (
	"net/http"
	"strconv"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type historyData struct {
	Title     string
	Back      string
	Revisions []revisionView // newest first
}

type revisionView struct {
	civicmon.Revision
	Who  string
	Diff []civicmon.DiffLine // against the revision before; unchanged lines trimmed to context
}

// diffClass and diffMark show a diff line's operation: its class, and the
// sign before it.
func diffClass(op byte) string {
	switch op {
	case '+':
		return "d add"
	case '-':
		return "d del"
	}
	return "d"
}

func diffMark(op byte) string {
	switch op {
	case '+':
		return "+ "
	case '-':
		return "- "
	}
	return "  "
}

// handleUpdateHistory shows who changed an update, when, and what.
func (h *handler) handleUpdateHistory(w http.ResponseWriter, r *http.Request) {
	u, err := h.loadEditable(r, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	revs, err := h.store.Revisions(r.Context(), "update", u.ID)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	p := h.page(w, r, "History")
	h.renderHistory(w, r, p, historyData{Title: u.Title, Back: "/admin/updates/" + itoa64(u.ID)}, revs)
}

// handleRecordHistory shows the revisions of a rating or a watchlist
// edition.
func (h *handler) handleRecordHistory(w http.ResponseWriter, r *http.Request) {
	entity := r.PathValue("entity")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || (entity != "rating" && entity != "watchlist") {
		h.srv.NotFound(w, r)
		return
	}
	revs, err := h.store.Revisions(r.Context(), entity, id)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	if len(revs) == 0 {
		h.srv.NotFound(w, r)
		return
	}
	p := h.page(w, r, "History")
	back := "/admin/ratings"
	if entity == "watchlist" {
		back = "/admin/watchlist/" + itoa64(id)
	}
	h.renderHistory(w, r, p, historyData{Title: entity + " " + itoa64(id), Back: back}, revs)
}

func (h *handler) renderHistory(w http.ResponseWriter, r *http.Request, p *web.Page, d historyData, revs []civicmon.Revision) {
	ctx := r.Context()
	p.Title = p.T("History") + ": " + d.Title
	names := map[int64]string{0: p.T("the system")}
	prev := ""
	for _, rv := range revs {
		if _, ok := names[rv.UserID]; !ok {
			names[rv.UserID] = "#" + itoa64(rv.UserID)
			if who, err := h.store.UserByID(ctx, rv.UserID); err == nil {
				names[rv.UserID] = who.Name
			}
		}
		v := revisionView{Revision: rv, Who: names[rv.UserID], Diff: trimDiff(civicmon.DiffSnapshots(prev, rv.Snapshot), 2)}
		d.Revisions = append([]revisionView{v}, d.Revisions...)
		prev = rv.Snapshot
	}
	h.srv.Render(w, r, http.StatusOK, p, historyPage(p, d))
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
