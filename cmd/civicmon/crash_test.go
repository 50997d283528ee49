package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail/mailtest"
	"github.com/civicmon/civicmon/sqlite"
	"github.com/civicmon/civicmon/store"
	"github.com/civicmon/civicmon/storetest"
)

// The SIGKILL tests (issue 17): civicmon killed at a bad moment — the
// server while it writes, an import, the mail outbox mid-send, a backup —
// loses nothing it acknowledged and leaves nothing half done.

// serveProcess is a running `civicmon serve`.
type serveProcess struct {
	cmd    *exec.Cmd
	URL    string
	stderr *lockedBuffer
}

// startServe runs `civicmon serve` on dsn and waits for its URL.
func startServe(t *testing.T, dsn string, env []string, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "--db", dsn, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(append(os.Environ(), "CIVICMON_DB="), env...)
	stdout, _ := cmd.StdoutPipe()
	p := &serveProcess{cmd: cmd, stderr: &lockedBuffer{b: &bytes.Buffer{}}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				urlc <- sc.Text()[i:]
			}
		}
		close(urlc)
	}()
	select {
	case p.URL = <-urlc:
	case <-time.After(60 * time.Second):
	}
	if p.URL == "" {
		t.Fatalf("serve printed no URL; stderr:\n%s", p.stderr)
	}
	return p
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would.
func (p *serveProcess) kill(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSIGKILLServerDuringWrites: every update the API acknowledged (201)
// before the server was killed is in the database after it, which serves
// again and whose audit chain verifies.
func TestSIGKILLServerDuringWrites(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			if code, _, errs := runCLI(t, "", "demo", "--db", dsn); code != 0 {
				t.Fatalf("demo: %s", errs)
			}
			code, token, errs := runCLI(t, "", "token", "create", "--db", dsn, "--name", "crash test", "--role", "editor")
			if code != 0 {
				t.Fatalf("token: %s", errs)
			}
			token = strings.TrimSpace(token)
			srv := startServe(t, dsn, nil)

			var mu sync.Mutex
			var acked []string
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						title := fmt.Sprintf("crash %d-%d", w, i)
						body := fmt.Sprintf(`{"country":"KZ","title":%q,"summary":"written before a SIGKILL"}`, title)
						req, _ := http.NewRequest(http.MethodPost, srv.URL+"api/v1/updates", strings.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+token)
						req.Header.Set("Content-Type", "application/json")
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							return // the server is gone
						}
						resp.Body.Close()
						if resp.StatusCode == http.StatusCreated {
							mu.Lock()
							acked = append(acked, title)
							mu.Unlock()
						} else {
							t.Errorf("POST: %d", resp.StatusCode)
							return
						}
					}
				}()
			}
			time.Sleep(1500 * time.Millisecond)
			srv.kill(t)
			close(stop)
			wg.Wait()
			if len(acked) < 10 {
				t.Fatalf("only %d writes acknowledged before the kill", len(acked))
			}

			d, err := store.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			rows, err := d.WriteDB().Query(`SELECT title FROM updates WHERE title LIKE 'crash %'`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				have[s] = true
			}
			rows.Close()
			d.Close()
			for _, title := range acked {
				if !have[title] {
					t.Fatalf("acknowledged write %q is gone after SIGKILL (%d acknowledged, %d stored)", title, len(acked), len(have))
				}
			}
			t.Logf("%d writes acknowledged, %d stored (a write may land without its answer)", len(acked), len(have))

			again := startServe(t, dsn, nil)
			if resp, err := http.Get(again.URL + "readyz"); err != nil || resp.StatusCode != 200 {
				t.Fatalf("readyz after restart: %v %v", resp, err)
			}
			if code, out, errs := runCLI(t, "", "audit", "verify", "--db", dsn); code != 0 {
				t.Fatalf("audit verify after SIGKILL: %s %s", out, errs)
			}
		})
	}
}

// TestSIGKILLImport: an import killed at any moment stored nothing; run
// again to the end, it stores everything.
func TestSIGKILLImport(t *testing.T) {
	src := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "demo", "--db", src); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, "", "gen", "--db", src, "--updates", "3000"); code != 0 {
		t.Fatal(errs)
	}
	file := filepath.Join(t.TempDir(), "all.ndjson")
	if code, _, errs := runCLI(t, "", "export", "--db", src, "--format", "ndjson", "--out", file); code != 0 {
		t.Fatal(errs)
	}
	raw, _ := os.ReadFile(file)
	total := strings.Count(string(raw), `"type":"update"`)
	if total < 2000 {
		t.Fatalf("the export holds %d updates", total)
	}
	dst := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "migrate", "--db", dst); code != 0 {
		t.Fatal(errs)
	}
	count := func() int {
		d, err := store.Open(dst)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var n int
		if err := d.WriteDB().QueryRow(`SELECT COUNT(*) FROM updates`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	killed := 0
	for _, after := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond, 1200 * time.Millisecond} {
		cmd := exec.Command(binary(t), "import", "--db", dst, file)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		n := count()
		if err == nil {
			// It finished first: all of it is there, and the next
			// rounds import nothing new.
			if n != total {
				t.Fatalf("a finished import stored %d of %d updates", n, total)
			}
			continue
		}
		killed++
		if n != 0 && n != total {
			t.Fatalf("an import killed after %s left %d of its %d updates", after, n, total)
		}
	}
	if killed == 0 {
		t.Fatal("every import finished before its kill: nothing was tested")
	}
	code, out, errs := runCLI(t, "", "import", "--db", dst, file)
	if code != 0 || count() != total {
		t.Fatalf("import after the kills: %d %s %s; %d updates", code, out, errs, count())
	}
	if code, out, errs := runCLI(t, "", "audit", "verify", "--db", dst); code != 0 {
		t.Fatalf("audit verify: %s %s", out, errs)
	}
	t.Logf("%d of 4 imports of %d updates killed, each leaving none", killed, total)
}

