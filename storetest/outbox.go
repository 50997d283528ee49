package storetest

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/sqldb"
)

var messageIDPattern = regexp.MustCompile(`^<[0-9a-f]{32}@[a-z.]+>$`)

func testOutbox(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	// Sub-second times: the engines must order them exactly.
	now := time.Date(2026, 12, 7, 3, 0, 0, 250_000_000, time.UTC)
	db.Now = func() time.Time { return now }
	lease := 5 * time.Minute

	// Enqueued: an id, a Message-ID, due now.
	a := civicmon.OutboxMail{Kind: "notification", To: "Ana <ana@example.org>", Subject: "Über Ihr Update", Body: "line one\nline two"}
	if err := s.EnqueueMail(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || !messageIDPattern.MatchString(a.MessageID) || !a.CreatedAt.Equal(now) || !a.NotBefore.Equal(now) || a.Attempts != 0 {
		t.Fatalf("EnqueueMail set %+v", a)
	}
	got, err := s.MailByID(ctx, a.ID)
	if err != nil || got.To != a.To || got.Subject != a.Subject || got.Body != a.Body || got.MessageID != a.MessageID ||
		!got.NotBefore.Equal(now) || !got.SentAt.IsZero() || !got.FailedAt.IsZero() {
		t.Fatalf("MailByID = %+v, %v", got, err)
	}
	_, err = s.MailByID(ctx, a.ID+1000)
	wantCode(t, err, civicmon.ENOTFOUND)

	// The domain of made Message-IDs is the configured one.
	db.MessageIDDomain = "monitor.example.org"
	b := civicmon.OutboxMail{Kind: "notification", To: "bo@example.org", Subject: "later", Body: "b", NotBefore: now.Add(time.Hour)}
	if err := s.EnqueueMail(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.MessageID, "@monitor.example.org>") || b.MessageID == a.MessageID {
		t.Fatalf("Message-ID %q", b.MessageID)
	}
	// A Message-ID of the caller's is kept, and it must be unique.
	c := civicmon.OutboxMail{Kind: "notification", To: "cy@example.org", Subject: "c", Body: "c", MessageID: "<thread-1@monitor.example.org>"}
	if err := s.EnqueueMail(ctx, &c); err != nil || c.MessageID != "<thread-1@monitor.example.org>" {
		t.Fatalf("own Message-ID: %q, %v", c.MessageID, err)
	}
	dup := c
	dup.ID = 0
	wantCode(t, s.EnqueueMail(ctx, &dup), civicmon.ECONFLICT)

	// Bad mail is refused with the field named, and nothing is stored.
	for _, bad := range []struct {
		m            civicmon.OutboxMail
		field, about string
	}{
		{civicmon.OutboxMail{Kind: "x", To: "not an address"}, "mail.to", "is not an e-mail address"},
		{civicmon.OutboxMail{Kind: "x"}, "mail.to", "is required"},
		{civicmon.OutboxMail{Kind: "x", To: "a@example.org\r\nBcc: all@example.org"}, "mail.to", "line break"},
		{civicmon.OutboxMail{Kind: "x", To: "a@example.org", Subject: "hi\nBcc: all@example.org"}, "mail.subject", "line break"},
		{civicmon.OutboxMail{To: "a@example.org"}, "mail.kind", "is required"},
		{civicmon.OutboxMail{Kind: "x", To: "a@example.org", MessageID: "no-brackets"}, "mail.message_id", "is not a Message-ID"},
	} {
		wantFieldError(t, s.EnqueueMail(ctx, &bad.m), bad.field, bad.about)
	}

	// Inside a transaction the mail lives and dies with it.
	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx civicmon.Store) error {
		m := civicmon.OutboxMail{Kind: "notification", To: "gone@example.org", Subject: "s", Body: "b"}
		if err := tx.EnqueueMail(ctx, &m); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	all, _ := s.Mails(ctx)
	if len(all) != 3 {
		t.Fatalf("after a rolled back enqueue the outbox holds %d mails, want 3", len(all))
	}
	var d civicmon.OutboxMail
	if err := s.InTx(ctx, func(tx civicmon.Store) error {
		d = civicmon.OutboxMail{Kind: "notification", To: "dee@example.org", Subject: "d", Body: "d"}
		return tx.EnqueueMail(ctx, &d)
	}); err != nil {
		t.Fatal(err)
	}

	// Claims take what is due, oldest first, one attempt each, and hold
	// it for the lease; claiming or sending moves no data version (no
	// page cache is emptied by the mail).
	v0, _ := db.DataVersion(ctx)
	claimed, err := s.ClaimMail(ctx, now, lease, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids := mailIDs(claimed); ids != fmt.Sprint([]int64{a.ID, c.ID, d.ID}) {
		t.Fatalf("claimed %s, want a, c and d (b is due in an hour)", ids)
	}
	if claimed[0].Attempts != 1 || claimed[0].MessageID != a.MessageID || claimed[0].Body != a.Body {
		t.Fatalf("claimed %+v", claimed[0])
	}
	if again, _ := s.ClaimMail(ctx, now.Add(lease-time.Millisecond), lease, 10); len(again) != 0 {
		t.Fatalf("claimed again within the lease: %s", mailIDs(again))
	}
	// A limit of one takes the oldest.
	if one, _ := s.ClaimMail(ctx, now.Add(lease), lease, 1); len(one) != 1 || one[0].ID != a.ID || one[0].Attempts != 2 || one[0].MessageID != a.MessageID {
		t.Fatalf("claim after the lease: %+v", one)
	}

	// Sent: kept without its body, never claimed again, not sent twice.
	sentAt := now.Add(lease + time.Second)
	if err := s.MailSent(ctx, a.ID, sentAt); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.MailByID(ctx, a.ID); !m.SentAt.Equal(sentAt) || m.Body != "" || m.Subject != a.Subject {
		t.Fatalf("sent mail: %+v", m)
	}
	wantCode(t, s.MailSent(ctx, a.ID, sentAt), civicmon.ECONFLICT)
	wantCode(t, s.MailSent(ctx, 9999, sentAt), civicmon.ENOTFOUND)

	// Failed: due again at the retry; given up on when there is none.
	retry := now.Add(time.Minute + 500*time.Millisecond)
	if err := s.MailFailed(ctx, c.ID, "421 try later", retry); err != nil {
		t.Fatal(err)
	}
	if early, _ := s.ClaimMail(ctx, retry.Add(-time.Millisecond), lease, 10); len(early) != 0 {
		t.Fatalf("claimed before the retry: %s", mailIDs(early))
	}
	if m, _ := s.ClaimMail(ctx, retry, lease, 10); mailIDs(m) != fmt.Sprint([]int64{c.ID}) || m[0].LastError != "421 try later" || m[0].Attempts != 2 {
		t.Fatalf("claim at the retry: %+v", m)
	}
	if err := s.MailFailed(ctx, c.ID, "550 no such user", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.MailByID(ctx, c.ID); m.FailedAt.IsZero() || m.Body != "" || m.LastError != "550 no such user" {
		t.Fatalf("given up: %+v", m)
	}
	if m, _ := s.ClaimMail(ctx, now.Add(24*time.Hour), lease, 10); mailIDs(m) != fmt.Sprint([]int64{b.ID, d.ID}) {
		t.Fatalf("a day later claimed %s, want b and d only", mailIDs(m))
	}
	if v1, _ := db.DataVersion(ctx); v1 != v0 {
		t.Fatalf("the outbox's bookkeeping moved the data version %d → %d", v0, v1)
	}
	st, err := s.OutboxStats(ctx)
	if err != nil || st.Pending != 2 || st.Failed != 1 || !st.NextDue.Equal(now.Add(24*time.Hour+lease)) {
		t.Fatalf("OutboxStats = %+v, %v", st, err)
	}

	// A composed mail replaces the request; the Message-ID stays.
	repl := civicmon.OutboxMail{ID: d.ID, Kind: civicmon.MailPasswordReset, To: "dee@example.org", Subject: "Reset", Body: "https://x/reset"}
	if err := s.ReplaceMail(ctx, &repl); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.MailByID(ctx, d.ID); m.Kind != civicmon.MailPasswordReset || m.Body != "https://x/reset" || m.MessageID != d.MessageID {
		t.Fatalf("replaced: %+v", m)
	}
	if err := s.DeleteMail(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteMail(ctx, b.ID), civicmon.ENOTFOUND)

	// Sent and given-up mails are removed 30 days on.
	if err := s.MailSent(ctx, d.ID, now.Add(31*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Mails(ctx); mailIDs(all) != fmt.Sprint([]int64{d.ID}) {
		t.Fatalf("after 31 days the outbox holds %s", mailIDs(all))
	}
}

// testOutboxConcurrentClaims: workers claiming at once (two servers on one
// database) never hold the same mail at the same time.
func testOutboxConcurrentClaims(t *testing.T, db *sqldb.DB) {
	s := db.Store()
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	const n = 60
	for i := range n {
		m := civicmon.OutboxMail{Kind: "notification", To: fmt.Sprintf("r%d@example.org", i), Subject: "s", Body: "b"}
		if err := s.EnqueueMail(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ms, err := s.ClaimMail(ctx, now, time.Hour, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d of %d mails claimed", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("mail %d claimed %d times within one lease", id, k)
		}
	}
}

func mailIDs(ms []civicmon.OutboxMail) string {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return fmt.Sprint(ids)
}
