package sqldb

import (
	"context"

	"github.com/civicmon/civicmon"
)

func (s *Store) FieldTranslations(ctx context.Context) ([]civicmon.FieldTranslation, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT kind, record, lang, text, status FROM field_translations ORDER BY kind, record, lang`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.FieldTranslation
	for rows.Next() {
		var f civicmon.FieldTranslation
		if err := rows.Scan(&f.Kind, &f.Record, &f.Lang, &f.Text, &f.Status); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *Store) SaveFieldTranslation(ctx context.Context, f *civicmon.FieldTranslation) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO field_translations (kind, record, lang, text, status) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (kind, record, lang) DO UPDATE SET text = excluded.text, status = excluded.status`),
			f.Kind, f.Record, f.Lang, f.Text, f.Status)
		if err != nil {
			return err
		}
		return tx.audit(ctx, "translation.save", string(f.Kind), f.Record+"/"+f.Lang, string(f.Status))
	})
}

func (s *Store) DeleteFieldTranslation(ctx context.Context, kind civicmon.FieldKind, record, lang string) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM field_translations WHERE kind = ? AND record = ? AND lang = ?`), kind, record, lang)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.audit(ctx, "translation.delete", string(kind), record+"/"+lang, "")
	})
}
