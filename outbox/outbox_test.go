package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/outbox"
	"github.com/civicmon/civicmon/sqldb"
	"github.com/civicmon/civicmon/storetest"
)

var ctx = context.Background()

// clock is a test's movable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setup(t *testing.T, e storetest.Engine) (*sqldb.DB, *mailtest.Server, *outbox.Worker, *clock) {
	db := e.Open(t)
	clk := &clock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	db.Now = clk.now
	smtp := mailtest.Start(t)
	w := &outbox.Worker{Store: db.Store(), Mail: smtp.Config(), Now: clk.now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseDelay: time.Minute, MaxDelay: 8 * time.Minute, MaxAttempts: 5}
	return db, smtp, w, clk
}

func enqueue(t *testing.T, s civicmon.Store, to string) civicmon.OutboxMail {
	t.Helper()
	m := civicmon.OutboxMail{Kind: "notification", To: to, Subject: "Ein Betreff", Body: "Hello,\nthe body.\n"}
	if err := s.EnqueueMail(ctx, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mailByID(t *testing.T, s civicmon.Store, id int64) *civicmon.OutboxMail {
	t.Helper()
	m, err := s.MailByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWorkerSends: due mail goes out with its Message-ID, subject and
// body, and is recorded sent; mail not yet due waits.
func TestWorkerSends(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, smtp, w, clk := setup(t, e)
			s := db.Store()
			a := enqueue(t, s, "ana@example.org")
			later := civicmon.OutboxMail{Kind: "notification", To: "bo@example.org", Subject: "later", Body: "b", NotBefore: clk.now().Add(time.Hour)}
			if err := s.EnqueueMail(ctx, &later); err != nil {
				t.Fatal(err)
			}
			if n, err := w.SendDue(ctx); n != 1 || err != nil {
				t.Fatalf("SendDue = %d, %v", n, err)
			}
			got := smtp.Messages()
			if len(got) != 1 || got[0].To[0] != "ana@example.org" || got[0].Header.Get("Message-ID") != a.MessageID ||
				got[0].Subject != "Ein Betreff" || got[0].Text != "Hello,\nthe body.\n" {
				t.Fatalf("received %+v", got)
			}
			if m := mailByID(t, s, a.ID); !m.SentAt.Equal(clk.now()) || m.Attempts != 1 {
				t.Fatalf("after sending: %+v", m)
			}
			if n, _ := w.SendDue(ctx); n != 0 {
				t.Fatalf("sent %d more", n)
			}
			clk.add(time.Hour)
			w.SendDue(ctx)
			if got := smtp.Messages(); len(got) != 2 || got[1].To[0] != "bo@example.org" {
				t.Fatalf("the later mail: %+v", got)
			}
			if sent, failed := w.Counts(); sent != 2 || failed != 0 {
				t.Fatalf("counts %d sent, %d failed", sent, failed)
			}
		})
	}
}

