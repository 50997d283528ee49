package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/civicmon/civicmon"
)

func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.reader().QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
		if err != nil {
			return err
		}
		detail := value
		if civicmon.SecretSetting(key) {
			detail = "(secret)"
		}
		return tx.audit(ctx, "setting.set", "setting", key, detail)
	})
}