// TestSIGKILLOutbox: a server killed while it sends mail leaves nothing
// unsent: after a restart every queued mail arrives, and a mail that
// arrives twice (sent, then killed before it was recorded) carries the
// same Message-ID both times.
func TestSIGKILLOutbox(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			d, err := store.OpenMigrated(context.Background(), dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			const n = 300
			want := map[string]string{} // recipient → Message-ID
			for i := range n {
				m := civicmon.OutboxMail{Kind: "notification", To: fmt.Sprintf("r%d@example.org", i), Subject: "s " + strconv.Itoa(i), Body: "b"}
				if err := d.Store().EnqueueMail(context.Background(), &m); err != nil {
					t.Fatal(err)
				}
				want[m.To] = m.MessageID
			}
			smtp := mailtest.Start(t)
			cfg := smtp.Config()
			env := []string{"CIVICMON_SMTP_HOST=" + cfg.Host, "CIVICMON_SMTP_PORT=" + strconv.Itoa(cfg.Port), "CIVICMON_SMTP_TLS=none",
				"CIVICMON_SMTP_FROM=" + cfg.From}
			args := []string{"--base-url", "http://monitor.example.org", "--mail-lease", "2s"}
			srv := startServe(t, dsn, env, args...)
			smtp.WaitFor(t, 40, 30*time.Second)
			srv.kill(t)
			before := len(smtp.Messages())
			if before >= n {
				t.Fatalf("all %d mails were sent before the kill: nothing was tested", n)
			}
			startServe(t, dsn, env, args...)
			smtp.WaitFor(t, n, 60*time.Second)
			// Past a lease more: a mail claimed when the server died
			// would have been sent again by now.
			deadline := time.Now().Add(30 * time.Second)
			for {
				st, err := d.Store().OutboxStats(context.Background())
				if err == nil && st.Pending == 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(2500 * time.Millisecond)
			got := map[string]map[string]int{}
			for _, m := range smtp.Messages() {
				to := m.To[0]
				if got[to] == nil {
					got[to] = map[string]int{}
				}
				got[to][m.Header.Get("Message-ID")]++
			}
			twice := 0
			for to, id := range want {
				ids := got[to]
				if len(ids) != 1 || ids[id] == 0 {
					t.Fatalf("%s received %v, want only %s", to, ids, id)
				}
				if ids[id] > 1 {
					twice++
				}
			}
			ms, _ := d.Store().Mails(context.Background())
			for _, m := range ms {
				if m.SentAt.IsZero() {
					t.Fatalf("mail %d not recorded as sent: %+v", m.ID, m)
				}
			}
			d.Close()
			t.Logf("%d mails: %d sent before the kill, %d sent twice with the same Message-ID", n, before, twice)
		})
	}
}

// TestSIGKILLBackup: a backup killed at any moment leaves no file under
// the backup's name, or a whole one; what it leaves under a temporary
// name is refused by restore.
func TestSIGKILLBackup(t *testing.T) {
	src := storetest.SQLitePath(t)
	// gen takes an existing database only (a typo must not make a new one).
	if code, _, errs := runCLI(t, "", "migrate", "--db", src); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, "", "gen", "--db", src, "--updates", "5000"); code != 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	killed := 0
	for i, after := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, 1000 * time.Millisecond} {
		dst := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		cmd := exec.Command(binary(t), "backup", "--db", src, dst)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if err != nil {
			killed++
		}
		if _, serr := os.Stat(dst); serr == nil {
			if cerr := sqlite.Check(context.Background(), dst); cerr != nil {
				t.Fatalf("killed after %s: %s is not a whole backup: %v", after, dst, cerr)
			}
		} else if err == nil {
			t.Fatalf("the backup finished but %s is missing", dst)
		}
	}
	if killed == 0 {
		t.Fatal("every backup finished before its kill: nothing was tested")
	}
	partials, _ := filepath.Glob(filepath.Join(dir, ".*.partial-*"))
	for _, p := range partials {
		target := filepath.Join(t.TempDir(), "restored.db")
		if code, _, errs := runCLI(t, "", "restore", "--db", target, p); code == 0 {
			// A partial file that checks out whole was finished by VACUUM
			// INTO just before the kill: then it is a backup indeed.
			if err := sqlite.Check(context.Background(), p); err != nil {
				t.Fatalf("restore took the partial file %s: %v", p, err)
			}
		} else if !strings.Contains(errs, "not a whole backup") {
			t.Fatalf("restore of %s: %s", p, errs)
		}
	}
	t.Logf("%d of 4 backups killed, %d partial files left", killed, len(partials))
}
