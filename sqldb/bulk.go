package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
)

// InsertUpdates inserts many updates in one transaction: the path `civicmon
// gen` and imports take. Every update is validated as CreateUpdate would;
// the first invalid one aborts the batch with its index in the error, and
// nothing of the batch is kept. UIDs and slugs must be unique (no slug
// suffixing here); an empty UID gets a random one.
//
// It is built for throughput (docs/benchmarks.md): ids are reserved up
// front; a second goroutine validates the updates and builds their rows
// while this one inserts the previous rows; rows go in by multi-row INSERTs
// (64 updates, 256 violation tags or 128 incidents each) through statements
// prepared once per call; and the driver gets values it need not convert.
//
// On SQLite, a call outside InTx also runs with the connection's foreign key
// checks off, which saves about a sixth of the time: the references they
// would check (country, violation types, target groups, author) are checked
// here inside the same write transaction, and the rest point at rows this
// call inserts. A call inside InBulkTx runs without them too.
func (s *Store) InsertUpdates(ctx context.Context, us []civicmon.Update) error {
	if len(us) == 0 {
		return nil
	}
	if s.tx == nil && s.db.dialect.SingleWriter {
		return s.writeWithoutForeignKeys(ctx, func(tx *Store) error { return tx.insertUpdates(ctx, us, true) })
	}
	return s.write(ctx, func(tx *Store) error { return tx.insertUpdates(ctx, us, false) })
}

// writeWithoutForeignKeys is write on a SQLite connection whose foreign key
// enforcement is off for the transaction: PRAGMA foreign_keys only changes
// outside a transaction, so it takes the connection, switches the checks off,
// runs fn in a transaction and switches them back on. A connection that
// cannot be switched back is discarded, never returned to the pool. The
// transaction itself ends in runTx, like every other write.
func (s *Store) writeWithoutForeignKeys(ctx context.Context, fn func(tx *Store) error) (err error) {
	conn, err := s.db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	var on bool
	if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil {
		return err
	}
	if on {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return err
		}
		defer func() {
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); rerr != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, fmt.Errorf("switch foreign keys back on: %w", rerr))
			}
		}()
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	return s.runTx(ctx, sqlTx, fn)
}

// foreignKeysOff reports whether the SQLite connection of tx enforces no
// foreign keys (see writeWithoutForeignKeys and InBulkTx).
func (tx *Store) foreignKeysOff(ctx context.Context) (bool, error) {
	var on bool
	if err := tx.tx.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil {
		return false, err
	}
	return !on, nil
}

// InBulkTx is InTx for a bulk load, such as an import, that stores many
// updates through InsertUpdates inside one transaction. On SQLite the
// transaction runs with the connection's foreign key enforcement off, so
// that InsertUpdates needs no statement journals (see insertUpdates): the
// references the store's writes make are then checked only by the store's
// own checks in Go. InsertUpdates, SaveUpdate (Validate against the
// vocabulary, the country), AddRating (the country), ProposeRating and
// ApproveRatingProposal (the country, the accounts) and PutCountry (no
// references) check all of theirs; a method that leaves a reference or a
// cascading delete to the engine must not be called inside. Elsewhere
// (PostgreSQL, or inside a transaction already) it is InTx. On both, the
// updates InsertUpdates stores inside go into the engine's full-text index
// after the commit (search_deferred.go), and searches find them meanwhile.
func (s *Store) InBulkTx(ctx context.Context, fn func(tx civicmon.Store) error) error {
	top := s.tx == nil
	bulk := func(tx *Store) error { return fn(&Store{db: tx.db, tx: tx.tx, bulk: true, bulkTop: top}) }
	if s.tx == nil && s.db.dialect.SingleWriter {
		return s.writeWithoutForeignKeys(ctx, bulk)
	}
	return s.write(ctx, bulk)
}

