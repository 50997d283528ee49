package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/civicmon/civicmon/search"
)

// TextIndex is an engine's full-text index of the published updates: the
// one part of search that differs between the engines. The text it is
// given is already analysed (package search): it stores tokens and finds
// the updates whose tokens match a lookup, nothing more — no scoring, no
// order, no filters, which the facet index does for both engines alike
// (see docs/architecture.md, "Search"). Its implementations live in the
// sqlite and postgres packages.
type TextIndex interface {
	// Insert is the INSERT statement's start ("INSERT INTO t (a, b)
	// VALUES "), the values of one row (Row's length), and how many rows
	// one statement should carry.
	Insert() (prefix string, width, rows int)
	// Row is the values of update id's row.
	Row(id int64, doc search.Doc) []any
	// Forget takes update id out of the index, inside tx. stored returns
	// the document the index was given for it (ok false when it was not
	// published), for engines that must be told what to forget.
	Forget(ctx context.Context, tx *sql.Tx, id int64, stored func() (doc search.Doc, ok bool, err error)) error
	// Clear empties the index, inside tx.
	Clear(ctx context.Context, tx *sql.Tx) error
	// Optimize compacts the index after a rebuild, inside tx.
	Optimize(ctx context.Context, tx *sql.Tx) error
	// Match returns the ids, as "1,2,3", of the updates from l.Lo up to
	// (not including) l.Hi that match the lookup.
	Match(ctx context.Context, read *sql.DB, l Lookup) (string, error)
	// Known returns those of tokens that some indexed update holds, in
	// the order given.
	Known(ctx context.Context, read *sql.DB, tokens []string) ([]string, error)
	// Ranges reports whether a lookup of part of the ids costs less than
	// one of all of them, so that a search may split into parts.
	Ranges() bool
}

// LookupKind says what a Lookup asks.
type LookupKind uint8

const (
	// LookupMatch: the updates that match the query: every positive
	// clause, and none of the negative ones.
	LookupMatch LookupKind = iota
	// LookupExclude: the updates that match any of the query's negative
	// clauses (for a query of exclusions only).
	LookupExclude
	// LookupTitle: the updates that have Clause in the title.
	LookupTitle
	// LookupSummary: the updates that have Clause in the summary.
	LookupSummary
	// LookupExact: the updates that have Clause anywhere.
	LookupExact
)

// Lookup is one question to a TextIndex.
type Lookup struct {
	Kind   LookupKind
	Query  *search.Query // LookupMatch, LookupExclude
	Clause search.Clause // LookupTitle, LookupSummary, LookupExact
	Lo, Hi int64         // ids from Lo up to, not including, Hi
}

// Whole reports whether the lookup covers every id.
func (l Lookup) Whole() bool { return l.Lo == minID && l.Hi == maxID }

// key identifies the lookup in the cache of recent ones.
func (l Lookup) key() string {
	var q string
	switch l.Kind {
	case LookupMatch, LookupExclude:
		q = l.Query.String()
	default:
		q = (&search.Query{Clauses: []search.Clause{{Alts: l.Clause.Alts}}}).String()
	}
	return fmt.Sprintf("%d\x00%s\x00%d\x00%d", l.Kind, q, l.Lo, l.Hi)
}
