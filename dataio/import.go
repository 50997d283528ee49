package dataio

import (
	"bufio"
	"bytes"
	"context"

	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/metrics"
)

// Input is one file to import.
type Input struct {
	Name string // shown in errors; its extension picks the format
	R    io.Reader
}

// ImportOptions change how an import runs.
type ImportOptions struct {
	// DryRun does everything, checks everything and reports, then rolls
	// back: nothing is stored.
	DryRun bool
	// Progress, when set, is told how many records were read so far.
	Progress func(records int)
	// Actor is the account the import runs as (civicmon import --as): the
	// audit log names it, it proposes the ratings and it is the author of
	// the updates a dossier creates. It must exist and be enabled. Zero is
	// allowed only while the database has no accounts (a first load, as a
	// restore: no one yet to review), when ratings are stored as they are.
	Actor int64
	// ApprovedBy, when not zero, is a second account, with the
	// ratings:approve permission, that approves the import's rating
	// proposals in the same transaction (civicmon import --approved-by):
	// the audit log records the proposal by Actor and the approval by
	// ApprovedBy. Without it, ratings wait as proposals for a second
	// person to approve them in the workspace.
	ApprovedBy int64
	// Today is the day the report calls "now": a rating effective after
	// it is scheduled, public only from its day. The zero Date is the
	// day of time.Now.
	Today civicmon.Date
	// Comma is the CSV field separator; ',' when zero.
	Comma rune
}

// Counts says what an import did to one kind of record.
type Counts struct {
	Created, Updated, Unchanged int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged", c.Created, c.Updated, c.Unchanged)
}

// Report is what an import did, or with DryRun would do.
type Report struct {
	Countries, Ratings, Updates Counts
	// RatingsProposed counts the ratings stored as pending proposals,
	// which take effect when a second person approves them.
	RatingsProposed int
	// ApprovedBy is the e-mail address of the account that approved the
	// import's ratings (ImportOptions.ApprovedBy), if any.
	ApprovedBy string
	// Scheduled lists the ratings created or proposed that take effect
	// after the import's day: they are public only from then.
	Scheduled []civicmon.Rating
	Today     civicmon.Date
	DryRun    bool
}

func (r *Report) String() string {
	var b strings.Builder
	if r.DryRun {
		b.WriteString("dry run, nothing stored; it would give:\n")
	}
	fmt.Fprintf(&b, "countries: %s\n", r.Countries)
	if r.RatingsProposed > 0 {
		fmt.Fprintf(&b, "ratings: %d proposed, %d unchanged\n", r.RatingsProposed, r.Ratings.Unchanged)
	} else {
		fmt.Fprintf(&b, "ratings: %s\n", r.Ratings)
	}
	fmt.Fprintf(&b, "updates: %s", r.Updates)
	now := r.Ratings.Created - r.scheduledCreated()
	switch {
	case r.RatingsProposed == 1:
		b.WriteString("\nthe proposed rating is not public: it takes effect when a second person (ratings:approve) approves it in the workspace, /admin/ratings")
	case r.RatingsProposed > 1:
		fmt.Fprintf(&b, "\nthe %d proposed ratings are not public: each takes effect when a second person (ratings:approve) approves it in the workspace, /admin/ratings", r.RatingsProposed)
	}
	if r.ApprovedBy != "" && r.Ratings.Created > 0 {
		fmt.Fprintf(&b, "\nratings approved by %s: %d", r.ApprovedBy, r.Ratings.Created)
	}
	if now > 0 {
		fmt.Fprintf(&b, "\nnew ratings now public: %d", now)
	}
	for _, s := range r.Scheduled {
		if r.RatingsProposed > 0 {
			fmt.Fprintf(&b, "\n%s %s: dated after today; once approved, scheduled for %s and not public until that day", s.CountryCode, s.Category, s.EffectiveDate)
		} else {
			fmt.Fprintf(&b, "\n%s %s: scheduled for %s, not public until that day", s.CountryCode, s.Category, s.EffectiveDate)
		}
	}
	return b.String()
}

func (r *Report) scheduledCreated() int {
	if r.RatingsProposed > 0 {
		return 0
	}
	return len(r.Scheduled)
}