// TestWorkerRetries: a server that answers "try later", or none at all,
// gets the mail again after a delay that doubles, under the same
// Message-ID; a permanent refusal and too many attempts are given up on.
func TestWorkerRetries(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, smtp, w, clk := setup(t, e)
			s := db.Store()
			busy := enqueue(t, s, "busy@example.org")
			smtp.Refuse("busy@example.org", 451)
			start := clk.now()
			w.SendDue(ctx)
			m := mailByID(t, s, busy.ID)
			if !m.SentAt.IsZero() || m.Attempts != 1 || !strings.Contains(m.LastError, "451") ||
				m.NotBefore.Before(start.Add(time.Minute)) || m.NotBefore.After(start.Add(time.Minute+6*time.Second)) {
				t.Fatalf("after a 451: %+v", m)
			}
			// Not due before the delay; after it, the next delay is twice.
			clk.add(59 * time.Second)
			if n, _ := w.SendDue(ctx); n != 0 {
				t.Fatal("retried before the delay")
			}
			clk.add(7 * time.Second)
			w.SendDue(ctx)
			m = mailByID(t, s, busy.ID)
			if m.Attempts != 2 || m.NotBefore.Sub(clk.now()) < 2*time.Minute || m.NotBefore.Sub(clk.now()) > 2*time.Minute+12*time.Second {
				t.Fatalf("second delay: %+v (now %s)", m, clk.now())
			}
			// The server takes it now: sent once, as the same message.
			smtp.Refuse("busy@example.org", 0)
			clk.add(3 * time.Minute)
			w.SendDue(ctx)
			got := smtp.Messages()
			if len(got) != 1 || got[0].Header.Get("Message-ID") != busy.MessageID || mailByID(t, s, busy.ID).SentAt.IsZero() {
				t.Fatalf("after the server recovered: %d mails, %+v", len(got), mailByID(t, s, busy.ID))
			}

			// 550: given up at once, the body cleared.
			gone := enqueue(t, s, "gone@example.org")
			smtp.Refuse("gone@example.org", 550)
			w.SendDue(ctx)
			if m := mailByID(t, s, gone.ID); m.FailedAt.IsZero() || m.Attempts != 1 || m.Body != "" || !strings.Contains(m.LastError, "550") {
				t.Fatalf("after a 550: %+v", m)
			}

			// No server at all: retried, then given up after MaxAttempts.
			down := enqueue(t, s, "down@example.org")
			w.Mail = mail.Config{Host: "127.0.0.1", Port: closedPort(t), TLS: mail.TLSNone, From: mailtest.From}
			for i := 1; i <= 5; i++ {
				if n, _ := w.SendDue(ctx); n != 1 {
					t.Fatalf("attempt %d: claimed %d", i, n)
				}
				clk.add(9 * time.Minute) // past the longest delay
			}
			m = mailByID(t, s, down.ID)
			if m.FailedAt.IsZero() || m.Attempts != 5 || !strings.Contains(m.LastError, "cannot connect") {
				t.Fatalf("after 5 attempts: %+v", m)
			}
			if n, _ := w.SendDue(ctx); n != 0 {
				t.Fatal("a mail given up on was claimed")
			}
			if st, _ := s.OutboxStats(ctx); st.Pending != 0 || st.Failed != 2 {
				t.Fatalf("stats %+v", st)
			}
			if sent, failed := w.Counts(); sent != 1 || failed != 2 {
				t.Fatalf("counts %d sent, %d failed", sent, failed)
			}
		})
	}
}

// TestWorkerRun: the running worker sends what any process enqueues,
// within about its poll interval, and stops with its context.
func TestWorkerRun(t *testing.T) {
	db, smtp, w, _ := setup(t, storetest.SQLite)
	w.Now, db.Now = time.Now, time.Now
	w.Poll = 20 * time.Millisecond
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	for i := range 3 {
		enqueue(t, db.Store(), []string{"a@example.org", "b@example.org", "c@example.org"}[i])
	}
	smtp.WaitFor(t, 3, 5*time.Second)
	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestComposer: a kind with a composer is composed before it is sent,
// and a composer that finds nothing to send leaves nothing sent.
func TestComposer(t *testing.T) {
	db, smtp, w, _ := setup(t, storetest.SQLite)
	s := db.Store()
	w.Compose = map[string]outbox.Composer{"request": func(ctx context.Context, m *civicmon.OutboxMail) (bool, error) {
		if m.To == "drop@example.org" {
			return false, s.DeleteMail(ctx, m.ID)
		}
		m.Kind, m.Body = "composed", "composed body"
		return true, s.ReplaceMail(ctx, m)
	}}
	for _, to := range []string{"keep@example.org", "drop@example.org"} {
		if err := s.EnqueueMail(ctx, &civicmon.OutboxMail{Kind: "request", To: to, Subject: "s", Body: "draft"}); err != nil {
			t.Fatal(err)
		}
	}
	w.SendDue(ctx)
	got := smtp.Messages()
	if len(got) != 1 || got[0].To[0] != "keep@example.org" || got[0].Text != "composed body\n" {
		t.Fatalf("received %+v", got)
	}
	if ms, _ := s.Mails(ctx); len(ms) != 1 || ms[0].Kind != "composed" || ms[0].SentAt.IsZero() {
		t.Fatalf("outbox %+v", ms)
	}
}

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {8, 60 * time.Minute}, {40, 60 * time.Minute}} {
		for range 20 {
			got := outbox.Backoff(c.attempts, 30*time.Second, time.Hour)
			if got < c.want || got > c.want+c.want/10 {
				t.Fatalf("Backoff(%d) = %s, want %s to %s", c.attempts, got, c.want, c.want+c.want/10)
			}
		}
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
