// Command soak runs civicmon under mixed load for a while and reports how
// it held: readers on pages, search and downloads, editors saving and
// publishing through the API, and an import beside them, all on loopback
// against one `civicmon serve` process. It prints throughput, p50 and p99
// latency and errors per kind of request, the server's resident memory
// over time, and checks at the end that every write the server
// acknowledged is there.
//
//	go run ./bench/soak --updates 100000 --duration 2m
//
// (bench/soak.sh builds civicmon and runs it; docs/benchmarks.md has
// figures.) It is bounded: a fixed number of clients, closed loop, for
// --duration; the database is made once per size in bench/out/.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	bin      = flag.String("bin", "bench/out/civicmon", "the civicmon binary")
	updates  = flag.Int("updates", 100000, "synthetic updates in the database (made once in bench/out/)")
	duration = flag.Duration("duration", 2*time.Minute, "how long the load runs")
	readers  = flag.Int("readers", 8, "concurrent readers (pages, search, downloads)")
	editors  = flag.Int("editors", 2, "concurrent editors (create and publish through the API)")
	imports  = flag.Int("import", 2000, "updates in the file imported beside the load (0: none)")
	port     = flag.Int("port", 18451, "loopback port of the server")
)

// op is one kind of request, with what it saw.
type op struct {
	name string
	mu   sync.Mutex
	lat  []time.Duration
	errs int
	last string
}

func (o *op) record(d time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.errs++
		o.last = err.Error()
		return
	}
	o.lat = append(o.lat, d)
}