// Error is a problem with one place of one input file.
type Error struct {
	File   string
	Line   int // 0 when unknown
	Column int // 0 when unknown
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// where is the place of a record in its input.
type where struct {
	file         string
	line, column int
}

// fail wraps err with the place it concerns; validation errors become one
// Error per field, the first of which is returned.
func (w where) fail(err error) error {
	var ve *civicmon.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		f := ve.Fields[0]
		msg := f.Message
		if len(ve.Fields) > 1 {
			msg += fmt.Sprintf(" (and %d more problems in this record)", len(ve.Fields)-1)
		}
		return &Error{File: w.file, Line: w.line, Column: w.column, Field: f.Field, Msg: msg}
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{File: w.file, Line: w.line, Column: w.column, Msg: civicmon.ErrorMessage(err) + detail(err)}
}

func detail(err error) string {
	if civicmon.ErrorCode(err) == civicmon.EINTERNAL {
		return " (" + err.Error() + ")"
	}
	return ""
}

var errDryRun = errors.New("dry run")

// bulkStore is a store with a transaction made for bulk loads
// (sqldb.Store.InBulkTx).
type bulkStore interface {
	InBulkTx(ctx context.Context, fn func(tx civicmon.Store) error) error
}

// Import reads the inputs and stores what they hold in one transaction:
// all of it, or on the first error nothing. Records are matched by their
// stable ids — countries by code, ratings by country and date, updates by
// id — so importing the same files twice changes nothing the second time.
func Import(ctx context.Context, s civicmon.Store, inputs []Input, o ImportOptions) (*Report, error) {
	if o.Today.IsZero() {
		o.Today = civicmon.DateOf(time.Now())
	}
	rep := &Report{DryRun: o.DryRun, Today: o.Today}
	if o.Actor != 0 {
		ctx = civicmon.WithActor(ctx, o.Actor)
	}
	inTx := s.InTx
	if b, ok := s.(bulkStore); ok {
		// Every store method an import calls checks the references it
		// writes (see InBulkTx).
		inTx = b.InBulkTx
	}
	err := inTx(ctx, func(tx civicmon.Store) error {
		im, err := newImporter(ctx, tx, rep, o)
		if err != nil {
			return err
		}
		if err := im.readAll(inputs); err != nil {
			// The batch still being stored came before the error: its
			// error comes first, and the transaction must not end under it.
			if serr := im.wait(); serr != nil {
				return serr
			}
			return err
		}
		if err := im.orphanIncidents(); err != nil {
			return err
		}
		if o.DryRun {
			return errDryRun
		}
		return im.audit(inputs)
	})
	if errors.Is(err, errDryRun) {
		return rep, nil
	}
	if err != nil {
		metrics.Count("imports", "failed", 1)
		return nil, err
	}
	metrics.Count("imports", "done", 1)
	for kind, c := range map[string]Counts{"country": rep.Countries, "rating": rep.Ratings, "update": rep.Updates} {
		metrics.Count("import_records_created", kind, c.Created)
		metrics.Count("import_records_updated", kind, c.Updated)
	}
	return rep, nil
}

// readAll reads the inputs and stores what they hold.
func (im *importer) readAll(inputs []Input) error {
	// CSV tables go in dependency order whatever the order given.
	sort.SliceStable(inputs, func(i, j int) bool { return inputRank(inputs[i]) < inputRank(inputs[j]) })
	for _, in := range inputs {
		if err := im.read(in); err != nil {
			return err
		}
	}
	if err := im.flush(); err != nil {
		return err
	}
	return im.wait()
}

func inputRank(in Input) int {
	base := strings.ToLower(filepath.Base(in.Name))
	for i, t := range Tables {
		if strings.HasPrefix(base, string(t)) && strings.HasSuffix(base, ".csv") {
			return i
		}
	}
	return 0
}

type pendingUpdate struct {
	u     civicmon.Update
	where where
	// same reports whether a stored update already says what u says.
	same func(old *civicmon.Update) bool
	// merge returns what to store over old: u with what u does not carry
	// kept from old.
	merge func(old, u *civicmon.Update) *civicmon.Update
}

type importer struct {
	ctx       context.Context
	tx        civicmon.Store
	rep       *Report
	opt       ImportOptions
	vocab     *civicmon.Vocabulary
	countries map[string]civicmon.Country
	ratings   map[string]map[civicmon.Date]civicmon.Rating // loaded per country on first use
	// actor and approver are the accounts of ImportOptions; with no
	// actor, ratings are stored directly (a database with no accounts).
	actor, approver *civicmon.User
	ed              civicmon.Editorial
	// proposed holds the pending proposals, by country and date, loaded
	// on the first rating.
	proposed map[string]map[civicmon.Date][]civicmon.RatingProposal
	pending  []pendingUpdate
	seen     map[string]where // update ids read so far
	// incidents read from an incidents CSV, waiting for their updates.
	incidents     map[string][]civicmon.PublicIncident
	incidentWhere map[string]where
	records       int
	// storing, when not nil, delivers the result of the batch of updates
	// being stored beside the reading (see flush).
	storing chan error
	spare   []pendingUpdate // a drained queue, to reuse
}

func newImporter(ctx context.Context, tx civicmon.Store, rep *Report, o ImportOptions) (*importer, error) {
	vocab, err := tx.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := tx.Countries(ctx)
	if err != nil {
		return nil, err
	}
	im := &importer{ctx: ctx, tx: tx, rep: rep, opt: o, vocab: vocab, countries: map[string]civicmon.Country{},
		ratings: map[string]map[civicmon.Date]civicmon.Rating{}, seen: map[string]where{},
		incidents: map[string][]civicmon.PublicIncident{}, incidentWhere: map[string]where{}}
	for _, c := range cs {
		im.countries[c.Code] = c
	}
	im.ed = civicmon.Editorial{Store: tx}
	if err := im.accounts(); err != nil {
		return nil, err
	}
	return im, nil
}

// accounts loads and checks the accounts the import runs as: the actor
// must exist and be enabled (or, with no actor, the database must have no
// accounts); an approver must be another enabled account that may approve
// ratings.
func (im *importer) accounts() error {
	o := im.opt
	if o.Actor == 0 {
		if o.ApprovedBy != 0 {
			return civicmon.Errorf(civicmon.EINVALID, "an approver needs an importing account: name who runs the import")
		}
		us, err := im.tx.Users(im.ctx)
		if err != nil {
			return err
		}
		if len(us) > 0 {
			return civicmon.Errorf(civicmon.EINVALID, "the database has %d accounts: name the account that runs the import (civicmon import --as EMAIL)", len(us))
		}
		return nil
	}
	account := func(id int64, what string) (*civicmon.User, error) {
		u, err := im.tx.UserByID(im.ctx, id)
		if civicmon.ErrorCode(err) == civicmon.ENOTFOUND {
			return nil, civicmon.Errorf(civicmon.EINVALID, "the %s (account %d) does not exist", what, id)
		}
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, civicmon.Errorf(civicmon.EINVALID, "the %s, %s, is disabled", what, u.Email)
		}
		return u, nil
	}
	var err error
	if im.actor, err = account(o.Actor, "importing account"); err != nil {
		return err
	}
	if o.ApprovedBy == 0 {
		return nil
	}
	if o.ApprovedBy == o.Actor {
		return civicmon.Errorf(civicmon.EINVALID, "%s cannot approve their own import's ratings: a second person approves every rating change", im.actor.Email)
	}
	if im.approver, err = account(o.ApprovedBy, "approving account"); err != nil {
		return err
	}
	if !im.approver.Role.Can(civicmon.PermRatingsApprove) {
		return civicmon.Errorf(civicmon.EINVALID, "%s (role %s) may not approve ratings: the approver needs the permission %s (roles reviewer, admin)",
			im.approver.Email, im.approver.Role, civicmon.PermRatingsApprove)
	}
	im.rep.ApprovedBy = im.approver.Email
	return nil
}

