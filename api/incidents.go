package api

import (
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// incidents lists the incidents of published updates, one row
// each with its update, in the updates' newest-first order. country,
// region, since and until select updates; freedom, violation and target
// select incidents by their own tags.
func (h *handler) incidents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := h.srv.SiteData(ctx)
	if err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	p := newParams(r, "country", "region", "freedom", "violation", "target", "since", "until", "cursor", "limit")
	f := civicmon.UpdateFilter{Statuses: published, SkipTotal: true, CountryCode: p.country(d), Region: p.region()}
	f.Since, f.Until = p.dateRange()
	freedom, violation, target := p.freedom(), p.violation(d), p.target(d)
	limit := p.limit()
	cur, at, ok := h.readCursor(w, r, p, "i")
	if !ok {
		return
	}
	if p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	if cur != nil {
		// The cursor's own update first: its incidents after the cursor.
		f.Before = &civicmon.UpdateCursor{PublishedOn: at.PublishedOn, ID: at.ID + 1}
	}
	const batch = 200
	out := apiPage[apiIncidentRow]{Data: []apiIncidentRow{}}
	var lastPos int // of the last row, for the next cursor
	var lastDate civicmon.Date
scan:
	for {
		f.Limit = batch
		us, _, err := h.store.FindUpdates(ctx, f)
		if err != nil {
			h.srv.APIFail(w, r, err)
			return
		}
		if err := h.withIncidents(r, us); err != nil {
			h.srv.APIFail(w, r, err)
			return
		}
		for i := range us {
			u := &us[i]
			pu, ok := u.Public()
			if !ok {
				continue
			}
			for j := range pu.Incidents {
				in := &pu.Incidents[j]
				pos := j + 1
				switch {
				case at != nil && u.ID == at.ID && pos <= cur.position,
					freedom != "" && in.Freedom != freedom,
					violation != "" && in.Violation != violation,
					target != "" && in.Target != target:
					continue
				}
				if len(out.Data) == limit {
					next, err := h.nextCursor(r, cursor{kind: "i", publishedOn: lastDate, uid: out.Data[len(out.Data)-1].UpdateID, position: lastPos})
					if err != nil {
						h.srv.APIFail(w, r, err)
						return
					}
					out.NextCursor = &next
					h.setNextLink(w, r, next)
					break scan
				}
				out.Data = append(out.Data, apiIncidentRow{UpdateID: pu.UID, UpdateSlug: pu.Slug, Country: pu.CountryCode,
					UpdatePublishedOn: pu.PublishedOn.String(), apiIncident: newAPIIncident(pos, in)})
				lastPos, lastDate = pos, pu.PublishedOn
			}
		}
		if len(us) < batch {
			break
		}
		last := us[len(us)-1]
		f.Before = &civicmon.UpdateCursor{PublishedOn: last.PublishedOn, ID: last.ID}
	}
	web.WriteAPIJSON(w, r, http.StatusOK, out)
}