// Committed is, inside a transaction InBulkTx began, the store outside
// it: it reads what is committed, on connections of its own, and may be
// used beside the transaction. On SQLite that is the database as it was
// when the transaction began (no other writer commits meanwhile), which
// lets an import look up the next batch's existing updates while the
// writer stores this one. ok is false anywhere else (InBulkTx inside a
// transaction already, whose earlier writes the store outside cannot see).
func (s *Store) Committed() (store civicmon.Store, ok bool) {
	if !s.bulkTop {
		return nil, false
	}
	return &Store{db: s.db}, true
}

// Rows per multi-row INSERT. Well under both engines' limits on bound
// parameters (SQLite 32766, PostgreSQL 65535).
const (
	bulkUpdateRows    = 64
	bulkIncidentRows  = 128
	bulkViolationRows = 256
)

const (
	bulkUpdateColumns = `id, uid, slug, country_code, title, summary, body, published_on, date_approximate,
	period_start, period_end, freedoms, violations, partner, sources, language, translations, status,
	internal_notes, author_id, created_at, updated_at`
	bulkIncidentColumns = `id, update_id, position, occurred_on, date_approximate, freedom, violation,
	target, people_affected, place, description, victim_name`
	bulkUpdateWidth    = 22
	bulkIncidentWidth  = 12
	bulkViolationWidth = 2
)