func (im *importer) tick() {
	im.records++
	if im.opt.Progress != nil && im.records%1000 == 0 {
		im.opt.Progress(im.records)
	}
}

func (im *importer) read(in Input) error {
	switch ext := strings.ToLower(filepath.Ext(in.Name)); ext {
	case ".ndjson", ".jsonl":
		return im.readNDJSON(in)
	case ".json":
		return im.readJSON(in)
	case ".csv":
		return im.readCSV(in)
	case ".txt", ".text", ".md":
		return im.readDossier(in)
	default:
		return &Error{File: in.Name, Msg: fmt.Sprintf("unknown file type %q: name the file .ndjson, .json, .csv or .txt (a country-page dossier)", ext)}
	}
}

func (im *importer) country(rec CountryRecord, w where) error {
	im.tick()
	c := rec.country()
	if err := c.Validate(); err != nil {
		return w.fail(err)
	}
	// The updates stored so far go first: they were read first.
	if err := im.wait(); err != nil {
		return err
	}
	old, ok := im.countries[c.Code]
	switch {
	case ok && old == c:
		im.rep.Countries.Unchanged++
		return nil
	case ok:
		im.rep.Countries.Updated++
	default:
		im.rep.Countries.Created++
	}
	if err := im.tx.PutCountry(im.ctx, &c); err != nil {
		return w.fail(err)
	}
	im.countries[c.Code] = c
	return nil
}

