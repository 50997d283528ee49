package sqldb

// The write side of search: every write that changes an update changes the
// full-text index in the same transaction (searchForget before it,
// searchAdd after it) and appends the update's id to search_log, from
// which every process's in-memory facet index catches up (search_index.go).
// Only published updates are in the full-text index.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/search"
)

// searchMigration is the schema version that creates the search tables.
const searchMigration = 9

func init() {
	// Index the updates an upgraded database already holds, in the
	// migration's transaction: it is searchable as soon as it is migrated.
	afterMigration[searchMigration] = func(ctx context.Context, tx *Store) error {
		return tx.rebuildSearch(ctx, nil)
	}
	// A database without updates has its (empty) postings up to date; one
	// with updates has them built by the first flush (the server's, in the
	// background), searches asking the engine's index until then.
	afterMigration[postingsMigration] = func(ctx context.Context, tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE search_state SET postings_upto = (SELECT COALESCE(MAX(seq), 0) FROM search_log),
			postings_version = ? WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM updates)`), postingsFormat)
		return err
	}
}

// postingsMigration is the schema version that creates the postings.
const postingsMigration = 18

// searchDoc is the text of u that the index holds: title, summary and
// body, each followed by its translations.
func searchDoc(u *civicmon.Update) search.Doc {
	var b search.DocBuilder
	b.Add(u.Language, u.Title, u.Summary, u.Body)
	for _, t := range u.Translations {
		b.Add(t.Language, t.Title, t.Summary, t.Body)
	}
	return b.Doc()
}

// searchCurrent reports whether the full-text index was built by this
// version of the normaliser. When it was not, writes leave the index alone
// (a contentless FTS5 index can forget a row only given the tokens it was
// given), searches say to run `civicmon reindex`, and Reindex rebuilds it.
func (tx *Store) searchCurrent(ctx context.Context) (bool, error) {
	var v int
	err := tx.tx.QueryRowContext(ctx, `SELECT normalizer FROM search_state WHERE id = 1`).Scan(&v)
	if err != nil {
		if tx.db.dialect.isMissingTable(err) {
			return false, nil // migrating: the search tables come later
		}
		return false, fmt.Errorf("search state: %w", err)
	}
	return v == search.IndexVersion, nil
}

// searchAdd puts u in the index when it is published.
func (tx *Store) searchAdd(ctx context.Context, u *civicmon.Update) error {
	if !u.Published() {
		return nil
	}
	if ok, err := tx.searchCurrent(ctx); !ok || err != nil {
		return err
	}
	if later, err := tx.searchDeferred(ctx, u.ID); later || err != nil {
		return err // the flush indexes it as it is then
	}
	text := tx.db.dialect.Text
	prefix, width, _ := text.Insert()
	_, err := tx.tx.ExecContext(ctx, tx.q(prefix+"("+placeholders(width)+")"), text.Row(u.ID, searchDoc(u))...)
	if err != nil {
		return fmt.Errorf("index update %d for search: %w", u.ID, err)
	}
	return nil
}

// searchForget takes update id out of the index, before a write changes or
// deletes it. FTS5 without content forgets a row only given the tokens it
// was given, so SQLite rebuilds them from the stored update.
func (tx *Store) searchForget(ctx context.Context, id int64) error {
	if ok, err := tx.searchCurrent(ctx); !ok || err != nil {
		return err
	}
	if later, err := tx.searchDeferred(ctx, id); later || err != nil {
		return err // not in the index yet
	}
	err := tx.db.dialect.Text.Forget(ctx, tx.tx, id, func() (search.Doc, bool, error) {
		var u civicmon.Update
		var translations string
		err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT title, summary, body, translations, status, language FROM updates WHERE id = ?`), id).
			Scan(&u.Title, &u.Summary, &u.Body, &translations, &u.Status, &u.Language)
		if errors.Is(err, sql.ErrNoRows) {
			return search.Doc{}, false, nil
		}
		if err != nil {
			return search.Doc{}, false, err
		}
		if !u.Published() {
			return search.Doc{}, false, nil
		}
		if err := json.Unmarshal([]byte(translations), &u.Translations); err != nil {
			return search.Doc{}, false, fmt.Errorf("update %d: translations: %w", id, err)
		}
		return searchDoc(&u), true, nil
	})
	if err != nil {
		return fmt.Errorf("remove update %d from the search index: %w", id, err)
	}
	return nil
}

