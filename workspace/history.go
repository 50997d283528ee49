package workspace

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type historyData struct {
	Imported  bool // the record came by the bulk path: its history starts later
	Title     string
	Back      string
	BackLabel string
	Revisions []revisionView // newest first
}

// revisionView is one revision as people read it: what happened, who did
// it, and what changed, field by field.
type revisionView struct {
	civicmon.Revision
	Who     string
	What    string // "Published by The editor"
	Changes []fieldChange
	More    int // fields filled in at creation and not listed
	// Comment is what the person wrote with the step, from the conversation.
	Comment string
	// Unknown: the first change to an imported record, whose state before
	// no revision kept.
	Unknown bool
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
	comments, err := h.store.Comments(r.Context(), u.ID)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	p := h.page(w, r, "History")
	d := historyData{Title: u.Title, Back: "/admin/updates/" + itoa64(u.ID), BackLabel: p.T("Back to the editor"),
		Imported: len(revs) == 0 || revs[0].Action != civicmon.AuditUpdateCreate}
	h.renderHistory(w, r, p, "update", d, revs, comments)
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
	back := "/admin/archive/ratings"
	title := p.T("Rating") + " " + itoa64(id)
	var snap struct{ Title, CountryCode string }
	json.Unmarshal([]byte(revs[len(revs)-1].Snapshot), &snap)
	if entity == "watchlist" {
		back = "/admin/archive/watchlist"
		if snap.Title != "" {
			title = snap.Title
		}
	} else if snap.CountryCode != "" {
		title = p.T("Rating of %s", snap.CountryCode)
		if site, err := h.srv.SiteData(r.Context()); err == nil {
			if c, ok := site.ByCode[snap.CountryCode]; ok {
				title = p.T("Rating of %s", c.Name)
			}
		}
	}
	h.renderHistory(w, r, p, entity, historyData{Title: title, Back: back, BackLabel: p.T("Back to the archive")}, revs, nil)
}

// createdFields are the fields a creation lists; the others are counted.
var createdFields = map[string]bool{"Title": true, "Country": true, "Status": true, "Author": true, "Publication date": true,
	"Effective from": true, "Category": true, "Score": true}

func (h *handler) renderHistory(w http.ResponseWriter, r *http.Request, p *web.Page, entity string, d historyData, revs []civicmon.Revision,
	comments []civicmon.Comment) {
	ctx := r.Context()
	p.Title = p.T("History") + ": " + d.Title
	name, err := h.valueNamer(ctx, p)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	prev := ""
	for _, rv := range revs {
		who := name("user", json.Number(itoa64(rv.UserID)))
		if rv.UserID == 0 {
			who = p.T("the system")
		}
		v := revisionView{Revision: rv, Who: who, What: revisionSentence(p, rv, prev, who)}
		// A comment that came with a step was written in its transaction.
		for _, c := range comments {
			if c.Action != "" && rv.Action == civicmon.AuditActionOf(c.Action) && c.AuthorID == rv.UserID &&
				c.CreatedAt.Sub(rv.CreatedAt).Abs() < 2*time.Second {
				v.Comment = c.Body
			}
		}
		all := snapshotChanges(entity, prev, rv.Snapshot, name, p.T)
		switch {
		case prev == "" && d.Imported:
			v.Unknown = true
		case prev == "":
			for _, c := range all {
				if createdFields[c.Label] || createdFields[englishLabel(p, c.Label)] {
					v.Changes = append(v.Changes, c)
				} else {
					v.More++
				}
			}
		default:
			v.Changes = all
		}
		d.Revisions = append([]revisionView{v}, d.Revisions...)
		prev = rv.Snapshot
	}
	h.srv.Render(w, r, http.StatusOK, p, historyPage(p, d))
}

// englishLabel finds the English label of a translated one among those a
// creation lists.
func englishLabel(p *web.Page, label string) string {
	for k := range createdFields {
		if p.T(k) == label {
			return k
		}
	}
	return ""
}

