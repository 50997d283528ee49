package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
)

type ratingsData struct {
	Pending   []proposalView
	Decided   []proposalView
	Countries []civicmon.Country
	Form      civicmon.RatingProposal
	Errors    []civicmon.FieldError
	Message   string
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
func (s *Server) handleRatings(w http.ResponseWriter, r *http.Request) {
	s.renderRatings(w, r, http.StatusOK, civicmon.RatingProposal{}, nil, r.URL.Query().Get("done"))
}

func (s *Server) renderRatings(w http.ResponseWriter, r *http.Request, status int, form civicmon.RatingProposal, errs []civicmon.FieldError, done string) {
	ctx := r.Context()
	p := s.adminPage(w, r, "Rating changes")
	d, err := s.SiteData(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	all, err := s.cfg.Store.RatingProposals(ctx, "")
	if err != nil {
		s.Fail(w, r, err)
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
		if u, err := s.cfg.Store.UserByID(ctx, id); err == nil {
			n = u.Name
		}
		names[id] = n
		return n
	}
	data := ratingsData{Countries: d.Countries, Form: form, Errors: errs}
	switch done {
	case "proposed":
		data.Message = p.T("Proposed. It takes effect when another person approves it.")
	case "approved":
		data.Message = p.T("Approved: the new rating is now public.")
	case "rejected":
		data.Message = p.T("Rejected.")
	}
	for _, pr := range all {
		v := proposalView{RatingProposal: pr, Proposer: name(pr.ProposedBy), Decider: name(pr.DecidedBy),
			OwnProposal: pr.ProposedBy == p.User.ID}
		if c, ok := d.ByCode[pr.CountryCode]; ok {
			v.Country = c.Name
			if cur, ok := d.Current[c.Code]; ok {
				v.Current = &cur
			}
		}
		if pr.Status == civicmon.ProposalPending {
			data.Pending = append(data.Pending, v)
		} else if len(data.Decided) < 50 {
			data.Decided = append(data.Decided, v)
		}
	}
	p.Data = data
	s.RenderTemplate(w, r, status, "admin_ratings", p)
}

func (s *Server) handleProposeRating(w http.ResponseWriter, r *http.Request) {
	me := UserFrom(r.Context())
	f := civicmon.RatingProposal{CountryCode: r.PostFormValue("country"), Rationale: strings.TrimSpace(r.PostFormValue("rationale")),
		Source: strings.TrimSpace(r.PostFormValue("source")), Category: civicmon.Category(r.PostFormValue("category")),
		DateApproximate: r.PostFormValue("date_approximate") != "", ProposedBy: me.ID}
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
		err = s.cfg.Store.ProposeRating(r.Context(), &f)
		var ve *civicmon.ValidationError
		switch {
		case errors.As(err, &ve):
			errs = ve.Fields
		case err != nil:
			s.Fail(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.renderRatings(w, r, http.StatusUnprocessableEntity, f, errs, "")
		return
	}
	http.Redirect(w, r, "/admin/ratings?done=proposed", http.StatusSeeOther)
}

// handleDecideRating approves or rejects a proposal. The store refuses an
// approval by the proposer, whatever their role.
func (s *Server) handleDecideRating(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := UserFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.NotFound(w, r)
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	done := "approved"
	if r.PathValue("decision") == "reject" {
		err, done = s.cfg.Store.RejectRatingProposal(ctx, id, me.ID, note), "rejected"
	} else if r.PathValue("decision") == "approve" {
		_, err = s.cfg.Store.ApproveRatingProposal(ctx, id, me.ID, note)
	} else {
		s.NotFound(w, r)
		return
	}
	switch civicmon.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/ratings?done="+done, http.StatusSeeOther)
	case civicmon.EFORBIDDEN:
		s.Forbidden(w, r, civicmon.ErrorMessage(err))
	case civicmon.ECONFLICT, civicmon.EINVALID:
		s.renderRatings(w, r, http.StatusConflict, civicmon.RatingProposal{},
			[]civicmon.FieldError{{Field: "proposal " + itoa64(id), Message: civicmon.ErrorMessage(err)}}, "")
	default:
		s.Fail(w, r, err)
	}
}