// insertUpdates inserts us inside tx. It checks every reference a foreign
// key would, so that it can run without them.
//
// On SQLite without foreign key checks (alone, in a transaction of its own,
// or inside InBulkTx) it also spares SQLite the statement journal of every
// multi-row INSERT: it leaves the rowids to SQLite (which gives each new
// row the largest rowid plus one: the ids reserved here, as each INSERT's
// last rowid confirms) and has a constraint violation end the transaction
// (alone: INSERT OR ROLLBACK) or the statement without undoing its earlier
// rows (inside InBulkTx: INSERT OR FAIL; the caller then rolls back, as it
// does after any error). A statement that may have to undo part of its work
// needs a journal; a journal opens a savepoint; and at every savepoint
// FTS5 writes the full-text index rows it holds in memory out as a new
// segment, which it must later merge. With statement journals an import
// wrote a segment per batch; without, FTS5 writes one when its memory
// fills (the hashsize of migration 9), and merges far less.
//
// A producer goroutine validates the updates and turns them into rows,
// chunk by chunk, while this one has the database insert the previous
// chunk.
func (tx *Store) insertUpdates(ctx context.Context, us []civicmon.Update, alone bool) error {
	vocab, err := tx.Vocabulary(ctx)
	if err != nil {
		return err
	}
	countries, err := tx.Countries(ctx)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(countries))
	for _, c := range countries {
		known[c.Code] = true
	}
	authors, err := tx.knownAuthors(ctx, us)
	if err != nil {
		return err
	}
	nIncidents := 0
	for i := range us {
		nIncidents += len(us[i].Incidents)
	}
	updateIDs, err := tx.newIDs(ctx, "updates", len(us))
	if err != nil {
		return err
	}
	incidentIDs, err := tx.newIDs(ctx, "incidents", nIncidents)
	if err != nil {
		return err
	}
	// Search: the published updates go into the full-text index too.
	indexSearch, err := tx.searchCurrent(ctx)
	if err != nil {
		return err
	}

	verb := "INSERT INTO "
	noJournal := false // see above
	if tx.db.dialect.SingleWriter {
		if noJournal, err = tx.foreignKeysOff(ctx); err != nil {
			return err
		}
		switch {
		case alone:
			verb = "INSERT OR ROLLBACK INTO "
		case noJournal:
			verb = "INSERT OR FAIL INTO "
		}
	}
	updateColumns, updateWidth := bulkUpdateColumns, bulkUpdateWidth
	incidentColumns, incidentWidth := bulkIncidentColumns, bulkIncidentWidth
	if noJournal {
		updateColumns, updateWidth = strings.TrimPrefix(updateColumns, "id, "), updateWidth-1
		incidentColumns, incidentWidth = strings.TrimPrefix(incidentColumns, "id, "), incidentWidth-1
	}
	stmts := [...]*bulkInsert{
		chunkUpdates:    tx.newBulkInsert(verb+`updates (`+updateColumns+`) VALUES `, updateWidth, bulkUpdateRows),
		chunkViolations: tx.newBulkInsert(verb+`update_violations (update_id, violation) VALUES `, bulkViolationWidth, bulkViolationRows),
		chunkIncidents:  tx.newBulkInsert(verb+`incidents (`+incidentColumns+`) VALUES `, incidentWidth, bulkIncidentRows),
		chunkSearch:     tx.newBulkInsert(tx.db.dialect.Text.Insert()),
	}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()

	p := &bulkProducer{
		us: us, vocab: vocab, known: known, authors: authors, now: tx.db.Now().UTC(),
		updateIDs: updateIDs, incidentIDs: incidentIDs, implicitIDs: noJournal,
		out: make(chan bulkChunk, 16), stop: make(chan struct{}), free: make(chan []any, 18),
	}
	// An import's updates go into the engine's index after its commit
	// (search_deferred.go).
	deferSearch := indexSearch && tx.bulk
	if indexSearch && !deferSearch {
		p.search = tx.db.dialect.Text
	}
	go p.run()
	defer func() {
		close(p.stop)
		for range p.out { // let the producer finish
		}
	}()

	// The driver watches a cancellable context with a goroutine per
	// statement; check ctx between statements instead.
	octx, ctx := ctx, context.WithoutCancel(ctx)
	for c := range p.out {
		if c.err != nil {
			return c.err
		}
		if err := octx.Err(); err != nil {
			return err
		}
		res, err := stmts[c.kind].exec(ctx, c.rows, c.args)
		if err != nil {
			if c.kind == chunkUpdates {
				return tx.bulkConflict(ctx, err, us, c.first, c.rows, alone, updateIDs[0])
			}
			return fmt.Errorf("updates %d to %d of %d: %w", c.first+1, c.last+1, len(us), err)
		}
		if c.lastID != 0 {
			// SQLite chose the rowids: they must be the ones reserved.
			if last, err := res.LastInsertId(); err != nil || last != c.lastID {
				return fmt.Errorf("updates %d to %d of %d: rows got ids up to %d, not the %d reserved (%v)",
					c.first+1, c.last+1, len(us), last, c.lastID, err)
			}
		}
		clear(c.args)
		select {
		case p.free <- c.args[:0]:
		default:
		}
	}
	if err := octx.Err(); err != nil {
		return err
	}
	// Search: tell the facet indexes which updates are new.
	if err := tx.searchLog(ctx, slices.Min(updateIDs), slices.Max(updateIDs)); err != nil {
		return err
	}
	if deferSearch {
		if err := tx.deferSearch(ctx, slices.Min(updateIDs), slices.Max(updateIDs)); err != nil {
			return err
		}
	}
	// One audit entry for the batch; no revisions (see civicmon.Revisions).
	return tx.audit(ctx, "update.bulk_insert", "update", us[0].UID,
		fmt.Sprintf("%d updates, ids %d to %d, %d incidents", len(us), us[0].ID, us[len(us)-1].ID, nIncidents))
}

// A bulkChunk is the rows of one multi-row INSERT, or the error that ends
// the producer.
type bulkChunk struct {
	kind        int // chunkUpdates, chunkViolations or chunkIncidents
	first, last int // the updates the rows come from
	rows        int
	args        []any
	// lastID, when not 0, is the id the last row must get from SQLite
	// (the rows' ids are not among args).
	lastID int64
	err    error
}

const (
	chunkUpdates = iota
	chunkViolations
	chunkIncidents
	chunkSearch // rows of the full-text index (search_write.go)
)

// bulkProducer validates updates and turns them into chunks of rows: all
// the updates first, then their violation tags, then their incidents, so
// that every row comes after the update it refers to.
type bulkProducer struct {
	us                     []civicmon.Update
	vocab                  *civicmon.Vocabulary
	known                  map[string]bool
	authors                map[int64]bool
	now                    time.Time
	updateIDs, incidentIDs []int64
	// implicitIDs: the rows of updates and incidents leave out their ids,
	// which SQLite gives them (see insertUpdates).
	implicitIDs bool
	out         chan bulkChunk
	stop        chan struct{} // closed when the consumer stops
	free        chan []any    // argument slices to reuse
	// search, when set, is the dialect whose full-text index rows the
	// producer makes for the published updates (nil: the index is stale,
	// see searchCurrent).
	search TextIndex
}