func (im *importer) rating(rec RatingRecord, w where) error {
	im.tick()
	r := rec.rating()
	if err := r.Validate(); err != nil {
		return w.fail(err)
	}
	if _, ok := im.countries[r.CountryCode]; !ok {
		return w.fail(&civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "rating.country",
			Message: fmt.Sprintf("%q is not a known country code: import its country first (countries come before ratings)", r.CountryCode)}}})
	}
	if err := im.wait(); err != nil {
		return err
	}
	stored, err := im.ratingsOf(r.CountryCode)
	if err != nil {
		return err
	}
	if old, ok := stored[r.EffectiveDate]; ok {
		if sameRating(old, r) {
			im.rep.Ratings.Unchanged++
			return nil
		}
		return w.fail(&civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "rating",
			Message: fmt.Sprintf("%s already has a different rating effective on %s; a rating changes only through a proposal approved in the workspace", r.CountryCode, r.EffectiveDate)}}})
	}
	if im.actor == nil {
		// No accounts: a first load, with no one to review it.
		if err := im.tx.AddRating(im.ctx, &r); err != nil {
			return w.fail(err)
		}
		return im.created(stored, r)
	}
	pending, err := im.pendingProposals()
	if err != nil {
		return err
	}
	for _, p := range pending[r.CountryCode][r.EffectiveDate] {
		if !sameRating(p.Rating(), r) || p.Status != civicmon.ProposalPending {
			continue
		}
		if im.approver == nil {
			// Proposed by an earlier import, still waiting.
			im.rep.Ratings.Unchanged++
			return nil
		}
		if p.ProposedBy != im.approver.ID {
			// The approver decides the waiting proposal rather than
			// leave it beside a second one.
			if _, err := im.ed.DecideRating(im.ctx, im.approver, p.ID, true, "approved with the import of "+w.file); err != nil {
				return w.fail(err)
			}
			return im.created(stored, r)
		}
	}
	p := civicmon.RatingProposal{CountryCode: r.CountryCode, EffectiveDate: r.EffectiveDate, DateApproximate: r.DateApproximate,
		Score: r.Score, Category: r.Category, Rationale: r.Rationale, Source: r.Source}
	if err := im.ed.ProposeRating(im.ctx, im.actor, &p); err != nil {
		return w.fail(err)
	}
	if im.approver == nil {
		im.rep.RatingsProposed++
		if r.EffectiveDate.After(im.opt.Today) {
			im.rep.Scheduled = append(im.rep.Scheduled, r)
		}
		byDate := pending[r.CountryCode]
		if byDate == nil {
			byDate = map[civicmon.Date][]civicmon.RatingProposal{}
			pending[r.CountryCode] = byDate
		}
		byDate[r.EffectiveDate] = append(byDate[r.EffectiveDate], p)
		return nil
	}
	if _, err := im.ed.DecideRating(im.ctx, im.approver, p.ID, true, "approved with the import of "+w.file); err != nil {
		return w.fail(err)
	}
	return im.created(stored, r)
}

// audit records the import itself, naming its files and what it did, when
// it changed anything: the entries of the records it wrote name the
// actor, this one says they came in together.
func (im *importer) audit(inputs []Input) error {
	r := im.rep
	if r.Countries.Created+r.Countries.Updated+r.Ratings.Created+r.RatingsProposed+r.Updates.Created+r.Updates.Updated == 0 {
		return nil
	}
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = filepath.Base(in.Name)
	}
	detail := fmt.Sprintf("%s: countries %d created, %d updated; ratings %d created, %d proposed; updates %d created, %d updated",
		strings.Join(names, ", "), r.Countries.Created, r.Countries.Updated, r.Ratings.Created, r.RatingsProposed, r.Updates.Created, r.Updates.Updated)
	return im.tx.Audit(im.ctx, "import", "import", "", detail)
}

