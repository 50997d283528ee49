package dataio_test

import (
	"os"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
)

const newRating = `{"type":"rating","country":"KZ","effective_date":"2026-11-01","date_approximate":false,"score":85,"category":"open","rationale":"Imported change","source":"Report"}` + "\n"

// team is a database with the demo data and one account per role, plus a
// disabled editor.
type team struct {
	db                                     *sqldb.DB
	s                                      civicmon.Store
	editor, reviewer, researcher, disabled *civicmon.User
}

func newTeam(t *testing.T, e storetest.Engine) *team { return newTeamWith(t, e, true) }

// newTeamWith loads the whole demo data, or only its countries.
func newTeamWith(t *testing.T, e storetest.Engine, all bool) *team {
	t.Helper()
	db := e.Open(t)
	s := db.Store()
	var err error
	if all {
		_, err = demo.Load(ctx, s)
	} else {
		_, err = demo.LoadCountries(ctx, s)
	}
	if err != nil {
		t.Fatal(err)
	}
	tm := &team{db: db, s: s}
	for _, a := range []struct {
		u        **civicmon.User
		email    string
		role     civicmon.Role
		disabled bool
	}{{&tm.editor, "ed@example.org", civicmon.RoleEditor, false}, {&tm.reviewer, "rev@example.org", civicmon.RoleReviewer, false},
		{&tm.researcher, "res@example.org", civicmon.RoleResearcher, false}, {&tm.disabled, "gone@example.org", civicmon.RoleAdmin, true}} {
		u := &civicmon.User{Email: a.email, Name: a.email, Role: a.role, PasswordHash: "x", Disabled: a.disabled}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		*a.u = u
	}
	return tm
}

func (tm *team) importText(name, text string, o dataio.ImportOptions) (*dataio.Report, error) {
	return dataio.Import(ctx, tm.s, []dataio.Input{{Name: name, R: strings.NewReader(text)}}, o)
}