func (p *bulkProducer) run() {
	defer close(p.out)
	us := p.us
	slugs := make(map[string]int, len(us))
	uids := make(map[string]int, len(us))
	for start := 0; start < len(us); start += bulkUpdateRows {
		end := min(start+bulkUpdateRows, len(us))
		args := p.args(bulkUpdateWidth * (end - start))
		for i := start; i < end; i++ {
			u := &us[i]
			if err := p.check(i, u, slugs, uids); err != nil {
				p.send(bulkChunk{err: bulkErr(i, us, err)})
				return
			}
			if !p.implicitIDs {
				args = append(args, u.ID)
			}
			var err error
			if args, err = appendUpdateRow(args, u); err != nil {
				p.send(bulkChunk{err: bulkErr(i, us, err)})
				return
			}
		}
		c := bulkChunk{kind: chunkUpdates, first: start, last: end - 1, rows: end - start, args: args}
		if p.implicitIDs {
			c.lastID = us[end-1].ID
		}
		if !p.send(c) {
			return
		}
	}

	args, rows, first := p.args(bulkViolationWidth*bulkViolationRows), 0, 0
	for i := range us {
		for _, v := range us[i].Violations {
			if rows == 0 {
				first = i
			}
			args = append(args, us[i].ID, v)
			if rows++; rows == bulkViolationRows {
				if !p.send(bulkChunk{kind: chunkViolations, first: first, last: i, rows: rows, args: args}) {
					return
				}
				args, rows = p.args(bulkViolationWidth*bulkViolationRows), 0
			}
		}
	}
	if rows > 0 && !p.send(bulkChunk{kind: chunkViolations, first: first, last: len(us) - 1, rows: rows, args: args}) {
		return
	}

	args, rows, k := p.args(bulkIncidentWidth*bulkIncidentRows), 0, 0
	for i := range us {
		u := &us[i]
		for j := range u.Incidents {
			in := &u.Incidents[j]
			in.ID, in.UpdateID = p.incidentIDs[k], u.ID
			k++
			if rows == 0 {
				first = i
			}
			if !p.implicitIDs {
				args = append(args, in.ID)
			}
			args = append(args, in.UpdateID, int64(j+1), dateArg(in.OccurredOn), in.DateApproximate,
				string(in.Freedom), in.Violation, nullString(in.Target), int64(in.PeopleAffected), in.Place,
				in.Description, in.VictimName)
			if rows++; rows == bulkIncidentRows {
				if !p.send(p.incidentChunk(first, i, rows, args, in.ID)) {
					return
				}
				args, rows = p.args(bulkIncidentWidth*bulkIncidentRows), 0
			}
		}
	}
	if rows > 0 && !p.send(p.incidentChunk(first, len(us)-1, rows, args, p.incidentIDs[k-1])) {
		return
	}

	// Search: the published updates' full-text index rows, normalised here
	// beside the writer.
	if p.search == nil {
		return
	}
	_, width, per := p.search.Insert()
	args, rows = p.args(width*per), 0
	for i := range us {
		u := &us[i]
		if !u.Published() {
			continue
		}
		if rows == 0 {
			first = i
		}
		args = append(args, p.search.Row(u.ID, searchDoc(u))...)
		if rows++; rows == per {
			if !p.send(bulkChunk{kind: chunkSearch, first: first, last: i, rows: rows, args: args}) {
				return
			}
			args, rows = p.args(width*per), 0
		}
	}
	if rows > 0 {
		p.send(bulkChunk{kind: chunkSearch, first: first, last: len(us) - 1, rows: rows, args: args})
	}
}

