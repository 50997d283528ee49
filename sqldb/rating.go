package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/civicmon/civicmon"
)

const ratingColumns = `id, country_code, effective_date, date_approximate, score, category, rationale, source, created_at`

func scanRating(sc interface{ Scan(...any) error }, r *civicmon.Rating) error {
	var score sql.NullInt64
	if err := sc.Scan(&r.ID, &r.CountryCode, &r.EffectiveDate, &r.DateApproximate, &score,
		&r.Category, &r.Rationale, &r.Source, &r.CreatedAt); err != nil {
		return err
	}
	r.Score = int(score.Int64)
	return nil
}

func (s *Store) AddRating(ctx context.Context, r *civicmon.Rating) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error { return tx.addRating(ctx, r) })
}

// addRating inserts a validated rating inside the write transaction tx, with
// its audit entry and revision: AddRating and the approval of a rating
// proposal both go through it.
func (tx *Store) addRating(ctx context.Context, r *civicmon.Rating) error {
	if err := tx.knownCountry(ctx, r.CountryCode, "rating.country"); err != nil {
		return err
	}
	r.CreatedAt = tx.db.Now().UTC()
	id, err := tx.insertID(ctx, `INSERT INTO ratings (country_code, effective_date, date_approximate, score, category, rationale, source, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.CountryCode, r.EffectiveDate, r.DateApproximate, nullInt(r.Score), r.Category, r.Rationale, r.Source, r.CreatedAt)
	if err != nil {
		return tx.conflict(err, "%s already has a rating effective on %s", r.CountryCode, r.EffectiveDate)
	}
	r.ID = id
	if err := tx.revise(ctx, "rating", id, "rating.add", r, ""); err != nil {
		return err
	}
	return tx.audit(ctx, "rating.add", "rating", itoa64(id), fmt.Sprintf("%s %s %s", r.CountryCode, r.EffectiveDate, r.Category))
}

func (s *Store) RatingHistory(ctx context.Context, code string) ([]civicmon.Rating, error) {
	return s.ratings(ctx, `SELECT `+ratingColumns+` FROM ratings WHERE country_code = ? ORDER BY effective_date, id`, code)
}

func (s *Store) CurrentRatings(ctx context.Context, asOf civicmon.Date) (map[string]civicmon.Rating, error) {
	// The latest rating per country: no later rating exists on or before asOf.
	all, err := s.ratings(ctx, `SELECT `+ratingColumns+` FROM ratings r
		WHERE effective_date <= ? AND NOT EXISTS (
			SELECT 1 FROM ratings l WHERE l.country_code = r.country_code AND l.effective_date <= ?
			AND (l.effective_date > r.effective_date OR (l.effective_date = r.effective_date AND l.id > r.id)))`, asOf, asOf)
	if err != nil {
		return nil, err
	}
	out := make(map[string]civicmon.Rating, len(all))
	for _, r := range all {
		out[r.CountryCode] = r
	}
	return out, nil
}

func (s *Store) ratings(ctx context.Context, query string, args ...any) ([]civicmon.Rating, error) {
	rows, err := s.reader().QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.Rating
	for rows.Next() {
		var r civicmon.Rating
		if err := scanRating(rows, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