// created counts a rating stored.
func (im *importer) created(stored map[civicmon.Date]civicmon.Rating, r civicmon.Rating) error {
	stored[r.EffectiveDate] = r
	im.rep.Ratings.Created++
	if r.EffectiveDate.After(im.opt.Today) {
		im.rep.Scheduled = append(im.rep.Scheduled, r)
	}
	return nil
}

func sameRating(a, b civicmon.Rating) bool {
	return a.Category == b.Category && a.Score == b.Score && a.DateApproximate == b.DateApproximate &&
		a.Rationale == b.Rationale && a.Source == b.Source
}

// pendingProposals loads the pending rating proposals, once.
func (im *importer) pendingProposals() (map[string]map[civicmon.Date][]civicmon.RatingProposal, error) {
	if im.proposed != nil {
		return im.proposed, nil
	}
	ps, err := im.tx.RatingProposals(im.ctx, civicmon.ProposalPending)
	if err != nil {
		return nil, err
	}
	im.proposed = map[string]map[civicmon.Date][]civicmon.RatingProposal{}
	for _, p := range ps {
		byDate := im.proposed[p.CountryCode]
		if byDate == nil {
			byDate = map[civicmon.Date][]civicmon.RatingProposal{}
			im.proposed[p.CountryCode] = byDate
		}
		byDate[p.EffectiveDate] = append(byDate[p.EffectiveDate], p)
	}
	return im.proposed, nil
}

func (im *importer) ratingsOf(code string) (map[civicmon.Date]civicmon.Rating, error) {
	if m, ok := im.ratings[code]; ok {
		return m, nil
	}
	h, err := im.tx.RatingHistory(im.ctx, code)
	if err != nil {
		return nil, err
	}
	m := map[civicmon.Date]civicmon.Rating{}
	for _, r := range h {
		m[r.EffectiveDate] = r
	}
	im.ratings[code] = m
	return m, nil
}

// update checks a record and queues it; flush stores the queue.
func (im *importer) update(rec UpdateRecord, w where) error {
	im.tick()
	if rec.UID == "" {
		return w.fail(&civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "update.id", Message: "is required: the stable id that makes a second import of the same file change nothing"}}})
	}
	if first, dup := im.seen[rec.UID]; dup {
		return w.fail(&civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "update.id",
			Message: fmt.Sprintf("%q appears twice in the import (first at %s:%d)", rec.UID, first.file, first.line)}}})
	}
	im.seen[rec.UID] = w
	if ins, ok := im.incidents[rec.UID]; ok {
		rec.Incidents = append(rec.Incidents, ins...)
		delete(im.incidents, rec.UID)
	}
	u := rec.update()
	if err := u.Validate(im.vocab); err != nil {
		return w.fail(err)
	}
	if _, ok := im.countries[u.CountryCode]; !ok {
		return w.fail(&civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "update.country",
			Message: fmt.Sprintf("%q is not a known country code: import its country first", u.CountryCode)}}})
	}
	pub := rec.PublicUpdate
	return im.queue(pendingUpdate{u: u, where: w, merge: mergePrivate, same: func(old *civicmon.Update) bool {
		p, ok := old.Public()
		return ok && reflect.DeepEqual(p, pub)
	}})
}

// committedStore is a store inside a transaction that can also read what
// is committed, beside it (sqldb.Store.Committed).
type committedStore interface {
	Committed() (civicmon.Store, bool)
}

func pendingUIDs(pending []pendingUpdate) []string {
	uids := make([]string, len(pending))
	for i, p := range pending {
		uids[i] = p.u.UID
	}
	return uids
}

// flushSize is how many updates an import stores at a time.
const flushSize = 2000

func (im *importer) queue(p pendingUpdate) error {
	im.pending = append(im.pending, p)
	if len(im.pending) >= flushSize {
		return im.flush()
	}
	return nil
}