// searchLog records that the updates with ids first to last changed, for
// the facet indexes of every process. On PostgreSQL it takes the audit
// lock first, held to the commit, so that log entries commit in the order
// of their numbers and a reader never sees a later entry before an
// earlier one.
func (tx *Store) searchLog(ctx context.Context, first, last int64) error {
	if lock := tx.db.dialect.LockAudit; lock != nil {
		if err := lock(ctx, tx.tx); err != nil {
			return err
		}
	}
	_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO search_log (first_id, last_id) VALUES (?, ?)`), first, last)
	if err != nil && tx.db.dialect.isMissingTable(err) {
		return nil // migrating: the search tables come later
	}
	return err
}

// Reindex rebuilds the full-text index from the published updates, in one
// transaction: searches see the old index until it commits, and writes
// wait for it. progress, when set, is called with the number of updates
// indexed so far and the total. On SQLite it ends by merging the index
// into one segment (FTS5 'optimize'), which makes queries faster.
//
// Run it after upgrading to a civicmon whose normaliser changed (searches
// say so), or if the index is ever suspected to be wrong.
func (s *Store) Reindex(ctx context.Context, progress func(done, total int)) error {
	return s.write(ctx, func(tx *Store) error {
		// The postings are built again from every update by the next
		// flush.
		if err := tx.clearPostings(ctx); err != nil {
			return err
		}
		if err := tx.rebuildSearch(ctx, progress); err != nil {
			return err
		}
		// Every published update is in the index now.
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM search_deferred`); err != nil {
			return err
		}
		if err := tx.db.dialect.Text.Optimize(ctx, tx.tx); err != nil {
			return fmt.Errorf("optimize the search index: %w", err)
		}
		// An empty id range: no facet changes, but a new generation for
		// the caches of full-text lookups.
		if err := tx.searchLog(ctx, 0, -1); err != nil {
			return err
		}
		return tx.audit(ctx, "search.reindex", "search", "", "")
	})
}

// reindexChunk is how many updates Reindex reads and indexes at a time.
const reindexChunk = 1000

// rebuildSearch empties the index and indexes every published update.
func (tx *Store) rebuildSearch(ctx context.Context, progress func(done, total int)) error {
	text := tx.db.dialect.Text
	if err := text.Clear(ctx, tx.tx); err != nil {
		return err
	}
	var total int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM updates WHERE status = 'published'`).Scan(&total); err != nil {
		return err
	}
	if progress != nil {
		progress(0, total)
	}
	ins := tx.newBulkInsert(text.Insert())
	defer ins.Close()
	done := 0
	var after int64
	var batch []any
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, err := tx.tx.QueryContext(ctx, tx.q(`SELECT id, title, summary, body, translations, language FROM updates
			WHERE status = 'published' AND id > ? ORDER BY id LIMIT ?`), after, reindexChunk)
		if err != nil {
			return err
		}
		var us []civicmon.Update
		for rows.Next() {
			var u civicmon.Update
			if err := scanIndexedText(rows, &u); err != nil {
				rows.Close()
				return err
			}
			us = append(us, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(us) == 0 {
			break
		}
		for i := 0; i < len(us); i += ins.rows {
			part := us[i:min(i+ins.rows, len(us))]
			batch = batch[:0]
			for j := range part {
				batch = append(batch, text.Row(part[j].ID, searchDoc(&part[j]))...)
			}
			if _, err := ins.exec(ctx, len(part), batch); err != nil {
				return fmt.Errorf("index updates %d to %d: %w", part[0].ID, part[len(part)-1].ID, err)
			}
		}
		after = us[len(us)-1].ID
		done += len(us)
		if progress != nil {
			progress(done, total)
		}
	}
	_, err := tx.tx.ExecContext(ctx, tx.q(`UPDATE search_state SET normalizer = ? WHERE id = 1`), search.IndexVersion)
	return err
}

// scanIndexedText scans the columns of an update the search indexes, in
// this order: id, title, summary, body, translations, language.
func scanIndexedText(sc interface{ Scan(...any) error }, u *civicmon.Update) error {
	var translations string
	if err := sc.Scan(&u.ID, &u.Title, &u.Summary, &u.Body, &translations, &u.Language); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(translations), &u.Translations); err != nil {
		return fmt.Errorf("update %d: translations: %w", u.ID, err)
	}
	return nil
}

// searchColumnsSQL lists the update columns a search result needs: the
// public ones of a result list, and nothing private.
const searchColumnsSQL = `id, uid, slug, country_code, title, summary, body, published_on, date_approximate,
	freedoms, violations, partner, language, translations, status`

func scanSearchHit(sc interface{ Scan(...any) error }, u *civicmon.Update) error {
	var violations, translations string
	if err := sc.Scan(&u.ID, &u.UID, &u.Slug, &u.CountryCode, &u.Title, &u.Summary, &u.Body, &u.PublishedOn,
		&u.DateApproximate, &u.Freedoms, &violations, &u.Partner, &u.Language, &translations, &u.Status); err != nil {
		return err
	}
	u.Violations = strings.Fields(violations)
	return json.Unmarshal([]byte(translations), &u.Translations)
}
