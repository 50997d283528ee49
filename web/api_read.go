package web

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/civicmon/civicmon"
)

// The public read operations. Each reads published data only and builds
// its answer from the public projection.

func (s *Server) apiInvalidParams(w http.ResponseWriter, r *http.Request, p *apiParams) {
	s.Problem(w, r, ProbInvalid, "Some query parameters are not valid: see errors.", p.errs...)
}

func (s *Server) handleAPICountries(w http.ResponseWriter, r *http.Request) {
	d, err := s.SiteData(r.Context())
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	p := newAPIParams(r, "region", "category")
	region, category := p.region(), p.category()
	if p.failed() {
		s.apiInvalidParams(w, r, p)
		return
	}
	out := apiList[apiCountry]{Data: []apiCountry{}}
	for i := range d.Countries {
		c := &d.Countries[i]
		if region != "" && c.Region != region {
			continue
		}
		if category != "" && d.Current[c.Code].Category != category {
			continue
		}
		out.Data = append(out.Data, s.newAPICountry(r, d, c))
	}
	WriteAPIJSON(w, r, http.StatusOK, out)
}

func (s *Server) handleAPICountry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.SiteData(ctx)
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	if p := newAPIParams(r); p.failed() {
		s.apiInvalidParams(w, r, p)
		return
	}
	c := d.country(r.PathValue("country"))
	if c == nil {
		s.Problem(w, r, ProbNotFound, "There is no country with this code or slug. GET /api/v1/countries lists them.")
		return
	}
	history, err := s.cfg.Store.RatingHistory(ctx, c.Code)
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	out := apiCountryDetail{apiCountry: s.newAPICountry(r, d, c), Ratings: []apiRating{}, Watchlist: []string{}}
	today := civicmon.DateOf(s.cfg.Now())
	for i := range history {
		// A rating dated in the future is not in effect yet, and not public.
		if !history[i].EffectiveDate.After(today) {
			out.Ratings = append(out.Ratings, newAPIRating(&history[i]))
		}
	}
	for i := range d.Editions {
		if d.Editions[i].Has(c.Code) {
			out.Watchlist = append(out.Watchlist, d.Editions[i].PublishedOn.String())
		}
	}
	WriteAPIJSON(w, r, http.StatusOK, out)
}

// handleAPIRatings lists ratings: the whole history of every country, or
// with as_of, the rating each country had on that day.
func (s *Server) handleAPIRatings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.SiteData(ctx)
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	p := newAPIParams(r, "country", "region", "category", "since", "until", "as_of")
	code, region, category := p.country(d), p.region(), p.category()
	since, until := p.dateRange()
	asOf := p.date("as_of")
	if p.failed() {
		s.apiInvalidParams(w, r, p)
		return
	}
	today := civicmon.DateOf(s.cfg.Now())
	var ratings []civicmon.Rating
	if !asOf.IsZero() {
		if asOf.After(today) {
			asOf = today // ratings dated later are not in effect, and not public
		}
		cur := d.Current
		if !asOf.Equal(today) {
			if cur, err = s.cfg.Store.CurrentRatings(ctx, asOf); err != nil {
				s.APIFail(w, r, err)
				return
			}
		}
		for _, rt := range cur {
			ratings = append(ratings, rt)
		}
	} else {
		for i := range d.Countries {
			c := &d.Countries[i]
			if (code != "" && c.Code != code) || (region != "" && c.Region != region) {
				continue
			}
			h, err := s.cfg.Store.RatingHistory(ctx, c.Code)
			if err != nil {
				s.APIFail(w, r, err)
				return
			}
			ratings = append(ratings, h...)
		}
	}
	out := apiList[apiRating]{Data: []apiRating{}}
	for i := range ratings {
		rt := &ratings[i]
		c, known := d.ByCode[rt.CountryCode]
		switch {
		case rt.EffectiveDate.After(today),
			code != "" && rt.CountryCode != code,
			region != "" && (!known || c.Region != region),
			category != "" && rt.Category != category,
			!since.IsZero() && rt.EffectiveDate.Before(since),
			!until.IsZero() && rt.EffectiveDate.After(until):
			continue
		}
		out.Data = append(out.Data, newAPIRating(rt))
	}
	sort.SliceStable(out.Data, func(i, j int) bool {
		a, b := out.Data[i], out.Data[j]
		if a.Country != b.Country {
			return a.Country < b.Country
		}
		return a.EffectiveDate < b.EffectiveDate
	})
	WriteAPIJSON(w, r, http.StatusOK, out)
}

// setNextLink announces the next page in a Link header (RFC 8288) too.
func (s *Server) setNextLink(w http.ResponseWriter, r *http.Request, cursor string) {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	w.Header().Set("Link", "<"+s.AbsoluteURL(r, u.RequestURI())+`>; rel="next"`)
}