func auditSince(t *testing.T, s civicmon.Store, after int64) []civicmon.AuditEntry {
	t.Helper()
	var out []civicmon.AuditEntry
	if err := s.AuditLog(ctx, func(e *civicmon.AuditEntry) error {
		if e.ID > after {
			out = append(out, *e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func lastAuditID(t *testing.T, s civicmon.Store) int64 {
	es := auditSince(t, s, 0)
	if len(es) == 0 {
		return 0
	}
	return es[len(es)-1].ID
}

// TestImportRatingsNeedASecondPerson: with accounts in the database, an
// import runs as a named, enabled account; its ratings become proposals
// by that account, which only another person approves (or a named second
// account with ratings:approve, in the same import); the audit log names
// both. Every refusal changes nothing.
func TestImportRatingsNeedASecondPerson(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			tm := newTeam(t, e)
			current := func() civicmon.Rating {
				cur, err := tm.s.CurrentRatings(ctx, civicmon.MustDate("2026-12-01"))
				if err != nil {
					t.Fatal(err)
				}
				return cur["KZ"]
			}
			was := current()

			for _, c := range []struct {
				name string
				o    dataio.ImportOptions
				want string
			}{
				{"nobody", dataio.ImportOptions{}, "the database has 4 accounts: name the account that runs the import (civicmon import --as EMAIL)"},
				{"no such account", dataio.ImportOptions{Actor: 999}, "the importing account (account 999) does not exist"},
				{"disabled", dataio.ImportOptions{Actor: tm.disabled.ID}, "the importing account, gone@example.org, is disabled"},
				{"researcher", dataio.ImportOptions{Actor: tm.researcher.ID}, "ratings.ndjson:1: your role (researcher) may not propose rating changes: it needs the permission ratings:propose"},
				{"self-approval", dataio.ImportOptions{Actor: tm.editor.ID, ApprovedBy: tm.editor.ID}, "ed@example.org cannot approve their own import's ratings: a second person approves every rating change"},
				{"approver without the permission", dataio.ImportOptions{Actor: tm.reviewer.ID, ApprovedBy: tm.editor.ID}, "ed@example.org (role editor) may not approve ratings: the approver needs the permission ratings:approve (roles reviewer, admin)"},
				{"disabled approver", dataio.ImportOptions{Actor: tm.editor.ID, ApprovedBy: tm.disabled.ID}, "the approving account, gone@example.org, is disabled"},
			} {
				before, _ := tm.db.DataVersion(ctx)
				_, err := tm.importText("ratings.ndjson", newRating, c.o)
				if err == nil || civicmon.ErrorMessage(err) != c.want && err.Error() != c.want {
					t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
				}
				if after, _ := tm.db.DataVersion(ctx); after != before {
					t.Errorf("%s: the refused import changed the database", c.name)
				}
			}

			// As the editor: a proposal, not a rating.
			mark := lastAuditID(t, tm.s)
			rep, err := tm.importText("ratings.ndjson", newRating, dataio.ImportOptions{Actor: tm.editor.ID, Today: civicmon.MustDate("2026-12-01")})
			if err != nil || rep.RatingsProposed != 1 || rep.Ratings.Created != 0 {
				t.Fatalf("import as the editor: %v, %v", rep, err)
			}
			if !strings.Contains(rep.String(), "ratings: 1 proposed, 0 unchanged") || !strings.Contains(rep.String(), "not public") {
				t.Errorf("report:\n%s", rep)
			}
			if current() != was {
				t.Fatal("an imported rating took effect without a second person")
			}
			audit := auditSince(t, tm.s, mark)
			if len(audit) != 2 || audit[0].Action != "rating.propose" || audit[0].ActorID != tm.editor.ID ||
				audit[1].Action != "import" || audit[1].ActorID != tm.editor.ID ||
				audit[1].Detail != "ratings.ndjson: countries 0 created, 0 updated; ratings 0 created, 1 proposed; updates 0 created, 0 updated" {
				t.Fatalf("audit log: %+v", audit)
			}
			// The same file again: the proposal is still waiting; no second one.
			rep, err = tm.importText("ratings.ndjson", newRating, dataio.ImportOptions{Actor: tm.editor.ID})
			if err != nil || rep.RatingsProposed != 0 || rep.Ratings.Unchanged != 1 {
				t.Fatalf("second import: %v, %v", rep, err)
			}
			ps, _ := tm.s.RatingProposals(ctx, civicmon.ProposalPending)
			if len(ps) != 1 || ps[0].ProposedBy != tm.editor.ID || ps[0].Rationale != "Imported change" {
				t.Fatalf("pending: %+v", ps)
			}
			ed := civicmon.Editorial{Store: tm.s}
			if _, err := ed.DecideRating(ctx, tm.editor, ps[0].ID, true, ""); civicmon.ErrorCode(err) != civicmon.EFORBIDDEN {
				t.Fatalf("the importer approved their own import: %v", err)
			}
			if _, err := ed.DecideRating(ctx, tm.reviewer, ps[0].ID, true, "checked"); err != nil {
				t.Fatal(err)
			}
			if got := current(); got.Category != civicmon.Open || got.Rationale != "Imported change" {
				t.Fatalf("after approval: %+v", got)
			}
		})
	}
}

// TestImportApprovedBy: --approved-by a second account makes the ratings
// at once, the audit log naming the proposer and the approver.
func TestImportApprovedBy(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			tm := newTeam(t, e)
			mark := lastAuditID(t, tm.s)
			rep, err := tm.importText("ratings.ndjson", newRating, dataio.ImportOptions{Actor: tm.editor.ID, ApprovedBy: tm.reviewer.ID, Today: civicmon.MustDate("2026-12-01")})
			if err != nil || rep.Ratings.Created != 1 || rep.RatingsProposed != 0 {
				t.Fatalf("%v, %v", rep, err)
			}
			if !strings.Contains(rep.String(), "ratings approved by rev@example.org: 1\nnew ratings now public: 1") {
				t.Errorf("report:\n%s", rep)
			}
			audit := auditSince(t, tm.s, mark)
			if len(audit) != 4 || audit[0].Action != "rating.propose" || audit[0].ActorID != tm.editor.ID ||
				audit[1].Action != "rating.add" || audit[1].ActorID != tm.reviewer.ID ||
				audit[2].Action != "rating.approve" || audit[2].ActorID != tm.reviewer.ID ||
				audit[3].Action != "import" || audit[3].ActorID != tm.editor.ID {
				t.Fatalf("audit log: %+v", audit)
			}
			ps, _ := tm.s.RatingProposals(ctx, civicmon.ProposalApproved)
			if len(ps) != 1 || ps[0].ProposedBy != tm.editor.ID || ps[0].DecidedBy != tm.reviewer.ID {
				t.Fatalf("approved: %+v", ps)
			}
			// Again: unchanged, nothing proposed.
			rep, err = tm.importText("ratings.ndjson", newRating, dataio.ImportOptions{Actor: tm.editor.ID, ApprovedBy: tm.reviewer.ID})
			if err != nil || rep.Ratings.Unchanged != 1 || rep.Ratings.Created != 0 {
				t.Fatalf("again: %v, %v", rep, err)
			}
		})
	}
}

// TestImportScheduledRating: a rating dated after the import's day is
// accepted and reported as scheduled, not as public.
func TestImportScheduledRating(t *testing.T) {
	tm := newTeam(t, storetest.SQLite)
	line := strings.Replace(newRating, "2026-11-01", "2031-01-01", 1)
	rep, err := tm.importText("ratings.ndjson", line, dataio.ImportOptions{Actor: tm.editor.ID, ApprovedBy: tm.reviewer.ID, Today: civicmon.MustDate("2026-12-01")})
	if err != nil || rep.Ratings.Created != 1 || len(rep.Scheduled) != 1 {
		t.Fatalf("%v, %v", rep, err)
	}
	if s := rep.String(); !strings.Contains(s, "KZ open: scheduled for 2031-01-01, not public until that day") || strings.Contains(s, "now public") {
		t.Errorf("report:\n%s", s)
	}
	// Proposed only: the report says what approval will do.
	line = strings.Replace(newRating, "2026-11-01", "2032-01-01", 1)
	rep, err = tm.importText("ratings.ndjson", line, dataio.ImportOptions{Actor: tm.editor.ID, Today: civicmon.MustDate("2026-12-01")})
	if err != nil || !strings.Contains(rep.String(), "KZ open: dated after today; once approved, scheduled for 2032-01-01 and not public until that day") {
		t.Fatalf("%v, %v", rep, err)
	}
}

