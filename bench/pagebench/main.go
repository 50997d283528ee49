// Command pagebench measures how fast civicmon serves a public page against
// net/http's FileServer serving the same bytes from a file, in one run on
// one machine, so that the figure is a ratio and not a number that depends
// on the machine.
//
// It starts `civicmon serve` on the given database and a static file server
// (this same binary with -static) as separate processes, then loads each
// in turn with the same closed-loop client: -c connections, keep-alive, no
// compression (both sides send the same bytes), alternating rounds so that
// noise on a shared machine falls on both.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	static := flag.String("static", "", "internal: serve this directory with http.FileServer")
	addr := flag.String("addr", "127.0.0.1:0", "internal: address for -static")
	civicmon := flag.String("civicmon", "", "path to the civicmon binary")
	db := flag.String("db", "", "database with the demo data and synthetic updates")
	path := flag.String("path", "/countries/kazakhstan", "page to measure")
	conns := flag.Int("c", 64, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration of each round")
	rounds := flag.Int("rounds", 3, "rounds per server, alternating")
	flag.Parse()
	if *static != "" {
		serveStatic(*static, *addr)
		return
	}
	if *civicmon == "" || *db == "" {
		log.Fatal("usage: pagebench -civicmon BIN -db DB [-path /countries/kazakhstan] [-c 64] [-d 10s]")
	}

	appURL, stopApp := start(*civicmon, "serve", "--db", *db, "--addr", "127.0.0.1:0")
	defer stopApp()
	body := fetch(appURL + strings.TrimPrefix(*path, "/"))
	dir, err := os.MkdirTemp("", "pagebench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "page.html"), body, 0o644); err != nil {
		log.Fatal(err)
	}
	self, _ := os.Executable()
	staticURL, stopStatic := start(self, "-static", dir)
	defer stopStatic()
	if got := fetch(staticURL + "page.html"); string(got) != string(body) {
		log.Fatal("static server does not serve the same bytes")
	}
	fmt.Printf("page %s: %d bytes; %d connections, %d rounds of %s each\n", *path, len(body), *conns, *rounds, *dur)

	var app, stat []result
	for i := 0; i < *rounds; i++ {
		stat = append(stat, load(staticURL+"page.html", *conns, *dur))
		app = append(app, load(appURL+strings.TrimPrefix(*path, "/"), *conns, *dur))
	}
	s, a := merge(stat), merge(app)
	fmt.Printf("%-28s %10s %10s %10s %8s\n", "server", "req/s", "p50", "p99", "errors")
	fmt.Printf("%-28s %10.0f %10s %10s %8d\n", "static file (FileServer)", s.rps, s.p(50), s.p(99), s.errors)
	fmt.Printf("%-28s %10.0f %10s %10s %8d\n", "civicmon "+*path, a.rps, a.p(50), a.p(99), a.errors)
	fmt.Printf("ratio civicmon/static throughput: %.2f\n", a.rps/s.rps)
}

func serveStatic(dir, addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("serving on http://%s/\n", ln.Addr())
	log.Fatal(http.Serve(ln, http.FileServer(http.Dir(dir))))
}

// start runs a server process and returns the URL it prints.
func start(bin string, args ...string) (string, func()) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "CIVICMON_LOG_LEVEL=error")
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "http://"); i >= 0 {
			go io.Copy(io.Discard, out)
			return strings.TrimSpace(sc.Text()[i:]), func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
		}
	}
	log.Fatalf("%s printed no URL", bin)
	return "", nil
}

func fetch(url string) []byte {
	resp, err := http.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		log.Fatalf("%s: %s", url, resp.Status)
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}

type result struct {
	n, errors int
	elapsed   time.Duration
	lat       []time.Duration
	rps       float64
}

func (r result) p(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat)-1) * q / 100)
	return r.lat[i].Round(10 * time.Microsecond)
}

// load runs a closed loop: each connection sends its next request as soon
// as the previous answer is read whole.
func load(url string, conns int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all result
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<16)
			errs := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs++
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					if ctx.Err() == nil {
						errs++
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all.lat = append(all.lat, lat...)
			all.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	all.n = len(all.lat)
	return all
}

func merge(rs []result) result {
	var m result
	for _, r := range rs {
		m.n += r.n
		m.errors += r.errors
		m.elapsed += r.elapsed
		m.lat = append(m.lat, r.lat...)
	}
	sort.Slice(m.lat, func(i, j int) bool { return m.lat[i] < m.lat[j] })
	m.rps = float64(m.n) / m.elapsed.Seconds()
	return m
}
