package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/civicmon/civicmon"
)

const updateColumns = `id, uid, slug, country_code, title, summary, body, published_on, date_approximate,
	period_start, period_end, freedoms, violations, partner, sources, language, translations, status,
	internal_notes, author_id, created_at, updated_at, version`

func scanUpdate(sc interface{ Scan(...any) error }, u *civicmon.Update) error {
	var violations, sources, translations string
	var author sql.NullInt64
	if err := sc.Scan(&u.ID, &u.UID, &u.Slug, &u.CountryCode, &u.Title, &u.Summary, &u.Body,
		&u.PublishedOn, &u.DateApproximate, &u.PeriodStart, &u.PeriodEnd, &u.Freedoms, &violations,
		&u.Partner, &sources, &u.Language, &translations, &u.Status, &u.InternalNotes, &author,
		&u.CreatedAt, &u.UpdatedAt, &u.Version); err != nil {
		return err
	}
	u.AuthorID = author.Int64
	u.Violations = strings.Fields(violations)
	if err := json.Unmarshal([]byte(sources), &u.Sources); err != nil {
		return fmt.Errorf("update %d: sources: %w", u.ID, err)
	}
	if err := json.Unmarshal([]byte(translations), &u.Translations); err != nil {
		return fmt.Errorf("update %d: translations: %w", u.ID, err)
	}
	return nil
}

// updateRow is the column values of u, in the order of the INSERT below.
func updateRow(u *civicmon.Update) ([]any, error) {
	sources, err := json.Marshal(nonNil(u.Sources))
	if err != nil {
		return nil, err
	}
	translations, err := json.Marshal(nonNil(u.Translations))
	if err != nil {
		return nil, err
	}
	return []any{u.UID, u.Slug, u.CountryCode, u.Title, u.Summary, u.Body, u.PublishedOn, u.DateApproximate,
		u.PeriodStart, u.PeriodEnd, int64(u.Freedoms), strings.Join(u.Violations, " "), u.Partner,
		string(sources), u.Language, string(translations), u.Status, u.InternalNotes, nullInt64(u.AuthorID),
		u.CreatedAt, u.UpdatedAt}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const insertUpdate = `INSERT INTO updates (uid, slug, country_code, title, summary, body, published_on, date_approximate,
	period_start, period_end, freedoms, violations, partner, sources, language, translations, status,
	internal_notes, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const insertIncident = `INSERT INTO incidents (update_id, position, occurred_on, date_approximate, freedom, violation,
	target, people_affected, place, description, victim_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func incidentRow(updateID int64, pos int, in *civicmon.Incident) []any {
	return []any{updateID, pos, in.OccurredOn, in.DateApproximate, in.Freedom, in.Violation,
		nullString(in.Target), in.PeopleAffected, in.Place, in.Description, in.VictimName}
}

// NewUID returns a random stable id for an update: 20 characters of
// lower-case base32, 100 bits.
func NewUID() string {
	var b [13]byte
	rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:20]
}

func (s *Store) CreateUpdate(ctx context.Context, u *civicmon.Update) error {
	return s.write(ctx, func(tx *Store) error {
		vocab, err := tx.Vocabulary(ctx)
		if err != nil {
			return err
		}
		autoSlug := u.Slug == ""
		if err := u.Validate(vocab); err != nil {
			return err
		}
		if err := tx.knownCountry(ctx, u.CountryCode, "update.country"); err != nil {
			return err
		}
		if autoSlug {
			if u.Slug, err = tx.freeSlug(ctx, u.Slug, 0); err != nil {
				return err
			}
		}
		if u.UID == "" {
			u.UID = NewUID()
		}
		u.CreatedAt = tx.db.Now().UTC()
		u.UpdatedAt = u.CreatedAt
		u.Version = 1 // the column's default
		if err := tx.insertUpdate(ctx, u); err != nil {
			return err
		}
		// Search: index it when published, and tell the facet indexes.
		if err := tx.searchAdd(ctx, u); err != nil {
			return err
		}
		if err := tx.searchLog(ctx, u.ID, u.ID); err != nil {
			return err
		}
		if err := tx.revise(ctx, "update", u.ID, "update.create", u, ""); err != nil {
			return err
		}
		return tx.audit(ctx, "update.create", "update", u.UID, string(u.Status)+" "+u.Slug)
	})
}

func (tx *Store) insertUpdate(ctx context.Context, u *civicmon.Update) error {
	row, err := updateRow(u)
	if err != nil {
		return err
	}
	id, err := tx.insertID(ctx, insertUpdate, row...)
	if err != nil {
		return tx.conflict(err, "an update with slug %q or id %q already exists", u.Slug, u.UID)
	}
	u.ID = id
	return tx.insertChildren(ctx, u)
}

func (tx *Store) insertChildren(ctx context.Context, u *civicmon.Update) error {
	for _, v := range u.Violations {
		if _, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO update_violations (update_id, violation) VALUES (?, ?)`), u.ID, v); err != nil {
			return err
		}
	}
	for i := range u.Incidents {
		in := &u.Incidents[i]
		id, err := tx.insertID(ctx, insertIncident, incidentRow(u.ID, i+1, in)...)
		if err != nil {
			return err
		}
		in.ID, in.UpdateID = id, u.ID
	}
	return nil
}

// freeSlug returns slug, or slug-2, slug-3… when it is taken by another
// update than exceptID.
func (tx *Store) freeSlug(ctx context.Context, slug string, exceptID int64) (string, error) {
	candidate := slug
	for n := 2; ; n++ {
		var id int64
		err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT id FROM updates WHERE slug = ?`), candidate).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && id == exceptID) {
			return candidate, nil
		}
		if err != nil {
			return "", err
		}
		candidate = fmt.Sprintf("%s-%d", slug, n)
	}
}

