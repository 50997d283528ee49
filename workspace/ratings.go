package workspace

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

type ratingsData struct {
	Pending []proposalView
	Decided []proposalView
	// Scheduled are approved ratings dated after today: not public
	// until their day.
	Scheduled []scheduledRating
	Today     civicmon.Date
	Countries []civicmon.Country
	Form      civicmon.RatingProposal
	Errors    []civicmon.FieldError
	Message   string
}

type scheduledRating struct {
	civicmon.Rating
	Country string
}

type proposalView struct {
	civicmon.RatingProposal
	Country     string
	Current     *civicmon.Rating
	Proposer    string
	Decider     string
	OwnProposal bool
}

// handleRatings lists rating change proposals: the pending ones to decide,
// and the form to propose one.
func (h *handler) handleRatings(w http.ResponseWriter, r *http.Request) {
	h.renderRatings(w, r, http.StatusOK, civicmon.RatingProposal{}, nil, r.URL.Query().Get("done"))
}

func (h *handler) renderRatings(w http.ResponseWriter, r *http.Request, status int, form civicmon.RatingProposal, errs []civicmon.FieldError, done string) {
	ctx := r.Context()
	p := h.page(w, r, "Rating changes")
	site, err := h.srv.SiteData(ctx)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	all, err := h.store.RatingProposals(ctx, "")
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	names := map[int64]string{}
	name := func(id int64) string {
		if id == 0 {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		n := "#" + itoa64(id)
		if u, err := h.store.UserByID(ctx, id); err == nil {
			n = u.Name
		}
		names[id] = n
		return n
	}
	d := ratingsData{Countries: site.Countries, Form: form, Errors: errs, Today: civicmon.DateOf(h.now())}
	if d.Scheduled, err = h.scheduledRatings(r, site, d.Today); err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	switch done {
	case "proposed":
		d.Message = p.T("Proposed. It takes effect when another person approves it.")
	case "approved":
		d.Message = p.T("Approved: the new rating is now public.")
	case "scheduled":
		if on, err := civicmon.ParseDate(r.URL.Query().Get("on")); err == nil && !on.IsZero() {
			d.Message = p.T("Approved: the new rating is scheduled for %s and is not public until that day.", on.String())
		}
	case "rejected":
		d.Message = p.T("Rejected.")
	}
	for _, pr := range all {
		v := proposalView{RatingProposal: pr, Proposer: name(pr.ProposedBy), Decider: name(pr.DecidedBy),
			OwnProposal: pr.ProposedBy == p.User.ID}
		if c, ok := site.ByCode[pr.CountryCode]; ok {
			v.Country = c.Name
			if cur, ok := site.Current[c.Code]; ok {
				v.Current = &cur
			}
		}
		if pr.Status == civicmon.ProposalPending {
			d.Pending = append(d.Pending, v)
		} else if len(d.Decided) < 50 {
			d.Decided = append(d.Decided, v)
		}
	}
	h.srv.Render(w, r, status, p, ratingsPage(p, d))
}

// scheduledRatings lists the ratings dated after today, which no public
// surface shows until their day.
func (h *handler) scheduledRatings(r *http.Request, site *web.SiteData, today civicmon.Date) ([]scheduledRating, error) {
	latest, err := h.store.CurrentRatings(r.Context(), civicmon.MustDate("9999-12-31"))
	if err != nil {
		return nil, err
	}
	var out []scheduledRating
	for code, rt := range latest {
		if !rt.EffectiveDate.After(today) {
			continue
		}
		history, err := h.store.RatingHistory(r.Context(), code)
		if err != nil {
			return nil, err
		}
		for _, x := range history {
			if x.EffectiveDate.After(today) {
				v := scheduledRating{Rating: x, Country: code}
				if c, ok := site.ByCode[code]; ok {
					v.Country = c.Name
				}
				out = append(out, v)
			}
		}
	}
	slices.SortFunc(out, func(a, b scheduledRating) int {
		return cmp.Or(a.EffectiveDate.Compare(b.EffectiveDate), cmp.Compare(a.Country, b.Country))
	})
	return out, nil
}

// handleProposeRating proposes a rating change, through
// civicmon.Editorial: the proposer is the signed-in account.
func (h *handler) handleProposeRating(w http.ResponseWriter, r *http.Request) {
	f := civicmon.RatingProposal{CountryCode: r.PostFormValue("country"), Rationale: strings.TrimSpace(r.PostFormValue("rationale")),
		Source: strings.TrimSpace(r.PostFormValue("source")), Category: civicmon.Category(r.PostFormValue("category")),
		DateApproximate: r.PostFormValue("date_approximate") != ""}
	var errs []civicmon.FieldError
	if v := strings.TrimSpace(r.PostFormValue("score")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, civicmon.FieldError{Field: "rating.score", Message: "\"" + v + "\" is not a whole number from 1 to 100"})
		}
		f.Score = n
	}
	d, err := civicmon.ParseDate(strings.TrimSpace(r.PostFormValue("effective_date")))
	if err != nil {
		errs = append(errs, civicmon.FieldError{Field: "rating.effective_date", Message: err.Error()})
	}
	f.EffectiveDate = d
	if len(errs) == 0 {
		err = h.ed.ProposeRating(r.Context(), web.UserFrom(r.Context()), &f)
		var ve *civicmon.ValidationError
		switch {
		case errors.As(err, &ve):
			errs = ve.Fields
		case err != nil:
			h.fail(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		h.renderRatings(w, r, http.StatusUnprocessableEntity, f, errs, "")
		return
	}
	http.Redirect(w, r, "/admin/ratings?done=proposed", http.StatusSeeOther)
}

// handleDecideRating approves or rejects a proposal, through
// civicmon.Editorial. The store refuses an approval by the proposer,
// whatever their role.
func (h *handler) handleDecideRating(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.srv.NotFound(w, r)
		return
	}
	var approve bool
	var done string
	switch r.PathValue("decision") {
	case "approve":
		approve, done = true, "approved"
	case "reject":
		done = "rejected"
	default:
		h.srv.NotFound(w, r)
		return
	}
	rt, err := h.ed.DecideRating(ctx, web.UserFrom(ctx), id, approve, strings.TrimSpace(r.PostFormValue("note")))
	switch civicmon.ErrorCode(err) {
	case "":
		if rt != nil && rt.EffectiveDate.After(civicmon.DateOf(h.now())) {
			done = "scheduled&on=" + rt.EffectiveDate.String()
		}
		http.Redirect(w, r, "/admin/ratings?done="+done, http.StatusSeeOther)
	case civicmon.EFORBIDDEN:
		h.srv.Forbidden(w, r, civicmon.ErrorMessage(err))
	case civicmon.ECONFLICT, civicmon.EINVALID:
		h.renderRatings(w, r, http.StatusConflict, civicmon.RatingProposal{},
			[]civicmon.FieldError{{Field: "proposal " + itoa64(id), Message: civicmon.ErrorMessage(err)}}, "")
	default:
		h.srv.Fail(w, r, err)
	}
}
