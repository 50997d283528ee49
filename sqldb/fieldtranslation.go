package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/civicmon/civicmon"
)

func (s *Store) FieldTranslations(ctx context.Context) ([]civicmon.FieldTranslation, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT kind, record, lang, text, status, version FROM field_translations ORDER BY kind, record, lang`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.FieldTranslation
	for rows.Next() {
		var f civicmon.FieldTranslation
		if err := rows.Scan(&f.Kind, &f.Record, &f.Lang, &f.Text, &f.Status, &f.Version); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// fieldTranslationVersion is the stored version of a translation, 0 when
// there is none.
func (tx *Store) fieldTranslationVersion(ctx context.Context, kind civicmon.FieldKind, record, lang string) (int64, error) {
	var v int64
	err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT version FROM field_translations WHERE kind = ? AND record = ? AND lang = ?`),
		kind, record, lang).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func (s *Store) SaveFieldTranslation(ctx context.Context, f *civicmon.FieldTranslation) error {
	if err := f.Validate(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *Store) error {
		var res sql.Result
		var err error
		if f.Version == 0 {
			// Not stored when the form was opened: the insert that finds
			// one stored meanwhile changes nothing, and so reports the
			// conflict below.
			res, err = tx.tx.ExecContext(ctx, tx.q(`INSERT INTO field_translations (kind, record, lang, text, status) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (kind, record, lang) DO NOTHING`), f.Kind, f.Record, f.Lang, f.Text, f.Status)
		} else {
			// The version is checked and bumped in one statement: of two
			// saves of one version only one changes the row.
			res, err = tx.tx.ExecContext(ctx, tx.q(`UPDATE field_translations SET text = ?, status = ?, version = version + 1
				WHERE kind = ? AND record = ? AND lang = ? AND version = ?`), f.Text, f.Status, f.Kind, f.Record, f.Lang, f.Version)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			stored, err := tx.fieldTranslationVersion(ctx, f.Kind, f.Record, f.Lang)
			if err != nil {
				return err
			}
			return civicmon.Stale("translation", string(f.Kind)+" "+f.Record+"/"+f.Lang, f.Version, stored)
		}
		return tx.audit(ctx, "translation.save", string(f.Kind), f.Record+"/"+f.Lang, string(f.Status))
	})
	if err != nil {
		return err
	}
	f.Version++
	return nil
}

func (s *Store) DeleteFieldTranslation(ctx context.Context, kind civicmon.FieldKind, record, lang string, version int64) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM field_translations WHERE kind = ? AND record = ? AND lang = ? AND version = ?`),
			kind, record, lang, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// Nothing there is nothing to remove; one saved since the
			// removal's version is another's work, kept.
			stored, err := tx.fieldTranslationVersion(ctx, kind, record, lang)
			if err != nil || stored == 0 {
				return err
			}
			return civicmon.Stale("translation", string(kind)+" "+record+"/"+lang, version, stored)
		}
		return tx.audit(ctx, "translation.delete", string(kind), record+"/"+lang, "")
	})
}