func (s *Store) SaveUpdate(ctx context.Context, u *civicmon.Update) error {
	return s.write(ctx, func(tx *Store) error {
		vocab, err := tx.Vocabulary(ctx)
		if err != nil {
			return err
		}
		if err := u.Validate(vocab); err != nil {
			return err
		}
		if err := tx.knownCountry(ctx, u.CountryCode, "update.country"); err != nil {
			return err
		}
		var createdAt sql.NullTime
		var stored int64
		err = tx.tx.QueryRowContext(ctx, tx.q(`SELECT created_at, version FROM updates WHERE id = ?`), u.ID).Scan(&createdAt, &stored)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no update with id %d", u.ID)
		}
		if err != nil {
			return err
		}
		// Refused early when the read already shows it; the UPDATE below
		// checks again, for a save that committed since this read.
		if stored != u.Version {
			return civicmon.Stale("update", itoa64(u.ID), u.Version, stored)
		}
		u.CreatedAt = createdAt.Time
		u.UpdatedAt = tx.db.Now().UTC()
		// Search: take the stored version out of the index (it needs the
		// stored text), before it is replaced.
		if err := tx.searchForget(ctx, u.ID); err != nil {
			return err
		}
		row, err := updateRow(u)
		if err != nil {
			return err
		}
		// The version is checked and bumped in the one statement that
		// writes, so that of two saves of one version only one changes a
		// row (PostgreSQL's READ COMMITTED re-reads the row after the
		// other's commit and finds its version gone).
		res, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE updates SET uid = ?, slug = ?, country_code = ?, title = ?, summary = ?,
			body = ?, published_on = ?, date_approximate = ?, period_start = ?, period_end = ?, freedoms = ?, violations = ?,
			partner = ?, sources = ?, language = ?, translations = ?, status = ?, internal_notes = ?, author_id = ?,
			created_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`), append(row, u.ID, u.Version)...)
		if err != nil {
			return tx.conflict(err, "another update already has slug %q or id %q", u.Slug, u.UID)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return civicmon.Stale("update", itoa64(u.ID), u.Version, 0)
		}
		u.Version++
		if err := tx.deleteChildren(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.insertChildren(ctx, u); err != nil {
			return err
		}
		// Search: index the new version when published.
		if err := tx.searchAdd(ctx, u); err != nil {
			return err
		}
		if err := tx.searchLog(ctx, u.ID, u.ID); err != nil {
			return err
		}
		// The change is named by the caller (Editorial: "update.publish"…).
		action := civicmon.AuditActionFrom(ctx, civicmon.AuditUpdateSave)
		if err := tx.revise(ctx, "update", u.ID, action, u, u.CorrectionNote); err != nil {
			return err
		}
		return tx.audit(ctx, action, "update", u.UID, string(u.Status)+" "+u.Slug)
	})
}

func (tx *Store) deleteChildren(ctx context.Context, id int64) error {
	if _, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM update_violations WHERE update_id = ?`), id); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM incidents WHERE update_id = ?`), id)
	return err
}

func (s *Store) DeleteUpdate(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		// Search: out of the index (it needs the stored text), and tell
		// the facet indexes.
		if err := tx.searchForget(ctx, id); err != nil {
			return err
		}
		if err := tx.searchLog(ctx, id, id); err != nil {
			return err
		}
		if err := tx.deleteChildren(ctx, id); err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(ctx, tx.q(`DELETE FROM updates WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("no update with id %d", id)
		}
		if err := tx.revise(ctx, "update", id, "update.delete", nil, ""); err != nil {
			return err
		}
		return tx.audit(ctx, "update.delete", "update", itoa64(id), "")
	})
}