// updateCursor turns a cursor into a keyset bound of the store, looking up
// the internal id of the update it names. ok is false, and the request
// answered, when the update is gone.
func (s *Server) updateCursor(w http.ResponseWriter, r *http.Request, c *apiCursor) (*civicmon.UpdateCursor, bool) {
	ids, err := s.cfg.Store.UpdateIDsByUID(r.Context(), []string{c.uid})
	if err != nil {
		s.APIFail(w, r, err)
		return nil, false
	}
	id, ok := ids[c.uid]
	if !ok {
		s.Problem(w, r, ProbInvalid, "The update this cursor points at is gone: start the list again without a cursor.",
			civicmon.FieldError{Field: "cursor", Message: "points at an update that no longer exists"})
		return nil, false
	}
	return &civicmon.UpdateCursor{PublishedOn: c.publishedOn, ID: id}, true
}

// withIncidents loads the incidents of the listed updates.
func (s *Server) withIncidents(r *http.Request, us []civicmon.Update) error {
	ids := make([]int64, len(us))
	for i := range us {
		ids[i] = us[i].ID
	}
	incs, err := s.cfg.Store.IncidentsByUpdate(r.Context(), ids)
	if err != nil {
		return err
	}
	for i := range us {
		us[i].Incidents = incs[us[i].ID]
	}
	return nil
}

// handleAPIUpdates lists published updates, newest first, a page at a
// time; the cursor is keyset Pagination on (publication date, id).
func (s *Server) handleAPIUpdates(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.SiteData(ctx)
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	p := newAPIParams(r, "country", "region", "freedom", "violation", "since", "until", "cursor", "limit")
	// Anonymous readers see published updates, and only those.
	f := civicmon.UpdateFilter{Statuses: published, SkipTotal: true, CountryCode: p.country(d), Region: p.region(),
		Freedom: p.freedom(), Violation: p.violation(d)}
	f.Since, f.Until = p.dateRange()
	limit, cur := p.limit(), p.cursor("u")
	if p.failed() {
		s.apiInvalidParams(w, r, p)
		return
	}
	if cur != nil {
		var ok bool
		if f.Before, ok = s.updateCursor(w, r, cur); !ok {
			return
		}
	}
	f.Limit = limit + 1
	us, _, err := s.cfg.Store.FindUpdates(ctx, f)
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	more := len(us) > limit
	us = us[:min(len(us), limit)]
	if err := s.withIncidents(r, us); err != nil {
		s.APIFail(w, r, err)
		return
	}
	out := apiPage[apiUpdate]{Data: []apiUpdate{}}
	for i := range us {
		if pu, ok := us[i].Public(); ok {
			out.Data = append(out.Data, s.newAPIUpdate(r, &pu))
		}
	}
	if more && len(us) > 0 {
		last := us[len(us)-1]
		next := apiCursor{kind: "u", publishedOn: last.PublishedOn, uid: last.UID}.encode()
		out.NextCursor = &next
		s.setNextLink(w, r, next)
	}
	WriteAPIJSON(w, r, http.StatusOK, out)
}

