package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

// createUser stores an account with the given role.
func createUser(t *testing.T, s civicmon.Store, email string, role civicmon.Role) civicmon.User {
	t.Helper()
	u := civicmon.User{Email: email, Name: email, Role: role, PasswordHash: "$argon2id$x"}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// tickingClock makes db.Now advance a minute per call, so that timestamps
// order the records made one after the other.
func tickingClock(db *sqldb.DB) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { now = now.Add(time.Minute); return now }
}

func testRatingProposals(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	tickingClock(db)
	seedCountries(t, s)
	editor := createUser(t, s, "editor@example.org", civicmon.RoleEditor)
	reviewer := createUser(t, s, "reviewer@example.org", civicmon.RoleReviewer)
	other := createUser(t, s, "other@example.org", civicmon.RoleReviewer)
	before := civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2017-12-01"), Category: civicmon.Obstructed}
	if err := s.AddRating(ctx, &before); err != nil {
		t.Fatal(err)
	}
	checkProposalValidation(t, s, editor)
	asOf := civicmon.MustDate("2026-11-26")
	currentKZ := func() civicmon.Rating {
		t.Helper()
		cur, err := s.CurrentRatings(ctx, asOf)
		if err != nil {
			t.Fatal(err)
		}
		return cur["KZ"]
	}

	// Propose: the proposer defaults to the actor, the category follows the score.
	ectx := civicmon.WithActor(ctx, editor.ID)
	p := civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Score: 35,
		Rationale: "Crackdown on the January protests", Source: "Monitor report"}
	if err := s.ProposeRating(ectx, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.ProposedBy != editor.ID || p.Status != civicmon.ProposalPending || p.Category != civicmon.Repressed || p.ProposedAt.IsZero() {
		t.Fatalf("ProposeRating did not fill the proposal: %+v", p)
	}
	pending, err := s.RatingProposals(ctx, civicmon.ProposalPending)
	if err != nil || len(pending) != 1 || pending[0].ID != p.ID || pending[0].Score != 35 || pending[0].Rationale != p.Rationale ||
		!pending[0].ProposedAt.Equal(p.ProposedAt) || pending[0].DecidedBy != 0 || !pending[0].DecidedAt.IsZero() || pending[0].RatingID != 0 {
		t.Fatalf("pending proposals = %+v, %v", pending, err)
	}
	_, err = s.RatingProposals(ctx, "maybe")
	wantCode(t, err, civicmon.EINVALID)

	// The proposer cannot approve their own proposal: nothing changes.
	_, err = s.ApproveRatingProposal(ectx, p.ID, editor.ID, "looks right to me")
	wantCode(t, err, civicmon.EFORBIDDEN)
	if civicmon.ErrorMessage(err) != "you proposed this rating change; another person must approve it" {
		t.Fatalf("self-approval message = %q", civicmon.ErrorMessage(err))
	}
	if got, _ := s.RatingProposal(ctx, p.ID); got.Status != civicmon.ProposalPending || got.DecidedBy != 0 {
		t.Fatalf("refused self-approval changed the proposal: %+v", got)
	}
	if cur := currentKZ(); cur.ID != before.ID {
		t.Fatalf("refused self-approval changed the current rating: %+v", cur)
	}
	if h, _ := s.RatingHistory(ctx, "KZ"); len(h) != 1 {
		t.Fatalf("refused self-approval added a rating: %+v", h)
	}

	// Another person approves: the rating exists, is current, and is linked.
	rctx := civicmon.WithActor(ctx, reviewer.ID)
	r, err := s.ApproveRatingProposal(rctx, p.ID, reviewer.ID, "agreed by the panel")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.CountryCode != "KZ" || r.Score != 35 || r.Category != civicmon.Repressed || r.Rationale != p.Rationale ||
		r.Source != p.Source || r.EffectiveDate != p.EffectiveDate {
		t.Fatalf("approved rating = %+v", r)
	}
	if cur := currentKZ(); cur.ID != r.ID || cur.Category != civicmon.Repressed {
		t.Fatalf("current rating after approval = %+v, want rating %d", cur, r.ID)
	}
	got, err := s.RatingProposal(ctx, p.ID)
	if err != nil || got.Status != civicmon.ProposalApproved || got.DecidedBy != reviewer.ID || got.RatingID != r.ID ||
		got.DecidedAt.IsZero() || got.DecisionNote != "agreed by the panel" {
		t.Fatalf("approved proposal = %+v, %v", got, err)
	}

	// A decided proposal cannot be decided again.
	_, err = s.ApproveRatingProposal(ctx, p.ID, other.ID, "")
	wantCode(t, err, civicmon.ECONFLICT)
	if !strings.Contains(err.Error(), "already approved") {
		t.Fatalf("double approval error = %v", err)
	}
	wantCode(t, s.RejectRatingProposal(ctx, p.ID, other.ID, "too late"), civicmon.ECONFLICT)
	if h, _ := s.RatingHistory(ctx, "KZ"); len(h) != 2 {
		t.Fatalf("history after a refused second decision = %+v", h)
	}

	// Reject: no rating.
	cl := civicmon.RatingProposal{CountryCode: "CL", EffectiveDate: civicmon.MustDate("2020-12-09"), Category: civicmon.Obstructed,
		Rationale: "Protest policing", ProposedBy: editor.ID}
	if err := s.ProposeRating(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	if err := s.RejectRatingProposal(rctx, cl.ID, reviewer.ID, "sources too thin"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.RatingProposal(ctx, cl.ID); got.Status != civicmon.ProposalRejected || got.DecidedBy != reviewer.ID ||
		got.DecisionNote != "sources too thin" || got.RatingID != 0 {
		t.Fatalf("rejected proposal = %+v", got)
	}
	if h, _ := s.RatingHistory(ctx, "CL"); len(h) != 0 {
		t.Fatalf("a rejected proposal added a rating: %+v", h)
	}
	_, err = s.ApproveRatingProposal(ctx, cl.ID, other.ID, "")
	wantCode(t, err, civicmon.ECONFLICT)
	if !strings.Contains(err.Error(), "already rejected") {
		t.Fatalf("approval of a rejected proposal: %v", err)
	}

	// The proposer closing their own proposal withdraws it.
	mine := civicmon.RatingProposal{CountryCode: "CL", EffectiveDate: civicmon.MustDate("2021-01-01"), Score: 70,
		Rationale: "typo", ProposedBy: editor.ID}
	if err := s.ProposeRating(ctx, &mine); err != nil {
		t.Fatal(err)
	}
	if err := s.RejectRatingProposal(ectx, mine.ID, editor.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.RatingProposal(ctx, mine.ID); got.Status != civicmon.ProposalWithdrawn {
		t.Fatalf("self-rejected proposal is %s, want withdrawn", got.Status)
	}

	// A rating already effective on the date: ECONFLICT, and the proposal stays pending.
	clash := civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2017-12-01"), Category: civicmon.Closed,
		Rationale: "clash", ProposedBy: editor.ID}
	if err := s.ProposeRating(ctx, &clash); err != nil {
		t.Fatal(err)
	}
	_, err = s.ApproveRatingProposal(rctx, clash.ID, reviewer.ID, "")
	wantCode(t, err, civicmon.ECONFLICT)
	if !strings.Contains(err.Error(), "KZ already has a rating effective on 2017-12-01") {
		t.Fatalf("conflict error = %v", err)
	}
	if got, _ := s.RatingProposal(ctx, clash.ID); got.Status != civicmon.ProposalPending || got.DecidedBy != 0 || got.RatingID != 0 {
		t.Fatalf("proposal after a conflicting approval = %+v", got)
	}
	if h, _ := s.RatingHistory(ctx, "KZ"); len(h) != 2 || h[0].Category != civicmon.Obstructed {
		t.Fatalf("history after a conflicting approval = %+v", h)
	}

	// Listing: newest first, by status or all.
	all, err := s.RatingProposals(ctx, "")
	if err != nil || len(all) != 4 || all[0].ID != clash.ID || all[3].ID != p.ID {
		t.Fatalf("all proposals = %+v, %v; want 4, newest first", all, err)
	}
	for status, want := range map[string]int64{civicmon.ProposalPending: clash.ID, civicmon.ProposalApproved: p.ID,
		civicmon.ProposalRejected: cl.ID, civicmon.ProposalWithdrawn: mine.ID} {
		if ps, err := s.RatingProposals(ctx, status); err != nil || len(ps) != 1 || ps[0].ID != want {
			t.Fatalf("%s proposals = %+v, %v", status, ps, err)
		}
	}

	// Missing things.
	_, err = s.RatingProposal(ctx, 99999)
	wantCode(t, err, civicmon.ENOTFOUND)
	_, err = s.ApproveRatingProposal(ctx, 99999, reviewer.ID, "")
	wantCode(t, err, civicmon.ENOTFOUND)
	wantCode(t, s.RejectRatingProposal(ctx, 99999, reviewer.ID, ""), civicmon.ENOTFOUND)
	_, err = s.ApproveRatingProposal(ctx, clash.ID, 99999, "")
	wantCode(t, err, civicmon.ENOTFOUND)

	// Audit: who proposed, approved and rejected.
	var actions []string
	s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.Entity == "rating_proposal" {
			actions = append(actions, e.Action)
		}
		return nil
	})
	want := "rating.propose rating.approve rating.propose rating.reject rating.propose rating.withdraw rating.propose"
	if strings.Join(actions, " ") != want {
		t.Fatalf("proposal audit actions = %v, want %s", actions, want)
	}
}

