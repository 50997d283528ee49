package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/civicmon/civicmon"
)

func (s *Store) AddComment(ctx context.Context, c *civicmon.Comment) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		var uid string
		err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT uid FROM updates WHERE id = ?`), c.UpdateID).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no update with id %d", c.UpdateID)
		}
		if err != nil {
			return err
		}
		c.CreatedAt = tx.db.Now().UTC()
		id, err := tx.insertID(ctx, `INSERT INTO comments (update_id, author_id, created_at, action, body) VALUES (?, ?, ?, ?, ?)`,
			c.UpdateID, nullInt64(c.AuthorID), c.CreatedAt, string(c.Action), c.Body)
		if err != nil {
			return err
		}
		c.ID = id
		// The text stays out of the audit log: it is the conversation's.
		return tx.audit(ctx, "comment.add", "update", uid, "comment "+itoa64(id)+" "+string(c.Action))
	})
}

func (s *Store) Comments(ctx context.Context, updateID int64) ([]civicmon.Comment, error) {
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT c.id, c.update_id, c.author_id, COALESCE(u.name, ''), c.created_at, c.action, c.body
		FROM comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.update_id = ? ORDER BY c.id`), updateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.Comment
	for rows.Next() {
		var c civicmon.Comment
		var author sql.NullInt64
		var action string
		if err := rows.Scan(&c.ID, &c.UpdateID, &author, &c.AuthorName, &c.CreatedAt, &action, &c.Body); err != nil {
			return nil, err
		}
		c.AuthorID, c.Action = author.Int64, civicmon.Action(action)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) NotificationSettings(ctx context.Context, userID int64) (*civicmon.NotificationSettings, error) {
	n := &civicmon.NotificationSettings{UserID: userID}
	var muted string
	err := s.reader().QueryRowContext(ctx, s.q(`SELECT all_off, muted, address FROM notification_settings WHERE user_id = ?`), userID).
		Scan(&n.AllOff, &muted, &n.Address)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	n.Muted = strings.Fields(muted)
	return n, nil
}

func (s *Store) SaveNotificationSettings(ctx context.Context, n *civicmon.NotificationSettings) error {
	if err := n.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		if ok, err := tx.userExists(ctx, n.UserID); err != nil {
			return err
		} else if !ok {
			return notFound("no account with id %d", n.UserID)
		}
		if _, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM notification_settings WHERE user_id = ?`), n.UserID); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO notification_settings (user_id, all_off, muted, address) VALUES (?, ?, ?, ?)`),
			n.UserID, n.AllOff, strings.Join(n.Muted, " "), n.Address); err != nil {
			return err
		}
		return tx.audit(ctx, "user.notifications", "user", itoa64(n.UserID), "")
	})
}
