package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/search"
)

// textMatchCond is the condition, over updates aliased u, that an update
// matches text as a search matches it — the same analysis: every form of a
// word, names across scripts, phrases, exclusions. Published updates are
// looked up in the full-text index; the others (drafts, updates in review,
// archived ones), which the index does not hold, are analysed here in Go,
// only those that where (with args) leaves: a workspace holds few of them
// beside the published archive. It returns "" when text has no words.
func (s *Store) textMatchCond(ctx context.Context, text, where string, args []any) (string, []any, error) {
	q := search.Parse(text)
	if q.Empty() {
		return "", nil, nil
	}
	var normalizer int
	if err := s.reader().QueryRowContext(ctx, `SELECT normalizer FROM search_state WHERE id = 1`).Scan(&normalizer); err != nil {
		return "", nil, fmt.Errorf("search state: %w", err)
	}
	if normalizer != search.IndexVersion {
		return "", nil, errSearchStale()
	}
	eq := q.Expand()
	in := s.db.dialect.InIDs
	var published string
	var ids []int64
	var err error
	if q.HasPositive() {
		published = `u.id` + in
	} else {
		published = `NOT (u.id` + in + `)`
	}
	ready, err := s.db.postings().usable(ctx, s.db)
	switch {
	case err != nil:
		return "", nil, err
	case ready:
		m, err := s.postingsMatch(ctx, q, eq, false)
		if err != nil {
			return "", nil, err
		}
		set := m.ids
		if m.all {
			set = m.exclude
		}
		it := set.Iterator()
		for it.HasNext() {
			ids = append(ids, int64(it.Next()))
		}
	case q.HasPositive():
		ids, err = s.matchIDs(ctx, Lookup{Kind: LookupMatch, Query: eq, Lo: minID, Hi: maxID})
	default:
		ids, err = s.matchIDs(ctx, Lookup{Kind: LookupExclude, Query: eq, Lo: minID, Hi: maxID})
	}
	if err != nil {
		return "", nil, err
	}

	unpublished := `u.status <> '` + string(civicmon.StatusPublished) + `'`
	w := ` WHERE ` + unpublished
	if where != "" {
		w = where + ` AND ` + unpublished
	}
	rows, err := s.reader().QueryContext(ctx, s.q(`SELECT `+prefixed("u.", updateColumns)+` FROM updates u`+w), args...)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	var others []int64
	for rows.Next() {
		var u civicmon.Update
		if err := scanUpdate(rows, &u); err != nil {
			return "", nil, err
		}
		if eq.Matches(searchDoc(&u)) {
			others = append(others, u.ID)
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	cond := `((u.status = '` + string(civicmon.StatusPublished) + `' AND ` + published + `) OR (` + unpublished + ` AND u.id` + in + `))`
	return cond, []any{jsonIDs(ids), jsonIDs(others)}, nil
}

// jsonIDs is ids as a JSON array, the parameter of Dialect.InIDs.
func jsonIDs(ids []int64) string {
	if ids == nil {
		return "[]"
	}
	b, _ := json.Marshal(ids) // []int64 always marshals
	return string(b)
}