// flush hands the queued updates to a goroutine that stores them (store)
// while the importer reads on, after the previous batch is stored: so
// reading and checking the next batch runs beside the database's work on
// this one. Records that use the transaction otherwise (countries,
// ratings) wait for the batch in flight first (wait), which keeps every
// write in the order of the input. A batch's error comes out of the next
// wait.
func (im *importer) flush() error {
	if len(im.pending) == 0 {
		return nil
	}
	// The batch's updates already stored before the import, looked up
	// beside the batch in flight where the store can (an update this
	// import stored earlier is never among them: its id would have been
	// read twice, which the importer refuses).
	var existing map[string]int64
	if c, ok := im.tx.(committedStore); ok {
		if outside, ok := c.Committed(); ok {
			var err error
			if existing, err = outside.UpdateIDsByUID(im.ctx, pendingUIDs(im.pending)); err != nil {
				return err
			}
		}
	}
	if err := im.wait(); err != nil {
		return err
	}
	batch := im.pending
	im.pending = im.spare[:0]
	done := make(chan error, 1)
	im.storing = done
	go func() {
		err := im.store(batch, existing)
		clear(batch) // let the updates go
		im.spare = batch[:0]
		done <- err
	}()
	return nil
}

// wait waits for the batch being stored, if any, and returns its error.
func (im *importer) wait() error {
	if im.storing == nil {
		return nil
	}
	err := <-im.storing
	im.storing = nil
	return err
}

// store stores a batch of queued updates: new ones in bulk, changed ones
// one by one, keeping what the export does not carry (internal notes,
// author, victims' names, source contacts) of the stored update.
func (im *importer) store(pending []pendingUpdate, existing map[string]int64) error {
	if existing == nil {
		var err error
		if existing, err = im.tx.UpdateIDsByUID(im.ctx, pendingUIDs(pending)); err != nil {
			return err
		}
	}
	var fresh []civicmon.Update
	var freshWhere []where
	for _, p := range pending {
		u := p.u
		id, ok := existing[u.UID]
		if !ok {
			fresh = append(fresh, u)
			freshWhere = append(freshWhere, p.where)
			continue
		}
		old, err := im.tx.UpdateByID(im.ctx, id)
		if err != nil {
			return err
		}
		if p.same(old) {
			im.rep.Updates.Unchanged++
			continue
		}
		merged := p.merge(old, &u)
		// Read in this transaction: the version this save replaces.
		merged.Version = old.Version
		if err := im.tx.SaveUpdate(im.ctx, merged); err != nil {
			return p.where.fail(err)
		}
		im.rep.Updates.Updated++
	}
	if len(fresh) > 0 {
		if err := im.tx.InsertUpdates(im.ctx, fresh); err != nil {
			// InsertUpdates names the update by its place in the batch.
			var n int
			if _, scanErr := fmt.Sscanf(err.Error(), "update %d of", &n); scanErr == nil && n >= 1 && n <= len(freshWhere) {
				return freshWhere[n-1].fail(errors.Unwrap(err))
			}
			return freshWhere[0].fail(err)
		}
		im.rep.Updates.Created += len(fresh)
	}
	return nil
}

// mergePrivate returns u with the private fields of old kept where the
// public parts they belong to did not change.
func mergePrivate(old, u *civicmon.Update) *civicmon.Update {
	u.ID, u.InternalNotes, u.AuthorID = old.ID, old.InternalNotes, old.AuthorID
	for i := range u.Sources {
		if i < len(old.Sources) && old.Sources[i].URL == u.Sources[i].URL {
			u.Sources[i].Contact = old.Sources[i].Contact
		}
	}
	for i := range u.Incidents {
		if i < len(old.Incidents) {
			o, n := old.Incidents[i], u.Incidents[i]
			o.ID, o.UpdateID, o.VictimName = 0, 0, ""
			if reflect.DeepEqual(o, n) {
				u.Incidents[i].VictimName = old.Incidents[i].VictimName
			}
		}
	}
	return u
}

func (im *importer) orphanIncidents() error {
	for uid := range im.incidents {
		w := im.incidentWhere[uid]
		return w.fail(&civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "incident.update_id",
			Message: fmt.Sprintf("%q is not the id of an update in this import: import the incidents with their updates.csv", uid)}}})
	}
	return nil
}

// typeProbe reads an NDJSON record's type.
type typeProbe struct {
	Type string `json:"type"`
}

// record is one decoded record on its way from a reader goroutine to the
// importer, which stores records in the order read.
type record struct {
	country *CountryRecord
	rating  *RatingRecord
	update  *UpdateRecord
	where   where
	err     error // a decoding error, at where
}