// TestDossierDraftsHaveTheImporterAsAuthor: the updates a country-page
// dossier creates are the importing person's, and the audit log names
// them.
func TestDossierDraftsHaveTheImporterAsAuthor(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			tm := newTeamWith(t, e, false)
			b, err := os.ReadFile("../demo/testdata/kazakhstan-country-page.txt")
			if err != nil {
				t.Fatal(err)
			}
			mark := lastAuditID(t, tm.s)
			rep, err := tm.importText("kazakhstan-country-page.txt", string(b), dataio.ImportOptions{Actor: tm.researcher.ID})
			if err != nil || rep.Updates.Created != 10 {
				t.Fatalf("%v, %v", rep, err)
			}
			us, _, err := tm.s.FindUpdates(ctx, civicmon.UpdateFilter{AuthorID: tm.researcher.ID})
			if err != nil || len(us) != 10 {
				t.Fatalf("%d updates by the importer, %v", len(us), err)
			}
			audit := auditSince(t, tm.s, mark)
			if len(audit) == 0 || audit[len(audit)-1].Action != "import" {
				t.Errorf("no audit entry of the import: %+v", audit)
			}
			for _, a := range audit {
				if a.ActorID != tm.researcher.ID {
					t.Errorf("audit entry %s names %d, not the importer", a.Action, a.ActorID)
				}
			}
		})
	}
}

// TestCSVByteOrderMarkAndSeparator: a CSV saved by Excel as "CSV UTF-8"
// (a byte-order mark first) imports as it is; a ';'-separated one is
// refused with what to do, and imports with Comma ';'.
func TestCSVByteOrderMarkAndSeparator(t *testing.T) {
	tm := newTeam(t, storetest.SQLite)
	const header = "country,effective_date,date_approximate,score,category,rationale,source\n"
	const row = "KZ,2026-11-01,false,85,open,\"Imported change, with a comma\",Report\n"
	rep, err := tm.importText("ratings.csv", "\ufeff"+header+row, dataio.ImportOptions{Actor: tm.editor.ID, DryRun: true})
	if err != nil || rep.RatingsProposed != 1 {
		t.Fatalf("with a byte-order mark: %v, %v", rep, err)
	}
	semi := strings.ReplaceAll(header, ",", ";") + "KZ;2026-11-01;false;85;open;\"Imported change; with a semicolon\";Report\n"
	before, _ := tm.db.DataVersion(ctx)
	_, err = tm.importText("ratings.csv", semi, dataio.ImportOptions{Actor: tm.editor.ID})
	const want = "ratings.csv:1: this file uses ';' — civicmon reads ',' separated CSV; re-export it or pass --comma ';'"
	if err == nil || err.Error() != want {
		t.Fatalf("';' file: %v\nwant %s", err, want)
	}
	if after, _ := tm.db.DataVersion(ctx); after != before {
		t.Fatal("the refused import changed the database")
	}
	rep, err = tm.importText("ratings.csv", "\ufeff"+semi, dataio.ImportOptions{Actor: tm.editor.ID, Comma: ';'})
	if err != nil || rep.RatingsProposed != 1 {
		t.Fatalf("with Comma ';': %v, %v", rep, err)
	}
	ps, _ := tm.s.RatingProposals(ctx, civicmon.ProposalPending)
	if len(ps) != 1 || ps[0].Rationale != "Imported change; with a semicolon" || ps[0].Score != 85 {
		t.Fatalf("pending: %+v", ps)
	}
	// Comma ';' on a ',' file says so the other way round.
	_, err = tm.importText("ratings.csv", header+row, dataio.ImportOptions{Actor: tm.editor.ID, Comma: ';'})
	if err == nil || !strings.Contains(err.Error(), "this file uses ',' — civicmon reads ';' separated CSV") {
		t.Fatalf("',' file read with ';': %v", err)
	}
}

// TestImportApprovesTheWaitingProposal: importing with --approved-by a
// rating an earlier import proposed approves that proposal, leaving none
// waiting beside the rating.
func TestImportApprovesTheWaitingProposal(t *testing.T) {
	tm := newTeam(t, storetest.SQLite)
	if _, err := tm.importText("ratings.ndjson", newRating, dataio.ImportOptions{Actor: tm.editor.ID}); err != nil {
		t.Fatal(err)
	}
	rep, err := tm.importText("ratings.ndjson", newRating, dataio.ImportOptions{Actor: tm.editor.ID, ApprovedBy: tm.reviewer.ID})
	if err != nil || rep.Ratings.Created != 1 {
		t.Fatalf("%v, %v", rep, err)
	}
	if ps, _ := tm.s.RatingProposals(ctx, ""); len(ps) != 1 || ps[0].Status != civicmon.ProposalApproved || ps[0].DecidedBy != tm.reviewer.ID {
		t.Fatalf("proposals: %+v", ps)
	}
}
