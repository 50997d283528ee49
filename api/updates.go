package api

import (
	"net/http"
	"net/url"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// The published updates, a page at a time, and one with its corrections.
// Each answer is built from the public projection (civicmon.PublicUpdate):
// a draft is not found, and a private field cannot reach it.

// published is the one status the public reads show.
var published = []civicmon.Status{civicmon.StatusPublished}

// updates lists published updates, newest first, a page at a
// time; the cursor is keyset Pagination on (publication date, id).
func (h *handler) updates(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := h.srv.SiteData(ctx)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	p := newParams(r, "country", "region", "freedom", "violation", "since", "until", "cursor", "limit")
	// Anonymous readers see published updates, and only those.
	f := civicmon.UpdateFilter{Statuses: published, SkipTotal: true, CountryCode: p.country(d), Region: p.region(),
		Freedom: p.freedom(), Violation: p.violation(d)}
	f.Since, f.Until = p.dateRange()
	limit := p.limit()
	_, before, ok := h.readCursor(w, r, p, "u")
	if !ok {
		return
	}
	if p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	f.Before = before
	f.Limit = limit + 1
	us, _, err := h.store.FindUpdates(ctx, f)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	more := len(us) > limit
	us = us[:min(len(us), limit)]
	if err := h.withIncidents(r, us); err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	out := apiPage[apiUpdate]{Data: []apiUpdate{}}
	for i := range us {
		if pu, ok := us[i].Public(); ok {
			out.Data = append(out.Data, h.newAPIUpdate(r, &pu))
		}
	}
	if more && len(us) > 0 {
		last := us[len(us)-1]
		next, err := h.nextCursor(r, cursor{kind: "u", publishedOn: last.PublishedOn, uid: last.UID})
		if err != nil {
			h.srv.APIFail(w, r, err)
			return
		}
		out.NextCursor = &next
		h.setNextLink(w, r, next)
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}

func (h *handler) update(w http.ResponseWriter, r *http.Request) {
	if p := newParams(r); p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	u, pu, err := h.publicUpdate(r, r.PathValue("id"))
	if web.IsNotFound(err) {
		h.srv.Problem(w, r, web.ProbNotFound, "There is no published update with this id or slug.")
		return
	}
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	out := apiUpdateDetail{apiUpdate: h.newAPIUpdate(r, pu), Corrections: []apiCorrection{}}
	cs, err := h.store.Corrections(r.Context(), u.ID)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	for _, c := range cs {
		out.Corrections = append(out.Corrections, apiCorrection{Date: c.Date.String(), Note: c.Note})
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}

// publicUpdate finds a published update by its stable id or its slug; a
// draft is not found, exactly as an update that does not exist.
func (h *handler) publicUpdate(r *http.Request, key string) (*civicmon.Update, *civicmon.PublicUpdate, error) {
	u, err := h.updateByKey(r, key)
	if err != nil {
		return nil, nil, err
	}
	pu, ok := u.Public()
	if !ok {
		return nil, nil, civicmon.Errorf(civicmon.ENOTFOUND, "no update %q", key)
	}
	return u, &pu, nil
}

// updateByKey finds an update by its stable id, else by its slug.
func (h *handler) updateByKey(r *http.Request, key string) (*civicmon.Update, error) {
	u, err := h.store.UpdateByUID(r.Context(), key)
	if web.IsNotFound(err) {
		u, err = h.store.UpdateBySlug(r.Context(), key)
	}
	if web.IsNotFound(err) {
		return nil, civicmon.Errorf(civicmon.ENOTFOUND, "There is no update with this id or slug.")
	}
	return u, err
}

// setNextLink announces the next page in a Link header (RFC 8288) too.
func (h *handler) setNextLink(w http.ResponseWriter, r *http.Request, cursor string) {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	w.Header().Set("Link", "<"+h.srv.AbsoluteURL(r, u.RequestURI())+`>; rel="next"`)
}

// withIncidents loads the incidents of the listed updates.
func (h *handler) withIncidents(r *http.Request, us []civicmon.Update) error {
	ids := make([]int64, len(us))
	for i := range us {
		ids[i] = us[i].ID
	}
	incs, err := h.store.IncidentsByUpdate(r.Context(), ids)
	if err != nil {
		return err
	}
	for i := range us {
		us[i].Incidents = incs[us[i].ID]
	}
	return nil
}
