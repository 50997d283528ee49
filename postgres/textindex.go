package postgres

import (
	"context"
	"database/sql"

	"github.com/civicmon/civicmon/search"
	"github.com/civicmon/civicmon/sqldb"
)

// tsvectors is PostgreSQL's full-text index: update_search(doc, title,
// summary), tsvector literals built in Go from the analysed text (no text
// search configuration involved), each with a GIN index.
type tsvectors struct{}

func (tsvectors) Insert() (string, int, int) {
	return `INSERT INTO update_search (update_id, doc, title, summary) VALUES `, 4, 32
}

func (tsvectors) Row(id int64, doc search.Doc) []any {
	return []any{id, search.TSVector(doc.Title, doc.Summary, doc.Body), search.TSVector(doc.Title), search.TSVector(doc.Summary)}
}

func (tsvectors) Forget(ctx context.Context, tx *sql.Tx, id int64, _ func() (search.Doc, bool, error)) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM update_search WHERE update_id = $1`, id)
	return err
}

func (tsvectors) Clear(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM update_search`)
	return err
}

func (tsvectors) Optimize(context.Context, *sql.Tx) error { return nil }

// Match lists the matches of a tsquery through the GIN index, whatever
// the planner thinks. For a word in half the updates it picks a
// sequential scan, costing @@ per row as if a tsvector were cheap to
// read: at a million updates that scan reads and decompresses every
// update's tsvector, 12 s, where the bitmap of the GIN index, kept exact
// in 64 MB of work_mem, reads the table's pages once without evaluating
// @@ again, 1–2 s. JIT compilation, which the same estimates switch on,
// would add 10–20 ms to every lookup.
func (tsvectors) Match(ctx context.Context, read *sql.DB, l sqldb.Lookup) (string, error) {
	column, expr := "doc", ""
	switch l.Kind {
	case sqldb.LookupMatch:
		expr = l.Query.MatchTS()
	case sqldb.LookupExclude:
		expr = l.Query.ExcludeTS()
	case sqldb.LookupTitle:
		column, expr = "title", search.ClauseTS(l.Clause)
	case sqldb.LookupSummary:
		column, expr = "summary", search.ClauseTS(l.Clause)
	case sqldb.LookupExact:
		expr = search.ClauseTS(l.Clause)
	}
	var list sql.NullString
	tx, err := read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_seqscan', 'off', true),
		set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`); err != nil {
		return "", err
	}
	if l.Whole() {
		err = tx.QueryRowContext(ctx, `SELECT string_agg(update_id::text, ',') FROM update_search WHERE `+
			column+` @@ $1::tsquery`, expr).Scan(&list)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT string_agg(update_id::text, ',') FROM update_search WHERE `+
			column+` @@ $1::tsquery AND update_id >= $2 AND update_id < $3`, expr, l.Lo, l.Hi).Scan(&list)
	}
	return list.String, err
}

// Known asks the GIN index, a lookup per token, whether any update holds
// it; a token that none holds costs a probe of the index's entry tree.
func (tsvectors) Known(ctx context.Context, read *sql.DB, tokens []string) ([]string, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	lexemes := make([]string, len(tokens))
	for i, t := range tokens {
		lexemes[i] = search.ClauseTS(search.Clause{Alts: []search.Phrase{{t}}})
	}
	tx, err := read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.n FROM unnest($1::text[]) WITH ORDINALITY AS t(q, n)
		WHERE EXISTS (SELECT 1 FROM update_search WHERE doc @@ t.q::tsquery) ORDER BY t.n`, lexemes)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, tokens[n-1])
	}
	return out, rows.Err()
}

// Ranges: a GIN index cannot look up part of a term's list.
func (tsvectors) Ranges() bool { return false }