// publicUpdate finds a published update by its stable id or its slug; a
// draft is not found, exactly as an update that does not exist.
func (s *Server) publicUpdate(r *http.Request, key string) (*civicmon.Update, *civicmon.PublicUpdate, error) {
	u, err := s.updateByKey(r, key)
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
func (s *Server) updateByKey(r *http.Request, key string) (*civicmon.Update, error) {
	u, err := s.cfg.Store.UpdateByUID(r.Context(), key)
	if IsNotFound(err) {
		u, err = s.cfg.Store.UpdateBySlug(r.Context(), key)
	}
	if IsNotFound(err) {
		return nil, civicmon.Errorf(civicmon.ENOTFOUND, "There is no update with this id or slug.")
	}
	return u, err
}

func (s *Server) handleAPIUpdate(w http.ResponseWriter, r *http.Request) {
	if p := newAPIParams(r); p.failed() {
		s.apiInvalidParams(w, r, p)
		return
	}
	u, pu, err := s.publicUpdate(r, r.PathValue("id"))
	if IsNotFound(err) {
		s.Problem(w, r, ProbNotFound, "There is no published update with this id or slug.")
		return
	}
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	out := apiUpdateDetail{apiUpdate: s.newAPIUpdate(r, pu), Corrections: []apiCorrection{}}
	cs, err := s.cfg.Store.Corrections(r.Context(), u.ID)
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	for _, c := range cs {
		out.Corrections = append(out.Corrections, apiCorrection{Date: c.Date.String(), Note: c.Note})
	}
	WriteAPIJSON(w, r, http.StatusOK, out)
}

// handleAPIIncidents lists the incidents of published updates, one row
// each with its update, in the updates' newest-first order. country,
// region, since and until select updates; freedom, violation and target
// select incidents by their own tags.
func (s *Server) handleAPIIncidents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.SiteData(ctx)
	if err != nil {
		s.APIFail(w, r, err)
		return
	}
	p := newAPIParams(r, "country", "region", "freedom", "violation", "target", "since", "until", "cursor", "limit")
	f := civicmon.UpdateFilter{Statuses: published, SkipTotal: true, CountryCode: p.country(d), Region: p.region()}
	f.Since, f.Until = p.dateRange()
	freedom, violation, target := p.freedom(), p.violation(d), p.target(d)
	limit, cur := p.limit(), p.cursor("i")
	if p.failed() {
		s.apiInvalidParams(w, r, p)
		return
	}
	var at *civicmon.UpdateCursor
	if cur != nil {
		var ok bool
		if at, ok = s.updateCursor(w, r, cur); !ok {
			return
		}
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
		us, _, err := s.cfg.Store.FindUpdates(ctx, f)
		if err != nil {
			s.APIFail(w, r, err)
			return
		}
		if err := s.withIncidents(r, us); err != nil {
			s.APIFail(w, r, err)
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
					next := apiCursor{kind: "i", publishedOn: lastDate, uid: out.Data[len(out.Data)-1].UpdateID, position: lastPos}.encode()
					out.NextCursor = &next
					s.setNextLink(w, r, next)
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
	WriteAPIJSON(w, r, http.StatusOK, out)
}

func (s *Server) handleAPIWatchlist(w http.ResponseWriter, r *http.Request) {
	d, ok := s.apiSiteData(w, r)
	if !ok {
		return
	}
	out := apiList[apiWatchlistEdition]{Data: []apiWatchlistEdition{}}
	for i := range d.Editions {
		out.Data = append(out.Data, s.newAPIEdition(r, &d.Editions[i]))
	}
	WriteAPIJSON(w, r, http.StatusOK, out)
}

func (s *Server) handleAPIWatchlistEdition(w http.ResponseWriter, r *http.Request) {
	d, ok := s.apiSiteData(w, r)
	if !ok {
		return
	}
	for i := range d.Editions {
		if d.Editions[i].PublishedOn.String() == r.PathValue("date") {
			WriteAPIJSON(w, r, http.StatusOK, s.newAPIEdition(r, &d.Editions[i]))
			return
		}
	}
	s.Problem(w, r, ProbNotFound, "There is no watchlist edition published on this date. GET /api/v1/watchlist lists them.")
}

func (s *Server) handleAPIVocabularies(w http.ResponseWriter, r *http.Request) {
	d, ok := s.apiSiteData(w, r)
	if !ok {
		return
	}
	v := apiVocabularies{Freedoms: []apiTerm{}, Violations: []apiTerm{}, Targets: []apiTerm{}, Regions: []apiTerm{},
		Categories: []apiCategory{}, Statuses: []string{}, Actions: []string{}}
	for _, f := range civicmon.Freedoms {
		v.Freedoms = append(v.Freedoms, apiTerm{string(f), f.Name()})
	}
	for _, t := range d.Vocab.Violations {
		v.Violations = append(v.Violations, apiTerm{t.Slug, t.Name})
	}
	for _, t := range d.Vocab.Targets {
		v.Targets = append(v.Targets, apiTerm{t.Slug, t.Name})
	}
	for _, rg := range civicmon.Regions {
		v.Regions = append(v.Regions, apiTerm{string(rg), rg.Name()})
	}
	for _, c := range civicmon.Categories {
		lo, hi := c.Band()
		v.Categories = append(v.Categories, apiCategory{Slug: string(c), Name: c.Name(), MinScore: lo, MaxScore: hi})
	}
	for _, st := range civicmon.Statuses {
		v.Statuses = append(v.Statuses, string(st))
	}
	for _, a := range apiActions {
		v.Actions = append(v.Actions, string(a))
	}
	WriteAPIJSON(w, r, http.StatusOK, v)
}

// apiSiteData starts a read without parameters of its own: it refuses any
// query parameter (a misspelt filter is an error, not ignored) and loads
// the reference data; false means the answer is already written.
func (s *Server) apiSiteData(w http.ResponseWriter, r *http.Request) (*SiteData, bool) {
	d, err := s.SiteData(r.Context())
	if err != nil {
		s.APIFail(w, r, err)
		return nil, false
	}
	if p := newAPIParams(r); p.failed() {
		s.apiInvalidParams(w, r, p)
		return nil, false
	}
	return d, true
}