func (s *Store) UpdateByID(ctx context.Context, id int64) (*civicmon.Update, error) {
	return s.update(ctx, `id = ?`, id, "no update with id %v")
}

func (s *Store) UpdateByUID(ctx context.Context, uid string) (*civicmon.Update, error) {
	return s.update(ctx, `uid = ?`, uid, "no update with uid %q")
}

func (s *Store) UpdateBySlug(ctx context.Context, slug string) (*civicmon.Update, error) {
	return s.update(ctx, `slug = ?`, slug, "no update with slug %q")
}

func (s *Store) update(ctx context.Context, where string, arg any, missing string) (*civicmon.Update, error) {
	var u civicmon.Update
	err := scanUpdate(s.reader().QueryRowContext(ctx, s.q(`SELECT `+updateColumns+` FROM updates WHERE `+where), arg), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(missing, arg)
	}
	if err != nil {
		return nil, err
	}
	if u.Incidents, err = s.incidents(ctx, u.ID); err != nil {
		return nil, err
	}
	return &u, nil
}

func (s *Store) IncidentsByUpdate(ctx context.Context, ids []int64) (map[int64][]civicmon.Incident, error) {
	out := map[int64][]civicmon.Incident{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.reader().QueryContext(ctx, s.q(`SELECT id, update_id, occurred_on, date_approximate, freedom, violation,
			target, people_affected, place, description, victim_name FROM incidents WHERE update_id IN (`+placeholders(len(chunk))+`)
			ORDER BY update_id, position`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var in civicmon.Incident
			var target sql.NullString
			if err := rows.Scan(&in.ID, &in.UpdateID, &in.OccurredOn, &in.DateApproximate, &in.Freedom, &in.Violation,
				&target, &in.PeopleAffected, &in.Place, &in.Description, &in.VictimName); err != nil {
				rows.Close()
				return nil, err
			}
			in.Target = target.String
			out[in.UpdateID] = append(out[in.UpdateID], in)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountUpdatesWithoutSlugPrefix counts the updates whose slug does not
// start with prefix: `civicmon gen` asks how many updates of a database
// are not its synthetic ones ("synthetic-…") before it adds more.
func (s *Store) CountUpdatesWithoutSlugPrefix(ctx context.Context, prefix string) (int, error) {
	var n int
	err := s.reader().QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM updates WHERE substr(slug, 1, ?) <> ?`),
		len(prefix), prefix).Scan(&n)
	return n, err
}

func (s *Store) UpdateIDsByUID(ctx context.Context, uids []string) (map[string]int64, error) {
	out := map[string]int64{}
	for len(uids) > 0 {
		chunk := uids[:min(len(uids), 500)]
		uids = uids[len(chunk):]
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		rows, err := s.reader().QueryContext(ctx, s.q(`SELECT uid, id FROM updates WHERE uid IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var uid string
			var id int64
			if err := rows.Scan(&uid, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[uid] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) incidents(ctx context.Context, updateID int64) ([]civicmon.Incident, error) {
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT id, update_id, occurred_on, date_approximate, freedom, violation,
		target, people_affected, place, description, victim_name FROM incidents WHERE update_id = ? ORDER BY position`), updateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.Incident
	for rows.Next() {
		var in civicmon.Incident
		var target sql.NullString
		if err := rows.Scan(&in.ID, &in.UpdateID, &in.OccurredOn, &in.DateApproximate, &in.Freedom, &in.Violation,
			&target, &in.PeopleAffected, &in.Place, &in.Description, &in.VictimName); err != nil {
			return nil, err
		}
		in.Target = target.String
		out = append(out, in)
	}
	return out, rows.Err()
}

func (s *Store) FindUpdates(ctx context.Context, f civicmon.UpdateFilter) ([]civicmon.Update, int, error) {
	where, args := updateWhere(f)
	if text, targs, err := s.textMatchCond(ctx, f.Text, where, args); err != nil {
		return nil, 0, err
	} else if text != "" {
		if where == "" {
			where = ` WHERE ` + text
		} else {
			where += ` AND ` + text
		}
		args = append(args, targs...)
	}
	total := -1
	if !f.SkipTotal {
		if err := s.reader().QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM updates u`+where), args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 1000)
	order := ` ORDER BY u.published_on DESC, u.id DESC`
	if f.Order == "oldest" {
		order = ` ORDER BY u.published_on, u.id`
	}
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT `+prefixed("u.", updateColumns)+` FROM updates u`+where+order+` LIMIT ? OFFSET ?`),
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []civicmon.Update
	for rows.Next() {
		var u civicmon.Update
		if err := scanUpdate(rows, &u); err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

func (s *Store) CountUpdatesByCountry(ctx context.Context, f civicmon.UpdateFilter) (map[string]int, error) {
	where, args := updateWhere(f)
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT u.country_code, COUNT(*) FROM updates u`+where+` GROUP BY u.country_code`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, rows.Err()
}

func updateWhere(f civicmon.UpdateFilter) (string, []any) {
	var conds []string
	var args []any
	if f.CountryCode != "" {
		conds = append(conds, `u.country_code = ?`)
		args = append(args, f.CountryCode)
	}
	if f.Region != "" {
		conds = append(conds, `u.country_code IN (SELECT code FROM countries WHERE region = ?)`)
		args = append(args, f.Region)
	}
	if f.Freedom != "" {
		conds = append(conds, `(u.freedoms & ?) <> 0`)
		args = append(args, int64(f.Freedom.Bit()))
	}
	if f.Violation != "" {
		conds = append(conds, `u.id IN (SELECT update_id FROM update_violations WHERE violation = ?)`)
		args = append(args, f.Violation)
	}
	if f.AuthorID != 0 {
		conds = append(conds, `u.author_id = ?`)
		args = append(args, f.AuthorID)
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, `u.status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if !f.Since.IsZero() {
		conds = append(conds, `u.published_on >= ?`)
		args = append(args, f.Since)
	}
	if !f.Until.IsZero() {
		conds = append(conds, `u.published_on <= ?`)
		args = append(args, f.Until)
	}
	if c := f.Before; c != nil {
		conds = append(conds, `(u.published_on < ? OR (u.published_on = ? AND u.id < ?))`)
		args = append(args, c.PublishedOn, c.PublishedOn, c.ID)
	}
	if c := f.After; c != nil {
		conds = append(conds, `(u.published_on > ? OR (u.published_on = ? AND u.id > ?))`)
		args = append(args, c.PublishedOn, c.PublishedOn, c.ID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args
}

func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