func main() {
	flag.Parse()
	log.SetFlags(0)
	out := "bench/out"
	os.MkdirAll(out, 0o755)
	db := filepath.Join(out, fmt.Sprintf("soak-%d.db", *updates))
	if _, err := os.Stat(db); err != nil {
		log.Printf("making %s (%d updates)…", db, *updates)
		must(run(*bin, "demo", "--db", db+".tmp"))
		must(run(*bin, "gen", "--db", db+".tmp", "--updates", strconv.Itoa(*updates), "--seed", "1"))
		must(os.Rename(db+".tmp", db))
		os.Remove(db + ".tmp-wal")
		os.Remove(db + ".tmp-shm")
	}
	// Each run works on a copy, so runs start alike.
	work := filepath.Join(out, "soak-run.db")
	for _, f := range []string{work, work + "-wal", work + "-shm"} {
		os.Remove(f)
	}
	must(run(*bin, "backup", "--db", db, work))
	importFile := ""
	if *imports > 0 {
		src := filepath.Join(out, fmt.Sprintf("soak-import-%d.db", *imports))
		importFile = filepath.Join(out, fmt.Sprintf("soak-import-%d.ndjson", *imports))
		if _, err := os.Stat(importFile); err != nil {
			os.Remove(src)
			must(run(*bin, "demo", "--db", src))
			must(run(*bin, "gen", "--db", src, "--updates", strconv.Itoa(*imports), "--seed", "7"))
			must(run(*bin, "export", "--db", src, "--format", "ndjson", "--table", "updates", "--out", importFile))
		}
	}
	tokenOut, err := exec.Command(*bin, "token", "create", "--db", work, "--name", "soak", "--role", "editor").Output()
	must(err)
	token := strings.TrimSpace(string(tokenOut))
	// An import names the person who runs it (--as) once the database has
	// accounts, as the token's makes it have.
	addUser := exec.Command(*bin, "user", "add", "--db", work, "--email", "soak@example.org", "--name", "Soak", "--role", "editor")
	addUser.Stdin = strings.NewReader("soak-password-not-for-use\n")
	if out, err := addUser.CombinedOutput(); err != nil {
		log.Fatalf("user add: %v: %s", err, out)
	}

	base := fmt.Sprintf("http://127.0.0.1:%d/", *port)
	srv := exec.Command(*bin, "serve", "--db", work, "--addr", fmt.Sprintf("127.0.0.1:%d", *port))
	srvLog, _ := os.Create(filepath.Join(out, "soak-serve.log"))
	srv.Stdout, srv.Stderr = srvLog, srvLog
	must(srv.Start())
	defer srv.Process.Kill()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: time.Minute}
	for i := 0; ; i++ {
		if resp, err := client.Get(base + "readyz"); err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if i > 600 {
			log.Fatal("the server did not become ready")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Searches wait for the search index: load it before the clock starts.
	get(client, base+"updates?q=protest")

	ops := map[string]*op{}
	for _, n := range []string{"page", "search", "download", "create", "publish", "import"} {
		ops[n] = &op{name: n}
	}
	var acked sync.Map // stable id → title, every write the server acknowledged
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var wg sync.WaitGroup
	pages := []string{"", "countries", "countries/kazakhstan", "countries/kazakhstan?page=3", "regions/asia-pacific",
		"freedoms/expression", "watchlist", "feed.atom", "countries/chile", "tags/censorship"}
	words := []string{"protest", "journalists", "police", "authorities", "shutdown", "detained", "the", "protest -police", "liquidation"}
	downloads := []string{"data/updates.csv?country=KZ", "data/civicmon.ndjson?country=CL", "data/ratings.csv"}
	for r := range *readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 1))
			for ctx.Err() == nil {
				var o *op
				var u string
				switch x := rng.IntN(10); {
				case x < 6:
					o, u = ops["page"], pages[rng.IntN(len(pages))]
				case x < 9:
					o, u = ops["search"], "updates?q="+strings.ReplaceAll(words[rng.IntN(len(words))], " ", "+")
				default:
					o, u = ops["download"], downloads[rng.IntN(len(downloads))]
				}
				start := time.Now()
				err := get(client, base+u)
				if ctx.Err() == nil {
					o.record(time.Since(start), err)
				}
			}
		}()
	}
	var n atomic.Int64
	for range *editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := n.Add(1)
				title := fmt.Sprintf("Soak update %d: protesters detained", i)
				start := time.Now()
				var created struct{ ID string }
				err := post(client, token, base+"api/v1/updates", fmt.Sprintf(`{"country":"KZ","title":%q,"summary":"Written during the soak."}`, title), http.StatusCreated, &created)
				ops["create"].record(time.Since(start), err)
				if err != nil {
					continue
				}
				acked.Store(created.ID, title)
				start = time.Now()
				err = post(client, token, base+"api/v1/updates/"+created.ID+"/actions/publish", `{}`, http.StatusOK, nil)
				ops["publish"].record(time.Since(start), err)
			}
		}()
	}
	if importFile != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(*duration / 3)
			start := time.Now()
			out, err := exec.Command(*bin, "import", "--db", work, "--as", "soak@example.org", importFile).CombinedOutput()
			if err != nil {
				err = fmt.Errorf("%v: %s", err, out)
			}
			ops["import"].record(time.Since(start), err)
		}()
	}
	// The server's resident memory, every tenth of the run.
	var rss []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(*duration / 10)
		defer tick.Stop()
		start := time.Now()
		rss = append(rss, fmt.Sprintf("%s %s", "0s", vmRSS(srv.Process.Pid)))
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				rss = append(rss, fmt.Sprintf("%s %s", time.Since(start).Round(time.Second), vmRSS(srv.Process.Pid)))
			}
		}
	}()
	wg.Wait()
	rss = append(rss, "end "+vmRSS(srv.Process.Pid)+" (peak "+procField(srv.Process.Pid, "VmHWM")+")")

	// Every acknowledged write is there, read back through the API.
	missing, total := 0, 0
	acked.Range(func(k, v any) bool {
		total++
		var u struct{ Title string }
		req, _ := http.NewRequest(http.MethodGet, base+"api/v1/updates/"+k.(string), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&u)
			resp.Body.Close()
		}
		if err != nil || resp.StatusCode != 200 || u.Title != v.(string) {
			missing++
		}
		return true
	})

	fmt.Printf("soak: %d updates, %s, %d readers, %d editors, import of %d updates; loopback\n\n", *updates, *duration, *readers, *editors, *imports)
	fmt.Printf("| requests | count | per second | p50 | p99 | errors |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
	errors := 0
	for _, name := range []string{"page", "search", "download", "create", "publish", "import"} {
		o := ops[name]
		slices.Sort(o.lat)
		errors += o.errs
		fmt.Printf("| %s | %d | %.1f | %s | %s | %d |\n", name, len(o.lat), float64(len(o.lat))/duration.Seconds(),
			pct(o.lat, 50), pct(o.lat, 99), o.errs)
		if o.errs > 0 {
			fmt.Printf("|   last error: %s | | | | | |\n", o.last)
		}
	}
	fmt.Printf("\nserver RSS over the run: %s\n", strings.Join(rss, ", "))
	fmt.Printf("acknowledged writes: %d, all read back: %v (%d missing); errors: %d\n", total, missing == 0, missing, errors)
	srv.Process.Signal(os.Interrupt)
	srv.Wait()
	if missing > 0 || errors > 0 {
		os.Exit(1)
	}
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return nil
}

func post(c *http.Client, token, url, body string, want int, out any) error {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func pct(l []time.Duration, p int) string {
	if len(l) == 0 {
		return "–"
	}
	return l[min(len(l)-1, len(l)*p/100)].Round(100 * time.Microsecond).String()
}

func vmRSS(pid int) string { return procField(pid, "VmRSS") }

func procField(pid int, field string) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return fmt.Sprintf("%d MB", kb/1024)
		}
	}
	return "?"
}

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