// revisionSentence names what a revision did and who did it. Saves from
// before workflow steps were named (all "update.save") are named by the
// status they moved the update to.
func revisionSentence(p *web.Page, rv civicmon.Revision, prev, who string) string {
	action := rv.Action
	if action == civicmon.AuditUpdateSave && prev != "" {
		var a, b struct{ Status civicmon.Status }
		json.Unmarshal([]byte(prev), &a)
		json.Unmarshal([]byte(rv.Snapshot), &b)
		switch {
		case a.Status == b.Status:
		case b.Status == civicmon.StatusInReview:
			action = "update.submit"
		case b.Status == civicmon.StatusPublished:
			action = "update.publish"
		case b.Status == civicmon.StatusArchived:
			action = "update.archive"
		case a.Status == civicmon.StatusInReview && b.Status == civicmon.StatusDraft:
			action = "update.request_changes"
		case a.Status == civicmon.StatusPublished && b.Status == civicmon.StatusDraft:
			action = "update.unpublish"
		}
	}
	switch action {
	case "update.create":
		return p.T("Created by %s", who)
	case "update.save":
		return p.T("Saved by %s", who)
	case "update.submit":
		return p.T("Submitted for review by %s", who)
	case "update.request_changes":
		return p.T("Changes requested by %s", who)
	case "update.publish":
		return p.T("Published by %s", who)
	case "update.unpublish":
		return p.T("Unpublished by %s", who)
	case "update.archive":
		return p.T("Archived by %s", who)
	case "update.assign":
		return p.T("Author assigned by %s", who)
	case "update.set_date":
		return p.T("Publication date set by %s", who)
	case "update.delete":
		return p.T("Deleted by %s", who)
	case "rating.add":
		if rv.UserID != 0 {
			return p.T("Rating approved by %s", who)
		}
		return p.T("Rating added by %s", who)
	case "watchlist.create":
		return p.T("Edition created by %s", who)
	case "watchlist.save":
		return p.T("Edition saved by %s", who)
	}
	return p.T("%s by %s", action, who)
}

// valueNamer shows snapshot values in the page's words: names of
// countries, accounts, statuses, freedoms and terms.
func (h *handler) valueNamer(ctx context.Context, p *web.Page) (valueNamer, error) {
	site, err := h.srv.SiteData(ctx)
	if err != nil {
		return nil, err
	}
	terms := map[string]string{}
	if site.Vocab != nil {
		for _, t := range append(append([]civicmon.Term{}, site.Vocab.Violations...), site.Vocab.Targets...) {
			terms[t.Slug] = p.T(t.Name)
		}
	}
	users := map[int64]string{}
	return func(kind string, v any) string {
		s := plainValue(v)
		if s == "" {
			return ""
		}
		switch kind {
		case "country":
			if c, ok := site.ByCode[s]; ok {
				return c.Name
			}
		case "status":
			return p.StatusName(civicmon.Status(s))
		case "category":
			return p.Category(civicmon.Category(s))
		case "bool":
			return p.T("yes")
		case "freedom":
			return p.Freedom(civicmon.Freedom(s))
		case "freedoms":
			n, _ := strconv.Atoi(s)
			var names []string
			for _, f := range civicmon.FreedomSet(n).List() {
				names = append(names, p.Freedom(f))
			}
			return joinComma(names)
		case "terms":
			var names []string
			if list, ok := v.([]any); ok {
				for _, x := range list {
					names = append(names, termName(terms, plainValue(x)))
				}
				return joinComma(names)
			}
			return termName(terms, s)
		case "user":
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return s
			}
			if n, ok := users[id]; ok {
				return n
			}
			n := "#" + s
			if u, err := h.store.UserByID(ctx, id); err == nil {
				n = u.Name
			}
			users[id] = n
			return n
		}
		return s
	}, nil
}

func termName(terms map[string]string, slug string) string {
	if n, ok := terms[slug]; ok {
		return n
	}
	return slug
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

func dateOf(t time.Time) civicmon.Date { return civicmon.DateOf(t.UTC()) }
