package sqldb

import (
	"context"
	"strconv"

	"github.com/civicmon/civicmon"
)

func (s *Store) Vocabulary(ctx context.Context) (*civicmon.Vocabulary, error) {
	v, err := s.terms(ctx, "violation_types")
	if err != nil {
		return nil, err
	}
	t, err := s.terms(ctx, "target_groups")
	if err != nil {
		return nil, err
	}
	return civicmon.NewVocabulary(v, t), nil
}

func (s *Store) terms(ctx context.Context, table string) ([]civicmon.Term, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT slug, name FROM `+table+` ORDER BY position, slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.Term
	for rows.Next() {
		var t civicmon.Term
		if err := rows.Scan(&t.Slug, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Store) AddViolationType(ctx context.Context, t civicmon.Term) error {
	return s.addTerm(ctx, "violation_types", "violation_type", t)
}

func (s *Store) AddTargetGroup(ctx context.Context, t civicmon.Term) error {
	return s.addTerm(ctx, "target_groups", "target_group", t)
}

func (s *Store) addTerm(ctx context.Context, table, kind string, t civicmon.Term) error {
	if err := civicmon.ValidateTerm(kind, t); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO `+table+` (slug, name, position)
			VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM `+table+`))`), t.Slug, t.Name)
		if err != nil {
			return tx.conflict(err, "%s %q already exists", kind, t.Slug)
		}
		return tx.audit(ctx, kind+".add", kind, t.Slug, t.Name)
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

func itoa64(i int64) string { return strconv.FormatInt(i, 10) }