// pipe runs produce in a goroutine, so that decoding the next records
// overlaps with storing the last ones, and applies what it sends in order.
// The first error stops both sides.
func (im *importer) pipe(produce func(send func(record) bool) error) error {
	ch := make(chan record, 512)
	done := make(chan struct{})
	perr := make(chan error, 1)
	go func() {
		defer close(ch)
		perr <- produce(func(r record) bool {
			select {
			case ch <- r:
				return true
			case <-done:
				return false
			}
		})
	}()
	var err error
	for r := range ch {
		switch {
		case r.err != nil:
			err = r.err
		case r.country != nil:
			err = im.country(*r.country, r.where)
		case r.rating != nil:
			err = im.rating(*r.rating, r.where)
		case r.update != nil:
			err = im.update(*r.update, r.where)
		}
		if err != nil {
			close(done)
			for range ch { // let the producer finish
			}
			return err
		}
	}
	return <-perr
}

var (
	typeUpdate  = []byte(`{"type":"update"`)
	typeCountry = []byte(`{"type":"country"`)
	typeRating  = []byte(`{"type":"rating"`)
)

// recordType reads an NDJSON record's type: from its first bytes when it
// starts as civicmon writes it, else by decoding.
func recordType(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, typeUpdate):
		return "update", nil
	case bytes.HasPrefix(b, typeCountry):
		return "country", nil
	case bytes.HasPrefix(b, typeRating):
		return "rating", nil
	}
	var probe typeProbe
	err := json.Unmarshal(b, &probe)
	return probe.Type, err
}

func (im *importer) readNDJSON(in Input) error {
	return im.pipe(func(send func(record) bool) error {
		sc := bufio.NewScanner(in.R)
		sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
		line := 0
		for sc.Scan() {
			line++
			b := sc.Bytes()
			if len(bytes.TrimSpace(b)) == 0 {
				continue
			}
			r := record{where: where{file: in.Name, line: line}}
			typ, err := recordType(b)
			if err != nil {
				r.err = jsonError(r.where, b, err)
				send(r)
				return nil
			}
			switch typ {
			case "country":
				r.country = new(CountryRecord)
				err = strictJSON(b, r.country)
			case "rating":
				r.rating = new(RatingRecord)
				err = strictJSON(b, r.rating)
			case "update":
				r.update = new(UpdateRecord)
				if !decodeUpdate(b, r.update) {
					*r.update = UpdateRecord{}
					err = strictJSON(b, r.update)
				}
			default:
				r.err = &Error{File: in.Name, Line: line, Field: "type", Msg: fmt.Sprintf("%q is not a record type: each line needs \"type\": \"country\", \"rating\" or \"update\"", typ)}
			}
			if err != nil {
				r.err = jsonError(r.where, b, err)
			}
			if !send(r) || r.err != nil {
				return nil
			}
		}
		if err := sc.Err(); err != nil {
			send(record{err: &Error{File: in.Name, Line: line + 1, Msg: err.Error()}})
		}
		return nil
	})
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// jsonError places a JSON decoding error at its column, naming the field
// and what was expected; other errors pass through.
func jsonError(w where, b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: w.file, Line: w.line, Column: len(b) + 1, Msg: "not valid JSON: the record ends before it is complete"}
	case errors.As(err, &syn):
		w.column = int(syn.Offset)
		return &Error{File: w.file, Line: w.line, Column: w.column, Msg: "not valid JSON: " + syn.Error()}
	case errors.As(err, &typ):
		w.column = int(typ.Offset)
		return &Error{File: w.file, Line: w.line, Column: w.column, Field: typ.Field,
			Msg: fmt.Sprintf("is a JSON %s, but must be a %s", typ.Value, typ.Type)}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return &Error{File: w.file, Line: w.line, Msg: strings.TrimPrefix(err.Error(), "json: ") + ": remove it, or check its spelling against docs/data.md"}
	case strings.HasPrefix(err.Error(), "json: ") || strings.Contains(err.Error(), "is not a date"):
		return &Error{File: w.file, Line: w.line, Msg: strings.TrimPrefix(err.Error(), "json: ")}
	}
	var e *Error
	if errors.As(w.fail(err), &e) {
		return e
	}
	return &Error{File: w.file, Line: w.line, Msg: err.Error()}
}
