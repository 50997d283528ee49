package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/civicmon/civicmon/search"
	"github.com/civicmon/civicmon/sqldb"
)

// fts5 is SQLite's full-text index: the contentless FTS5 table
// update_search(title, summary, body) with the ascii tokenizer, which
// splits the analysed text only at the spaces Go wrote (see
// docs/architecture.md, "Search").
type fts5 struct{}

// Insert: one row per statement. An INSERT of several rows into a virtual
// table runs with a statement journal, and FTS5 writes its pending terms
// out as a new segment at the start of every such statement (its
// xSavepoint), so multi-row INSERTs made a segment per INSERT and kept
// FTS5 merging them.
func (fts5) Insert() (string, int, int) {
	return `INSERT INTO update_search (rowid, title, summary, body) VALUES `, 4, 1
}

func (fts5) Row(id int64, doc search.Doc) []any {
	return []any{id, doc.Title, doc.Summary, doc.Body}
}

// Forget: a contentless FTS5 table forgets a row only given the tokens it
// was given, so they are made again from the stored update.
func (fts5) Forget(ctx context.Context, tx *sql.Tx, id int64, stored func() (search.Doc, bool, error)) error {
	doc, ok, err := stored()
	if err != nil || !ok {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO update_search (update_search, rowid, title, summary, body) VALUES ('delete', ?, ?, ?, ?)`,
		id, doc.Title, doc.Summary, doc.Body)
	return err
}

func (fts5) Clear(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO update_search (update_search) VALUES ('delete-all')`)
	return err
}

// Optimize merges the index into one segment, which makes queries faster.
func (fts5) Optimize(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO update_search (update_search) VALUES ('optimize')`)
	return err
}

func (fts5) Match(ctx context.Context, read *sql.DB, l sqldb.Lookup) (string, error) {
	var expr string
	switch l.Kind {
	case sqldb.LookupMatch:
		expr = l.Query.MatchFTS5()
	case sqldb.LookupExclude:
		expr = l.Query.ExcludeFTS5()
	case sqldb.LookupTitle:
		expr = search.ClauseFTS5(l.Clause, "title")
	case sqldb.LookupSummary:
		expr = search.ClauseFTS5(l.Clause, "summary")
	case sqldb.LookupExact:
		expr = (&search.Query{Clauses: []search.Clause{{Alts: l.Clause.Alts}}}).MatchFTS5()
	}
	var list sql.NullString
	var err error
	if l.Whole() {
		err = read.QueryRowContext(ctx, `SELECT group_concat(rowid) FROM update_search WHERE update_search MATCH ?`, expr).Scan(&list)
	} else {
		err = read.QueryRowContext(ctx, `SELECT group_concat(rowid) FROM update_search WHERE update_search MATCH ? AND rowid >= ? AND rowid < ?`,
			expr, l.Lo, l.Hi).Scan(&list)
	}
	return list.String, err
}

// Known looks the tokens up in the index's vocabulary (fts5vocab), a seek
// each.
func (fts5) Known(ctx context.Context, read *sql.DB, tokens []string) ([]string, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(tokens)
	if err != nil {
		return nil, err
	}
	rows, err := read.QueryContext(ctx, `SELECT t.value FROM json_each(?) t
		WHERE EXISTS (SELECT 1 FROM update_search_terms v WHERE v.term = t.value) ORDER BY t.key`, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Ranges: FTS5 answers a rowid range by seeking within a term's list.
func (fts5) Ranges() bool { return true }
