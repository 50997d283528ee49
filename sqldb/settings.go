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
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = settings.version + 1`), key, value)
		if err != nil {
			return err
		}
		return tx.auditSetting(ctx, key, value)
	})
}

func (tx *Store) auditSetting(ctx context.Context, key, value string) error {
	detail := value
	if civicmon.SecretSetting(key) {
		detail = "(secret)"
	}
	return tx.audit(ctx, "setting.set", "setting", key, detail)
}

func (s *Store) SettingVersion(ctx context.Context, key string) (string, int64, error) {
	var v string
	var version int64
	err := s.reader().QueryRowContext(ctx, s.q(`SELECT value, version FROM settings WHERE key = ?`), key).Scan(&v, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return v, version, err
}

func (s *Store) SetSettingAt(ctx context.Context, key, value string, version int64) (int64, error) {
	err := s.write(ctx, func(tx *Store) error {
		var res sql.Result
		var err error
		if version == 0 {
			// Never set: the insert that finds the key taken changes
			// nothing, and so reports the conflict below.
			res, err = tx.tx.ExecContext(ctx, tx.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`), key, value)
		} else {
			res, err = tx.tx.ExecContext(ctx, tx.q(`UPDATE settings SET value = ?, version = version + 1 WHERE key = ? AND version = ?`),
				value, key, version)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			_, stored, err := tx.SettingVersion(ctx, key)
			if err != nil {
				return err
			}
			return civicmon.Stale("setting", key, version, stored)
		}
		return tx.auditSetting(ctx, key, value)
	})
	if err != nil {
		return 0, err
	}
	return version + 1, nil
}
