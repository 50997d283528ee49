package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
)

const proposalColumns = `id, country_code, effective_date, date_approximate, score, category, rationale, source,
	status, proposed_by, proposed_at, decided_by, decided_at, decision_note, rating_id, version`

func scanProposal(sc interface{ Scan(...any) error }, p *civicmon.RatingProposal) error {
	var score, decidedBy, ratingID sql.NullInt64
	var decidedAt sql.NullTime
	if err := sc.Scan(&p.ID, &p.CountryCode, &p.EffectiveDate, &p.DateApproximate, &score, &p.Category,
		&p.Rationale, &p.Source, &p.Status, &p.ProposedBy, &p.ProposedAt, &decidedBy, &decidedAt,
		&p.DecisionNote, &ratingID, &p.Version); err != nil {
		return err
	}
	p.Score, p.DecidedBy, p.RatingID = int(score.Int64), decidedBy.Int64, ratingID.Int64
	p.DecidedAt = decidedAt.Time
	return nil
}

func (s *Store) ProposeRating(ctx context.Context, p *civicmon.RatingProposal) error {
	if p.ProposedBy == 0 {
		p.ProposedBy = civicmon.ActorFrom(ctx)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		if err := tx.knownCountry(ctx, p.CountryCode, "rating.country"); err != nil {
			return err
		}
		if ok, err := tx.userExists(ctx, p.ProposedBy); err != nil {
			return err
		} else if !ok {
			return &civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "rating_proposal.proposed_by",
				Message: fmt.Sprintf("there is no user with id %d", p.ProposedBy)}}}
		}
		p.Status = civicmon.ProposalPending
		p.ProposedAt = tx.db.Now().UTC()
		p.DecidedBy, p.DecidedAt, p.DecisionNote, p.RatingID = 0, time.Time{}, "", 0
		id, err := tx.insertID(ctx, `INSERT INTO rating_proposals (country_code, effective_date, date_approximate, score, category,
			rationale, source, status, proposed_by, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.CountryCode, p.EffectiveDate, p.DateApproximate, nullInt(p.Score), p.Category, p.Rationale, p.Source,
			p.Status, p.ProposedBy, p.ProposedAt)
		if err != nil {
			return err
		}
		p.ID, p.Version = id, 1 // the column's default
		return tx.audit(ctx, "rating.propose", "rating_proposal", itoa64(id), proposalDetail(p))
	})
}

func proposalDetail(p *civicmon.RatingProposal) string {
	d := fmt.Sprintf("%s %s %s", p.CountryCode, p.EffectiveDate, p.Category)
	if p.Score != 0 {
		d += fmt.Sprintf(" %d", p.Score)
	}
	return d
}

func (tx *Store) userExists(ctx context.Context, id int64) (bool, error) {
	var n int
	err := tx.reader().QueryRowContext(ctx, tx.q(`SELECT COUNT(*) FROM users WHERE id = ?`), id).Scan(&n)
	return n > 0, err
}

func (s *Store) RatingProposal(ctx context.Context, id int64) (*civicmon.RatingProposal, error) {
	var p civicmon.RatingProposal
	err := scanProposal(s.reader().QueryRowContext(ctx, s.q(`SELECT `+proposalColumns+` FROM rating_proposals WHERE id = ?`), id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no rating proposal with id %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Store) RatingProposals(ctx context.Context, status string) ([]civicmon.RatingProposal, error) {
	query := `SELECT ` + proposalColumns + ` FROM rating_proposals`
	var args []any
	if status != "" {
		if !civicmon.ValidProposalStatus(status) {
			return nil, civicmon.Errorf(civicmon.EINVALID, "%q is not a proposal status; allowed: %s",
				status, strings.Join(civicmon.ProposalStatuses, ", "))
		}
		query += ` WHERE status = ?`
		args = append(args, status)
	}
	rows, err := s.reader().QueryContext(ctx, s.q(query+` ORDER BY proposed_at DESC, id DESC`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.RatingProposal
	for rows.Next() {
		var p civicmon.RatingProposal
		if err := scanProposal(rows, &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// pendingProposal loads proposal id inside tx for a decision by deciderID,
// and refuses a proposal that was already decided or a decider who does not
// exist.
func (tx *Store) pendingProposal(ctx context.Context, id, deciderID int64) (*civicmon.RatingProposal, error) {
	p, err := tx.RatingProposal(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != civicmon.ProposalPending {
		return nil, civicmon.Errorf(civicmon.ECONFLICT, "proposal %d was already %s", id, p.Status)
	}
	if ok, err := tx.userExists(ctx, deciderID); err != nil {
		return nil, err
	} else if !ok {
		return nil, notFound("no user with id %d", deciderID)
	}
	return p, nil
}

// decide moves a pending proposal to status. The status condition makes a
// concurrent decision on the same proposal wait for this one and then find
// nothing to change.
func (tx *Store) decide(ctx context.Context, id int64, status string, deciderID int64, note string) error {
	res, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE rating_proposals SET status = ?, decided_by = ?, decided_at = ?,
		decision_note = ?, version = version + 1 WHERE id = ? AND status = ?`),
		status, deciderID, tx.db.Now().UTC(), strings.TrimSpace(note), id, civicmon.ProposalPending)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		var now string
		if err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT status FROM rating_proposals WHERE id = ?`), id).Scan(&now); err != nil {
			return err
		}
		return civicmon.Errorf(civicmon.ECONFLICT, "proposal %d was already %s", id, now)
	}
	return nil
}

// ApproveRatingProposal creates the proposed rating and marks the proposal
// approved, in one transaction. Every check that can fail runs before the
// first write, so that a refused approval changes nothing even inside a
// caller's InTx.
func (s *Store) ApproveRatingProposal(ctx context.Context, id, approverID int64, note string) (*civicmon.Rating, error) {
	var r civicmon.Rating
	err := s.write(ctx, func(tx *Store) error {
		p, err := tx.pendingProposal(ctx, id, approverID)
		if err != nil {
			return err
		}
		if approverID == p.ProposedBy {
			return civicmon.Errorf(civicmon.EFORBIDDEN, "you proposed this rating change; another person must approve it")
		}
		r = p.Rating()
		if err := r.Validate(); err != nil {
			return err
		}
		if err := tx.knownCountry(ctx, r.CountryCode, "rating.country"); err != nil {
			return err
		}
		var n int
		if err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT COUNT(*) FROM ratings WHERE country_code = ? AND effective_date = ?`),
			r.CountryCode, r.EffectiveDate).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return civicmon.Errorf(civicmon.ECONFLICT, "%s already has a rating effective on %s", r.CountryCode, r.EffectiveDate)
		}
		// Claim the proposal first: a concurrent decision waits on this row
		// and then finds it decided, instead of racing for the rating.
		if err := tx.decide(ctx, id, civicmon.ProposalApproved, approverID, note); err != nil {
			return err
		}
		if err := tx.addRating(ctx, &r); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE rating_proposals SET rating_id = ? WHERE id = ?`), r.ID, id); err != nil {
			return err
		}
		return tx.audit(ctx, "rating.approve", "rating_proposal", itoa64(id), proposalDetail(p)+" → rating "+itoa64(r.ID))
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// RejectRatingProposal closes a pending proposal without a rating. The
// proposer may close their own proposal too: it is then withdrawn, not
// rejected, so the history tells the two apart.
func (s *Store) RejectRatingProposal(ctx context.Context, id, deciderID int64, note string) error {
	return s.write(ctx, func(tx *Store) error {
		p, err := tx.pendingProposal(ctx, id, deciderID)
		if err != nil {
			return err
		}
		status, action := civicmon.ProposalRejected, "rating.reject"
		if deciderID == p.ProposedBy {
			status, action = civicmon.ProposalWithdrawn, "rating.withdraw"
		}
		if err := tx.decide(ctx, id, status, deciderID, note); err != nil {
			return err
		}
		return tx.audit(ctx, action, "rating_proposal", itoa64(id), proposalDetail(p))
	})
}
