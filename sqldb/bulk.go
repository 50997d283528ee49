package sqldb

import (
	"context"
	"fmt"

	"github.com/civicmon/civicmon"
)

// InsertUpdates inserts many updates in one transaction with prepared
// statements: the path `civicmon gen` and imports take. Every update is
// validated as CreateUpdate would; the first invalid one aborts the batch
// with its index in the error, and nothing of the batch is kept. UIDs and
// slugs must be set and unique (no slug suffixing here).
func (s *Store) InsertUpdates(ctx context.Context, us []civicmon.Update) error {
	return s.write(ctx, func(tx *Store) error {
		vocab, err := tx.Vocabulary(ctx)
		if err != nil {
			return err
		}
		countries, err := tx.Countries(ctx)
		if err != nil {
			return err
		}
		known := make(map[string]bool, len(countries))
		for _, c := range countries {
			known[c.Code] = true
		}
		upd, err := tx.prepareInsert(ctx, insertUpdate)
		if err != nil {
			return err
		}
		defer upd.Close()
		viol, err := tx.tx.PrepareContext(ctx, tx.q(`INSERT INTO update_violations (update_id, violation) VALUES (?, ?)`))
		if err != nil {
			return err
		}
		defer viol.Close()
		inc, err := tx.prepareInsert(ctx, insertIncident)
		if err != nil {
			return err
		}
		defer inc.Close()

		now := tx.db.Now().UTC()
		for i := range us {
			u := &us[i]
			if err := u.Validate(vocab); err != nil {
				return fmt.Errorf("update %d of %d (%q): %w", i+1, len(us), u.Title, err)
			}
			if !known[u.CountryCode] {
				return fmt.Errorf("update %d of %d (%q): %w", i+1, len(us), u.Title, unknownCountry("update.country", u.CountryCode))
			}
			if u.UID == "" {
				u.UID = NewUID()
			}
			if u.CreatedAt.IsZero() {
				u.CreatedAt = now
			}
			if u.UpdatedAt.IsZero() {
				u.UpdatedAt = u.CreatedAt
			}
			row, err := updateRow(u)
			if err != nil {
				return err
			}
			if u.ID, err = upd.insertID(ctx, row...); err != nil {
				return fmt.Errorf("update %d of %d (%q): %w", i+1, len(us), u.Title,
					tx.conflict(err, "an update with slug %q or id %q already exists", u.Slug, u.UID))
			}
			for _, v := range u.Violations {
				if _, err := viol.ExecContext(ctx, u.ID, v); err != nil {
					return err
				}
			}
			for j := range u.Incidents {
				in := &u.Incidents[j]
				if in.ID, err = inc.insertID(ctx, incidentRow(u.ID, j+1, in)...); err != nil {
					return err
				}
				in.UpdateID = u.ID
			}
		}
		return nil
	})
}
