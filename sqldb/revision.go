package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/civicmon/civicmon"
)

// maxPublicNote bounds a correction note: a sentence or two for readers.
const maxPublicNote = 2000

// revise records a revision of a record inside the write transaction tx
// that changed it: the actor from ctx, the action (the audit action's name),
// the JSON of the record after the change (nil after a deletion) and the
// public note for readers, if any.
//
// Write methods call it next to tx.audit. The bulk path (InsertUpdates)
// does not: it is audited per batch.
func (tx *Store) revise(ctx context.Context, entity string, id int64, action string, record any, publicNote string) error {
	publicNote = strings.TrimSpace(publicNote)
	if n := utf8.RuneCountInString(publicNote); n > maxPublicNote {
		return &civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: entity + ".correction_note",
			Message: fmt.Sprintf("is %d characters long; at most %d are allowed", n, maxPublicNote)}}}
	}
	var snapshot string
	if record != nil {
		b, err := json.Marshal(record)
		if err != nil {
			return fmt.Errorf("revision of %s %d: %w", entity, id, err)
		}
		snapshot = string(b)
	}
	_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO revisions (entity, entity_id, user_id, created_at, action, snapshot, public_note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), entity, id, nullInt64(civicmon.ActorFrom(ctx)), tx.db.Now().UTC(), action, snapshot, publicNote)
	return err
}

func (s *Store) Revisions(ctx context.Context, entity string, entityID int64) ([]civicmon.Revision, error) {
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT id, entity, entity_id, user_id, created_at, action, snapshot, public_note
		FROM revisions WHERE entity = ? AND entity_id = ? ORDER BY id`), entity, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.Revision
	for rows.Next() {
		var r civicmon.Revision
		var user sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Entity, &r.EntityID, &user, &r.CreatedAt, &r.Action, &r.Snapshot, &r.PublicNote); err != nil {
			return nil, err
		}
		r.UserID = user.Int64
		out = append(out, r)
	}
	return out, rows.Err()
}

// Corrections returns the public notes of the saves of an update whose
// snapshot is published: edits made to the public text. Notes given while
// the update was a draft, in review or archived are kept in the revisions
// but never shown to readers.
func (s *Store) Corrections(ctx context.Context, updateID int64) ([]civicmon.Correction, error) {
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT id, created_at, snapshot, public_note FROM revisions
		WHERE entity = 'update' AND entity_id = ? AND action NOT IN ('update.create', 'update.delete') AND public_note <> '' ORDER BY id`), updateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.Correction
	for rows.Next() {
		var id int64
		var rev struct {
			at       sql.NullTime
			snapshot string
			note     string
		}
		if err := rows.Scan(&id, &rev.at, &rev.snapshot, &rev.note); err != nil {
			return nil, err
		}
		var state struct{ Status civicmon.Status }
		if err := json.Unmarshal([]byte(rev.snapshot), &state); err != nil {
			return nil, fmt.Errorf("revision %d: snapshot: %w", id, err)
		}
		if state.Status != civicmon.StatusPublished {
			continue
		}
		out = append(out, civicmon.Correction{Date: civicmon.DateOf(rev.at.Time.UTC()), Note: rev.note})
	}
	return out, rows.Err()
}
