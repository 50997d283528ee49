package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/civicmon/civicmon"
)

func (s *Store) CreateWatchlistEdition(ctx context.Context, w *civicmon.WatchlistEdition) error {
	if err := w.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		for i, e := range w.Entries {
			if err := tx.knownCountry(ctx, e.CountryCode, "watchlist.entries["+itoa(i)+"].country"); err != nil {
				return err
			}
		}
		id, err := tx.insertID(ctx, `INSERT INTO watchlist_editions (published_on, date_approximate, title, introduction) VALUES (?, ?, ?, ?)`,
			w.PublishedOn, w.DateApproximate, w.Title, w.Introduction)
		if err != nil {
			return tx.conflict(err, "a watchlist edition published on %s already exists", w.PublishedOn)
		}
		w.ID, w.Version = id, 1 // the column's default
		for i, e := range w.Entries {
			if _, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO watchlist_entries (edition_id, position, country_code, narrative) VALUES (?, ?, ?, ?)`),
				id, i+1, e.CountryCode, e.Narrative); err != nil {
				return err
			}
		}
		if err := tx.revise(ctx, "watchlist", id, "watchlist.create", w, ""); err != nil {
			return err
		}
		return tx.audit(ctx, "watchlist.create", "watchlist", w.PublishedOn.String(), w.Title)
	})
}

// SaveWatchlistEdition replaces the edition with w.ID: its date, title,
// introduction and entries.
func (s *Store) SaveWatchlistEdition(ctx context.Context, w *civicmon.WatchlistEdition) error {
	if err := w.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		for i, e := range w.Entries {
			if err := tx.knownCountry(ctx, e.CountryCode, "watchlist.entries["+itoa(i)+"].country"); err != nil {
				return err
			}
		}
		// Checked and bumped in the statement that writes, so that of two
		// saves of one version only one changes the row.
		res, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE watchlist_editions SET published_on = ?, date_approximate = ?, title = ?, introduction = ?,
			version = version + 1 WHERE id = ? AND version = ?`), w.PublishedOn, w.DateApproximate, w.Title, w.Introduction, w.ID, w.Version)
		if err != nil {
			return tx.conflict(err, "a watchlist edition published on %s already exists", w.PublishedOn)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var stored int64
			err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT version FROM watchlist_editions WHERE id = ?`), w.ID).Scan(&stored)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("no watchlist edition with id %d", w.ID)
			}
			if err != nil {
				return err
			}
			return civicmon.Stale("watchlist", itoa64(w.ID), w.Version, stored)
		}
		w.Version++
		if _, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM watchlist_entries WHERE edition_id = ?`), w.ID); err != nil {
			return err
		}
		for i, e := range w.Entries {
			if _, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO watchlist_entries (edition_id, position, country_code, narrative) VALUES (?, ?, ?, ?)`),
				w.ID, i+1, e.CountryCode, e.Narrative); err != nil {
				return err
			}
		}
		if err := tx.revise(ctx, "watchlist", w.ID, "watchlist.save", w, ""); err != nil {
			return err
		}
		return tx.audit(ctx, "watchlist.save", "watchlist", w.PublishedOn.String(), w.Title)
	})
}

func (s *Store) WatchlistEditions(ctx context.Context) ([]civicmon.WatchlistEdition, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT id, published_on, date_approximate, title, introduction, version
		FROM watchlist_editions ORDER BY published_on DESC`)
	if err != nil {
		return nil, err
	}
	var eds []civicmon.WatchlistEdition
	byID := map[int64]int{}
	for rows.Next() {
		var w civicmon.WatchlistEdition
		if err := rows.Scan(&w.ID, &w.PublishedOn, &w.DateApproximate, &w.Title, &w.Introduction, &w.Version); err != nil {
			rows.Close()
			return nil, err
		}
		byID[w.ID] = len(eds)
		eds = append(eds, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.reader().QueryContext(ctx, `SELECT edition_id, country_code, narrative FROM watchlist_entries ORDER BY edition_id, position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var e civicmon.WatchlistEntry
		if err := rows.Scan(&id, &e.CountryCode, &e.Narrative); err != nil {
			return nil, err
		}
		if i, ok := byID[id]; ok {
			eds[i].Entries = append(eds[i].Entries, e)
		}
	}
	return eds, rows.Err()
}
