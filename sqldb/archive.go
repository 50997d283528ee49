package sqldb

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civicmon/civicmon"
)

// importedCond is true of an update created by the bulk path: every other
// way in (CreateUpdate) writes an "update.create" revision in the same
// transaction, and InsertUpdates writes none, so the absence of that
// revision marks an import (or a generator's update) for good, whatever
// edits follow. The revisions index (entity, entity_id, id) answers it.
const importedCond = `NOT EXISTS (SELECT 1 FROM revisions r WHERE r.entity = 'update' AND r.entity_id = u.id AND r.action = 'update.create')`

// ArchiveUpdates lists updates of every status for the workspace. Its text
// is matched as the public search matches it, drafts included (see
// textMatchCond).
func (s *Store) ArchiveUpdates(ctx context.Context, q civicmon.ArchiveQuery) ([]civicmon.ArchiveEntry, int, error) {
	if err := q.Validate(); err != nil {
		return nil, 0, err
	}
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if len(q.Statuses) > 0 {
		ph := placeholders(len(q.Statuses))
		a := make([]any, len(q.Statuses))
		for i, st := range q.Statuses {
			a[i] = string(st)
		}
		add(`u.status IN (`+ph+`)`, a...)
	}
	if q.CountryCode != "" {
		add(`u.country_code = ?`, q.CountryCode)
	}
	if q.Language != "" {
		add(`u.language = ?`, q.Language)
	}
	if q.AuthorID != 0 {
		add(`u.author_id = ?`, q.AuthorID)
	}
	if q.NoAuthor {
		add(`u.author_id IS NULL`)
	}
	if q.Imported {
		add(importedCond)
	}
	if !q.Since.IsZero() {
		add(`u.published_on >= ?`, q.Since)
	}
	if !q.Until.IsZero() {
		add(`u.published_on <= ?`, q.Until)
	}
	if !q.ChangedSince.IsZero() {
		add(`u.updated_at >= ?`, q.ChangedSince.Time().UTC())
	}
	if !q.ChangedUntil.IsZero() {
		add(`u.updated_at < ?`, civicmon.DayEnd(q.ChangedUntil).UTC())
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	if text, targs, err := s.textMatchCond(ctx, q.Text, where, args); err != nil {
		return nil, 0, err
	} else if text != "" {
		add(text, targs...)
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := s.reader().QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM updates u`+where), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	desc, asc := "DESC", "ASC"
	if q.Reverse {
		desc, asc = asc, desc
	}
	var order string
	switch q.Sort {
	case civicmon.SortPublished:
		// Unpublished updates (no date) after the published ones either way.
		order = `CASE WHEN u.published_on IS NULL THEN 1 ELSE 0 END, u.published_on ` + desc + `, u.id ` + desc
	case civicmon.SortCreated:
		order = `u.created_at ` + desc + `, u.id ` + desc
	case civicmon.SortTitle:
		order = `LOWER(u.title) ` + asc + `, u.id ` + asc
	case civicmon.SortCountry:
		order = `u.country_code ` + asc + `, u.updated_at DESC, u.id DESC`
	default:
		order = `u.updated_at ` + desc + `, u.id ` + desc
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 200)
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT `+prefixed("u.", updateColumns)+`, COALESCE(a.name, ''), `+
		`CASE WHEN `+importedCond+` THEN 1 ELSE 0 END FROM updates u LEFT JOIN users a ON a.id = u.author_id`+where+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`), append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []civicmon.ArchiveEntry
	for rows.Next() {
		var e civicmon.ArchiveEntry
		var imported int
		if err := scanUpdate(extraScan{rows, []any{&e.AuthorName, &imported}}, &e.Update); err != nil {
			return nil, 0, err
		}
		e.Imported = imported == 1
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// extraScan scans a row's leading columns into what scanUpdate gives and
// the trailing ones into extra, so that a query may select more than an
// update's columns and still read them with scanUpdate.
type extraScan struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.sc.Scan(append(dest, e.extra...)...) }

// textCond is the condition that the word appears in one of the columns,
// case folded. Where the engine's LOWER folds every script it is used;
// SQLite's LOWER and LIKE fold ASCII only, so there the word is also tried
// as typed, in lower case and with a capital first letter, which covers how
// names and words are written at the start of a sentence in Cyrillic and
// other scripts.
func (s *Store) textCond(word string, cols ...string) (string, []any) {
	pattern := func(w string) string {
		r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
		return "%" + r.Replace(w) + "%"
	}
	lower := strings.ToLower(word)
	variants := []string{lower}
	if !s.db.dialect.LowerFoldsAll {
		first, size := utf8.DecodeRuneInString(lower)
		if title := string(unicode.ToUpper(first)) + lower[size:]; title != lower {
			variants = append(variants, title)
		}
		if word != lower && word != variants[len(variants)-1] {
			variants = append(variants, word)
		}
	}
	var parts []string
	var args []any
	for _, col := range cols {
		expr := col
		if s.db.dialect.LowerFoldsAll {
			expr = `LOWER(` + col + `)`
		}
		for _, v := range variants {
			parts = append(parts, expr+` LIKE ? ESCAPE '\'`)
			args = append(args, pattern(v))
		}
	}
	return `(` + strings.Join(parts, ` OR `) + `)`, args
}

// ArchiveRatingProposals lists rating change proposals for the workspace.
func (s *Store) ArchiveRatingProposals(ctx context.Context, q civicmon.ProposalQuery) ([]civicmon.RatingProposal, int, error) {
	if err := q.Validate(); err != nil {
		return nil, 0, err
	}
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if len(q.Statuses) > 0 {
		a := make([]any, len(q.Statuses))
		for i, st := range q.Statuses {
			a[i] = st
		}
		add(`status IN (`+placeholders(len(q.Statuses))+`)`, a...)
	}
	if q.CountryCode != "" {
		add(`country_code = ?`, q.CountryCode)
	}
	if q.ProposedBy != 0 {
		add(`proposed_by = ?`, q.ProposedBy)
	}
	if !q.Since.IsZero() {
		add(`effective_date >= ?`, q.Since)
	}
	if !q.Until.IsZero() {
		add(`effective_date <= ?`, q.Until)
	}
	for _, w := range strings.Fields(strings.ToValidUTF8(q.Text, " ")) {
		c, a := s.textCond(w, "rationale", "source", "decision_note")
		add(c, a...)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := s.reader().QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM rating_proposals`+where), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	desc, asc := "DESC", "ASC"
	if q.Reverse {
		desc, asc = asc, desc
	}
	order := `proposed_at ` + desc + `, id ` + desc
	switch q.Sort {
	case "effective":
		order = `effective_date ` + desc + `, id ` + desc
	case "country":
		order = `country_code ` + asc + `, effective_date DESC, id DESC`
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 200)
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT `+proposalColumns+` FROM rating_proposals`+where+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`), append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []civicmon.RatingProposal
	for rows.Next() {
		var p civicmon.RatingProposal
		if err := scanProposal(rows, &p); err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}
