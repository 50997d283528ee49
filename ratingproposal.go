package civicmon

import (
	"context"
	"strings"
	"time"
)

// Statuses of a rating change proposal.
const (
	ProposalPending   = "pending"   // waiting for a second person's decision
	ProposalApproved  = "approved"  // the rating was created (RatingID)
	ProposalRejected  = "rejected"  // refused by another person
	ProposalWithdrawn = "withdrawn" // rejected by its own proposer
)

// ProposalStatuses lists the statuses of a rating change proposal.
var ProposalStatuses = []string{ProposalPending, ProposalApproved, ProposalRejected, ProposalWithdrawn}

// ValidProposalStatus reports whether s is a proposal status.
func ValidProposalStatus(s string) bool {
	for _, x := range ProposalStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// RatingProposal is a proposed change of a country's rating: a score and a
// category from an effective date, with the rationale for it. It takes
// effect only when a second person approves it (the CIVICUS Monitor's
// advisory panel reviews every rating change); the approval creates the
// Rating, whose id the proposal then keeps.
type RatingProposal struct {
	ID int64
	// The rating to be: the same fields, meaning and rules as Rating's.
	CountryCode     string
	EffectiveDate   Date
	DateApproximate bool
	Score           int // 1–100, or 0 when only the category is proposed
	Category        Category
	Rationale       string // required: why the rating changes
	Source          string

	Status     string // ProposalPending, ProposalApproved…
	ProposedBy int64  // the account that proposed it
	ProposedAt time.Time
	// Version is 1 when proposed and goes up with the decision; a
	// decision made from an older version is refused (*StaleError).
	Version int64
	// DecidedBy, DecidedAt and DecisionNote are zero until the proposal is
	// approved, rejected or withdrawn. The note is internal.
	DecidedBy    int64
	DecidedAt    time.Time
	DecisionNote string
	RatingID     int64 // the rating an approval created
}

// Rating returns the rating the proposal creates when approved.
func (p *RatingProposal) Rating() Rating {
	return Rating{CountryCode: p.CountryCode, EffectiveDate: p.EffectiveDate, DateApproximate: p.DateApproximate,
		Score: p.Score, Category: p.Category, Rationale: p.Rationale, Source: p.Source}
}

// Validate checks the proposed rating as Rating.Validate does — so the field
// errors are named "rating.score", "rating.category"… like those of a rating
// added directly — fills in the category from the score, and requires a
// rationale and a proposer.
func (p *RatingProposal) Validate() error {
	v := validator{prefix: "rating"}
	r := p.Rating()
	v.merge(r.Validate())
	p.Category = r.Category
	if strings.TrimSpace(p.Rationale) == "" {
		v.addf("rationale", "is required: say why the rating changes, for the person who reviews it")
	}
	if p.ProposedBy == 0 {
		v.errs = append(v.errs, FieldError{Field: "rating_proposal.proposed_by", Message: "is required (the account that proposes the change)"})
	}
	return v.err()
}

// RatingProposals keeps rating change proposals and their decisions.
//
// The store enforces the rules that keep the two-person review honest, in
// the transaction that makes the change: only a pending proposal can be
// decided (ECONFLICT otherwise), and the proposer can never approve their own
// proposal (EFORBIDDEN). Who may propose or decide at all — the
// ratings:propose and ratings:approve permissions — is checked by the caller
// (the web layer), not here.
type RatingProposals interface {
	// ProposeRating validates p and stores it as pending, setting its ID,
	// Status and ProposedAt. ProposedBy defaults to the actor of ctx; the
	// account must exist.
	ProposeRating(ctx context.Context, p *RatingProposal) error
	RatingProposal(ctx context.Context, id int64) (*RatingProposal, error)
	// RatingProposals lists the proposals with the given status ("" for
	// all), newest first.
	RatingProposals(ctx context.Context, status string) ([]RatingProposal, error)
	// ApproveRatingProposal creates the proposed rating, with the checks
	// and conflicts of AddRating, and marks the proposal approved with the
	// new rating's id. The approver must be another account than the
	// proposer. When the rating cannot be created (a rating is already
	// effective on that date, say) nothing changes and the proposal stays
	// pending.
	ApproveRatingProposal(ctx context.Context, id, approverID int64, note string) (*Rating, error)
	// RejectRatingProposal closes a pending proposal without creating a
	// rating. When the decider is the proposer, the proposal is withdrawn
	// rather than rejected.
	RejectRatingProposal(ctx context.Context, id, deciderID int64, note string) error
}
