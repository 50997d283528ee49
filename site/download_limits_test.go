package site_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/gen"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// bigArchive serves the demo data and n generated updates (about 2.5 KB
// each in civicmon.ndjson), with the server configured by configure.
func bigArchive(t *testing.T, n int, configure func(*web.Config)) *webtest.Env {
	t.Helper()
	env := newEnv(t, webtest.Options{Configure: configure})
	if _, err := gen.Run(context.Background(), env.Store, gen.Options{Updates: n, Seed: 17}); err != nil {
		t.Fatal(err)
	}
	return env
}

// stall opens a real TCP connection, asks for a download without gzip,
// reads the status line (so the server is surely streaming it) and then
// reads nothing more. It returns the connection and the status line.
func stall(t *testing.T, env *webtest.Env, path string) (net.Conn, string) {
	t.Helper()
	d := net.Dialer{}
	conn, err := d.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetReadBuffer(4 << 10) // fill up soon
	}
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: civicmon\r\n\r\n", path)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReaderSize(conn, 16).ReadString('\n')
	if err != nil {
		t.Fatalf("status line of a stalled download: %v", err)
	}
	return conn, strings.TrimSpace(line)
}

// TestDownloadCapAndStalledClients: with at most 2 downloads at once, two
// clients that stop reading hold both places and a third is turned away
// with 429 and Retry-After; the write deadline then drops the stalled
// ones, and a new download goes through whole.
func TestDownloadCapAndStalledClients(t *testing.T) {
	t.Parallel()
	env := bigArchive(t, 3000, func(c *web.Config) {
		c.DownloadLimit = 2
		c.DownloadWriteTimeout = 300 * time.Millisecond
	})
	for i := range 2 {
		if _, line := stall(t, env, "/data/civicmon.ndjson"); !strings.Contains(line, " 200 ") {
			t.Fatalf("stalled download %d: %q", i+1, line)
		}
	}
	r := get(t, env.URL+"/data/updates.csv")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("a third download while two are in flight: %d, Retry-After %q; want 429 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	if !strings.Contains(r.body, "downloads") {
		t.Errorf("429 body %q does not say why", r.body)
	}
	// The stalled ones are dropped once a write waits longer than 300 ms.
	deadline := time.Now().Add(15 * time.Second)
	for {
		r = get(t, env.URL+"/data/civicmon.ndjson")
		if r.status == http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.status != http.StatusOK {
		t.Fatalf("after the stalled downloads timed out: %d, want 200", r.status)
	}
	if n := strings.Count(r.body, `"type":"update"`); n < 2500 || !strings.HasSuffix(r.body, "}\n") {
		t.Fatalf("the download after the stalled ones holds %d updates and ends %q, want all of them", n, r.body[max(0, len(r.body)-40):])
	}
	// Compressed, through the same deadline, it is the same file.
	z := get(t, env.URL+"/data/civicmon.ndjson", "Accept-Encoding", "gzip")
	if z.status != http.StatusOK || z.header.Get("Content-Encoding") != "gzip" || z.body != r.body || z.wire >= len(r.body)/2 {
		t.Fatalf("gzipped download: %d, %q, %d bytes on the wire, same file: %v", z.status, z.header.Get("Content-Encoding"), z.wire, z.body == r.body)
	}
}

// TestSlowSteadyDownload: a reader slower than the archive but that keeps
// reading gets it all, though the whole takes several write deadlines. (A
// write blocked on a full socket resumes only once the reader has taken
// about a third of the send buffer, up to some 1.3 MB on Linux: the
// deadline must leave the reader time for that, here 1.5 s at ~3 MB/s.)
func TestSlowSteadyDownload(t *testing.T) {
	t.Parallel()
	const deadline = 1500 * time.Millisecond
	env := bigArchive(t, 3000, func(c *web.Config) {
		c.DownloadWriteTimeout = deadline
	})
	start := time.Now()
	req, _ := http.NewRequest("GET", env.URL+"/data/civicmon.ndjson", nil)
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var total int
	buf := make([]byte, 64<<10)
	var tail []byte
	for {
		n, err := io.ReadFull(resp.Body, buf)
		total += n
		tail = append(tail[:0], buf[max(0, n-64):n]...)
		if err != nil {
			break
		}
		time.Sleep(20 * time.Millisecond) // about 3 MB/s
	}
	took := time.Since(start)
	if !strings.HasSuffix(strings.TrimSpace(string(tail)), "}") {
		t.Fatalf("the slow download was cut after %d bytes (%s): ends %q\n%s", total, took, tail, env.Logs())
	}
	if took < 2*deadline {
		t.Fatalf("the download took %s: not slow enough to test the deadline", took)
	}
	t.Logf("%d bytes in %s at a steady slow pace", total, took)
}

// TestStalledDownloadsMemory: many clients that stop reading hold a
// bounded amount of memory: only DownloadLimit of them get a download.
// (Not parallel: it reads the process's heap.)
func TestStalledDownloadsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures memory")
	}
	env := bigArchive(t, 3000, func(c *web.Config) { c.DownloadWriteTimeout = time.Minute })
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	// Warm up: one download read whole.
	if r := get(t, env.URL+"/data/civicmon.ndjson"); r.status != 200 {
		t.Fatal(r.status)
	}
	before := heap()
	const clients = 60
	served := 0
	for range clients {
		if _, line := stall(t, env, "/data/civicmon.ndjson"); strings.Contains(line, " 200 ") {
			served++
		}
	}
	time.Sleep(200 * time.Millisecond)
	after := heap()
	grew := int64(after) - int64(before)
	t.Logf("%d stalled clients (%d served, the rest 429): heap in use %.1f MB → %.1f MB (%+.1f MB)",
		clients, served, float64(before)/1e6, float64(after)/1e6, float64(grew)/1e6)
	if served > 8 {
		t.Errorf("%d downloads ran at once, want at most the default 8", served)
	}
	if grew > 64<<20 {
		t.Errorf("%d stalled downloads grew the heap by %d MB", served, grew>>20)
	}
}