// incidentChunk is a chunk of incident rows, the last of which has id
// lastID.
func (p *bulkProducer) incidentChunk(first, last, rows int, args []any, lastID int64) bulkChunk {
	c := bulkChunk{kind: chunkIncidents, first: first, last: last, rows: rows, args: args}
	if p.implicitIDs {
		c.lastID = lastID
	}
	return c
}

// check validates update i and fills in what the store sets.
func (p *bulkProducer) check(i int, u *civicmon.Update, slugs, uids map[string]int) error {
	if err := u.Validate(p.vocab); err != nil {
		return err
	}
	if !p.known[u.CountryCode] {
		return unknownCountry("update.country", u.CountryCode)
	}
	if u.AuthorID != 0 && !p.authors[u.AuthorID] {
		return &civicmon.ValidationError{Fields: []civicmon.FieldError{{
			Field: "update.author_id", Message: fmt.Sprintf("%d is not a user", u.AuthorID)}}}
	}
	if u.UID == "" {
		u.UID = NewUID()
	}
	if j, dup := slugs[u.Slug]; dup {
		return civicmon.Errorf(civicmon.ECONFLICT, "update %d of the same batch already has slug %q", j+1, u.Slug)
	}
	slugs[u.Slug] = i
	if j, dup := uids[u.UID]; dup {
		return civicmon.Errorf(civicmon.ECONFLICT, "update %d of the same batch already has id %q", j+1, u.UID)
	}
	uids[u.UID] = i
	if u.CreatedAt.IsZero() {
		u.CreatedAt = p.now
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	u.Version = 1 // the column's default
	u.ID = p.updateIDs[i]
	return nil
}

// args returns an empty argument slice with room for n values.
func (p *bulkProducer) args(n int) []any {
	select {
	case a := <-p.free:
		if cap(a) >= n {
			return a
		}
	default:
	}
	return make([]any, 0, n)
}

// send hands c to the consumer, or reports that the consumer stopped.
func (p *bulkProducer) send(c bulkChunk) bool {
	select {
	case p.out <- c:
		return true
	case <-p.stop:
		return false
	}
}

// knownAuthors looks up the users the updates name as authors.
func (tx *Store) knownAuthors(ctx context.Context, us []civicmon.Update) (map[int64]bool, error) {
	known := map[int64]bool{}
	for i := range us {
		id := us[i].AuthorID
		if _, seen := known[id]; id == 0 || seen {
			continue
		}
		var n int
		if err := tx.tx.QueryRowContext(ctx, tx.q(`SELECT COUNT(*) FROM users WHERE id = ?`), id).Scan(&n); err != nil {
			return nil, err
		}
		known[id] = n > 0
	}
	return known, nil
}

// bulkErr names update i of us in err.
func bulkErr(i int, us []civicmon.Update, err error) error {
	return fmt.Errorf("update %d of %d (%q): %w", i+1, len(us), us[i].Title, err)
}

// appendUpdateRow appends u's column values in bulkUpdateColumns order but
// for the id, already in the driver's own types so database/sql converts
// nothing.
func appendUpdateRow(args []any, u *civicmon.Update) ([]any, error) {
	sources := "[]"
	if len(u.Sources) > 0 {
		b, err := json.Marshal(u.Sources)
		if err != nil {
			return args, err
		}
		sources = string(b)
	}
	translations := "[]"
	if len(u.Translations) > 0 {
		b, err := json.Marshal(u.Translations)
		if err != nil {
			return args, err
		}
		translations = string(b)
	}
	return append(args, u.UID, u.Slug, u.CountryCode, u.Title, u.Summary, u.Body,
		dateArg(u.PublishedOn), u.DateApproximate, dateArg(u.PeriodStart), dateArg(u.PeriodEnd),
		int64(u.Freedoms), strings.Join(u.Violations, " "), u.Partner, sources, u.Language, translations,
		string(u.Status), u.InternalNotes, nullInt64(u.AuthorID), u.CreatedAt, u.UpdatedAt), nil
}

// dateArg is what Date.Value gives, without the interface call.
func dateArg(d civicmon.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// newIDs reserves n ids for new rows of table. PostgreSQL hands them out
// from the table's identity sequence, safe beside concurrent writers.
// Elsewhere (SQLite) the write transaction holds the only write lock, so
// the ids after the largest are free: the ones SQLite would pick itself.
func (tx *Store) newIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, n)
	if n == 0 {
		return ids, nil
	}
	if tx.db.dialect.Sequences {
		rows, err := tx.tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		i := 0
		for rows.Next() {
			if i == n {
				return nil, fmt.Errorf("reserve ids for %s: more than %d", table, n)
			}
			if err := rows.Scan(&ids[i]); err != nil {
				return nil, err
			}
			i++
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if i != n {
			return nil, fmt.Errorf("reserve ids for %s: got %d of %d", table, i, n)
		}
		return ids, nil
	}
	var last int64
	if err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
		return nil, err
	}
	for i := range ids {
		ids[i] = last + 1 + int64(i)
	}
	return ids, nil
}

