package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/civicmon/civicmon"
)

// audit appends an entry to the audit log inside the current write
// transaction, chained to the last one. The actor comes from ctx.
func (tx *Store) audit(ctx context.Context, action, entity, entityID, detail string) error {
	if tx.db.dialect.LockAudit != nil {
		if err := tx.db.dialect.LockAudit(ctx, tx.tx); err != nil {
			return fmt.Errorf("lock audit log: %w", err)
		}
	}
	// Microseconds: the finest time PostgreSQL keeps, so the hash survives the round trip.
	e := civicmon.AuditEntry{At: tx.db.Now().UTC().Truncate(time.Microsecond), ActorID: civicmon.ActorFrom(ctx),
		Action: action, Entity: entity, EntityID: entityID, Detail: detail, PrevHash: civicmon.GenesisHash}
	var lastID int64
	var lastHash string
	err := tx.tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&lastID, &lastHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		e.PrevHash = lastHash
	}
	e.ID = lastID + 1
	e.Hash = e.ComputeHash()
	_, err = tx.tx.ExecContext(ctx, tx.q(`INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), e.ID, e.At, e.ActorID, e.Action, e.Entity, e.EntityID, e.Detail, e.PrevHash, e.Hash)
	return err
}

// Audit records an action that changes no record the store keeps (a
// login, a failed login, a password reset mail sent).
func (s *Store) Audit(ctx context.Context, action, entity, entityID, detail string) error {
	return s.write(ctx, func(tx *Store) error { return tx.audit(ctx, action, entity, entityID, detail) })
}

// AuditLog calls fn with every entry of the audit log in id order, without
// loading the whole log at once.
func (s *Store) AuditLog(ctx context.Context, fn func(e *civicmon.AuditEntry) error) error {
	var after int64
	for {
		rows, err := s.reader().QueryContext(ctx, s.q(`SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash
			FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000`), after)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var e civicmon.AuditEntry
			if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.Action, &e.Entity, &e.EntityID, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
				rows.Close()
				return err
			}
			n++
			after = e.ID
			if err := fn(&e); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n < 1000 {
			return nil
		}
	}
}