// checkProposalValidation proposes invalid changes: each is refused with
// the fields named, and none is stored.
func checkProposalValidation(t *testing.T, s civicmon.Store, editor civicmon.User) {
	t.Helper()
	day := civicmon.MustDate("2022-01-01")
	err := s.ProposeRating(ctx, &civicmon.RatingProposal{CountryCode: "ZZ", EffectiveDate: day, Score: 50, Rationale: "x", ProposedBy: editor.ID})
	wantFieldError(t, err, "rating.country", `"ZZ" is not a known country code`)
	err = s.ProposeRating(ctx, &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: day, Score: 101, ProposedBy: editor.ID})
	wantFieldError(t, err, "rating.score", "101 is outside the allowed range 1–100")
	wantFieldError(t, err, "rating.rationale", "is required")
	err = s.ProposeRating(ctx, &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: day, Score: 35, Category: civicmon.Open, Rationale: "x"})
	wantFieldError(t, err, "rating.category", "Open does not match score 35")
	wantFieldError(t, err, "rating_proposal.proposed_by", "is required")
	err = s.ProposeRating(ctx, &civicmon.RatingProposal{CountryCode: "KZ", EffectiveDate: day, Score: 35, Rationale: "x", ProposedBy: 99999})
	wantFieldError(t, err, "rating_proposal.proposed_by", "no user with id 99999")
	if ps, _ := s.RatingProposals(ctx, ""); len(ps) != 0 {
		t.Fatalf("invalid proposals were stored: %+v", ps)
	}
}