// bulkInsert is a multi-row INSERT prepared for its full size, with the
// statement for a shorter last chunk made when needed.
type bulkInsert struct {
	tx     *Store
	prefix string
	width  int // columns per row
	rows   int // rows of the prepared statement
	full   *sql.Stmt
}

func (tx *Store) newBulkInsert(prefix string, width, rows int) *bulkInsert {
	return &bulkInsert{tx: tx, prefix: prefix, width: width, rows: rows}
}

func (b *bulkInsert) query(rows int) string {
	row := "(" + placeholders(b.width) + ")"
	var q strings.Builder
	q.Grow(len(b.prefix) + rows*(len(row)+2))
	q.WriteString(b.prefix)
	for i := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	return b.tx.q(q.String())
}

// exec inserts rows rows whose values are args.
func (b *bulkInsert) exec(ctx context.Context, rows int, args []any) (sql.Result, error) {
	if rows != b.rows {
		return b.tx.tx.ExecContext(ctx, b.query(rows), args...)
	}
	if b.full == nil {
		stmt, err := b.tx.tx.PrepareContext(ctx, b.query(rows))
		if err != nil {
			return nil, err
		}
		b.full = stmt
	}
	return b.full.ExecContext(ctx, args...)
}

func (b *bulkInsert) Close() {
	if b.full != nil {
		b.full.Close()
		b.full = nil
	}
}

// bulkConflict turns a unique violation in the chunk of n updates from
// start into an ECONFLICT error naming the update that clashes with a
// stored one. PostgreSQL has aborted the transaction by now, and SQLite
// rolled it back when alone, so it then looks through the read pool, which
// sees every committed update. Inside InBulkTx, SQLite kept the chunk's rows
// before the one that clashed (INSERT OR FAIL): those, whose ids are from
// firstID on, are not what it clashed with.
func (tx *Store) bulkConflict(ctx context.Context, err error, us []civicmon.Update, start, n int, alone bool, firstID int64) error {
	if !tx.db.dialect.IsUniqueViolation(err) {
		return fmt.Errorf("updates %d to %d of %d: %w", start+1, start+n, len(us), err)
	}
	var q querier = tx.tx
	if alone || tx.db.dialect.Sequences {
		q = tx.db.read
	}
	for i := start; i < start+n; i++ {
		u := &us[i]
		var slug, uid string
		e := q.QueryRowContext(ctx, tx.q(`SELECT slug, uid FROM updates WHERE (slug = ? OR uid = ?) AND id < ?`), u.Slug, u.UID, firstID).Scan(&slug, &uid)
		if errors.Is(e, sql.ErrNoRows) {
			continue
		}
		if e != nil {
			break
		}
		if slug == u.Slug {
			return bulkErr(i, us, civicmon.Errorf(civicmon.ECONFLICT, "an update with slug %q already exists", u.Slug))
		}
		return bulkErr(i, us, civicmon.Errorf(civicmon.ECONFLICT, "an update with id %q already exists", u.UID))
	}
	return fmt.Errorf("updates %d to %d of %d: %w", start+1, start+n, len(us),
		civicmon.Errorf(civicmon.ECONFLICT, "one of these updates has the slug or id of a stored update"))
}
