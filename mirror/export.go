// Package mirror writes the public site as static files — a mirror that
// works from any static host, from a USB stick and from file:// — with a
// search page that searches an index built at export time, in the browser,
// and a manifest of every file's SHA-256 signed with Ed25519, so that the
// readers of a copy can check it is genuine (see docs/operations.md).
//
// Pages are rendered by the live site's own handler, in-process: the
// mirror shows exactly what the site shows, through the same public
// projection, and nothing else.
package mirror

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/web"
)

// Options are the choices of an export.
type Options struct {
	// BaseURL is the public URL of the site (https://monitor.example.org):
	// feeds, sitemaps and permalinks keep absolute links to it.
	BaseURL string
	// Langs are the interface languages to export, the first at the root
	// of the mirror and each other under a directory of its name (ru/…).
	// Default: every language of the site.
	Langs []i18n.Lang
	// Key signs the manifest. Without a key the mirror is written unsigned
	// only when Unsigned is set.
	Key      ed25519.PrivateKey
	Unsigned bool
	// Workers render pages in parallel (default: the number of CPUs).
	Workers int
	// SearchBlock is how many updates, newest first, make a block of the
	// search index (default 20,000): a search loads the blocks one by one
	// until it has a page of results.
	SearchBlock int
	Logger      *slog.Logger
	// Progress is told of every file written, with an estimate of the
	// total (which grows when the estimate was short).
	Progress func(done, total int)
	// Now is the clock (default time.Now): the pages' "today", and the
	// manifest's generation time.
	Now civicmon.Clock

	// For tests: updates read at a time (default chunkLimit), so that
	// lists of a few hundred updates span several chunks; and URLs not to
	// write, to see the link check catch a link to one.
	chunkSize int
	skip      func(url string) bool
}

// Result describes a finished export.
type Result struct {
	Files       int
	Bytes       int64
	Updates     int // published updates in the mirror
	Elapsed     time.Duration
	Fingerprint string // of the signing key; "" when unsigned
}

// ErrNoKey is returned when neither a key nor Unsigned is given.
var ErrNoKey = civicmon.Errorf(civicmon.EINVALID,
	"no signing key: give --key FILE (make one with `civicmon keygen`), or --unsigned for a mirror its readers cannot check")

// Export writes the mirror of the public site into dir. It builds the
// mirror in a new directory beside dir and puts it in dir's place only
// when all of it is written and signed: a failed or interrupted export
// leaves dir as it was. dir must be new, empty, or an earlier mirror
// (a directory with a MANIFEST), which the new one replaces.
func Export(ctx context.Context, st civicmon.Store, dir string, o Options) (*Result, error) {
	start := time.Now()
	if o.Key == nil && !o.Unsigned {
		return nil, ErrNoKey
	}
	if o.BaseURL == "" {
		return nil, civicmon.Errorf(civicmon.EINVALID, "no base URL: give --base-url, the public address of the site (e.g. https://monitor.example.org), which feeds and permalinks need")
	}
	o.BaseURL = strings.TrimSuffix(o.BaseURL, "/")
	if len(o.Langs) == 0 {
		o.Langs = i18n.Supported
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SearchBlock <= 0 {
		o.SearchBlock = defaultBlock
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.chunkSize <= 0 {
		o.chunkSize = chunkLimit
	}
	if err := checkTarget(dir); err != nil {
		return nil, err
	}
	if os.Getenv("GOGC") == "" {
		// The export allocates a page's worth of short-lived memory per
		// page and keeps little (≈400 MB at 10,000 updates): collecting
		// four times less often saves most of the collector's work for a
		// bigger heap. The setting is the process's; it is put back after.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(filepath.Clean(dir))+".partial-")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	e, err := newExporter(st, tmp, o)
	if err != nil {
		return nil, err
	}
	if err := e.run(ctx); err != nil {
		return nil, err
	}
	o.Logger.Debug("pages written", "files", e.done.Load(), "took", time.Since(start))
	m, err := writeManifest(tmp, e.hashes, o.Key, o.Now(), e.targets.seen)
	if err != nil {
		return nil, err
	}
	if e.targets.left() > 0 {
		return nil, fmt.Errorf("links to files the export did not write (a bug of civicmon, please report it): %s", strings.Join(danglingLinks(tmp, e.targets, 20), "; "))
	}
	o.Logger.Debug("manifest written", "took", time.Since(start))
	if err := replaceDir(tmp, dir); err != nil {
		return nil, err
	}
	ok = true
	res := &Result{Files: m.Files, Bytes: m.Bytes, Updates: e.updates, Elapsed: time.Since(start)}
	if o.Key != nil {
		res.Fingerprint = Fingerprint(o.Key.Public().(ed25519.PublicKey))
	}
	return res, nil
}

// checkTarget refuses a directory that holds something other than a
// mirror: an export replaces dir whole.
func checkTarget(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return civicmon.Errorf(civicmon.EINVALID, "%s is a file, not a directory: choose a new directory for the mirror", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err != nil {
		return civicmon.Errorf(civicmon.EINVALID, "%s is not empty and holds no mirror (no %s): an export replaces the whole directory, so choose a new or empty one", dir, ManifestName)
	}
	return nil
}

// replaceDir puts the finished mirror tmp in dir's place.
func replaceDir(tmp, dir string) error {
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("move the previous mirror aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// job is one URL of the site to write as a file of the mirror.
type job struct {
	url  string
	file string
	// search renders the mirror's search page instead of the URL.
	search bool
	// downloads, when set, are files of /data/ with the same query, to
	// write together instead of this job's own URL and file.
	downloads []job
}

type exporter struct {
	st     civicmon.Store // the database
	rs     *readStore     // the database, with what pages repeat in memory
	srv    *server.Server
	h      http.Handler
	dir    string
	o      Options
	m      *siteMap
	rw     *rewriter
	hashes *hashCache
	// targets are the files links name, for the check that each was
	// written.
	targets *targetSet
	log     *slog.Logger

	done, total atomic.Int64
	updates     int

	progressMu sync.Mutex
	mu         sync.Mutex
	badLinks   []string
	dirsMu     sync.Mutex
	dirs       map[string]struct{} // directories made lately
}

func newExporter(st civicmon.Store, dir string, o Options) (*exporter, error) {
	// The site's request log would say one line per file: only warnings.
	quiet := slog.New(levelHandler{slog.LevelWarn, o.Logger.Handler()})
	rs := newReadStore(st)
	srv, err := server.New(web.Config{Store: rs, Logger: quiet, Now: o.Now, BaseURL: o.BaseURL, NoPageCache: true,
		RequestTimeout: 10 * time.Minute})
	if err != nil {
		return nil, err
	}
	e := &exporter{st: st, rs: rs, srv: srv, h: srv.Handler(), dir: dir, o: o, m: &siteMap{langs: o.Langs},
		hashes: newHashCache(), targets: newTargetSet(), log: o.Logger, dirs: map[string]struct{}{}}
	e.rw = &rewriter{m: e.m, baseURL: o.BaseURL, targets: e.targets, bad: func(page, link string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if len(e.badLinks) < 20 {
			e.badLinks = append(e.badLinks, page+": "+link)
		}
	}}
	return e, nil
}

// run writes every file: a producer lists the site's URLs, workers render
// and write them.
func (e *exporter) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan job, 256)
	var wg sync.WaitGroup
	for range e.o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := &bytes.Buffer{}
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				t0 := time.Now()
				err := e.write(ctx, j, buf)
				e.log.Debug("file", "url", j.url, "took", time.Since(t0))
				if err != nil {
					cancel(fmt.Errorf("%s: %w", j.url, err))
				}
			}
		}()
	}
	indexed := make(chan error, 1)
	go func() { indexed <- e.index(ctx) }()
	perr := e.produce(ctx, func(j job) bool {
		e.total.Add(int64(max(1, len(j.downloads))))
		select {
		case jobs <- j:
			return true
		case <-ctx.Done():
			return false
		}
	})
	close(jobs)
	wg.Wait()
	if perr != nil && perr != errStop {
		cancel(perr)
	}
	if err := <-indexed; err != nil {
		cancel(fmt.Errorf("search index: %w", err))
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if len(e.badLinks) > 0 {
		return fmt.Errorf("links with no file in the mirror (a page links to something the export does not write; this is a bug of civicmon, please report it): %s", strings.Join(e.badLinks, "; "))
	}
	return nil
}

// write renders one URL and writes its file.
func (e *exporter) write(ctx context.Context, j job, buf *bytes.Buffer) error {
	if j.downloads != nil {
		return e.writeDownloads(ctx, j.downloads)
	}
	path := filepath.Join(e.dir, filepath.FromSlash(j.file))
	if err := e.mkdir(filepath.Dir(path)); err != nil {
		return err
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	buf.Reset()
	rec := &recorder{header: http.Header{}, body: buf}
	if j.search {
		e.srv.Site.MirrorSearchPage(rec, req)
	} else if err := serve(e.h, rec, req); err != nil {
		return err
	}
	if rec.status != http.StatusOK {
		return fmt.Errorf("the site answered %d", rec.status)
	}
	body := buf.Bytes()
	if strings.HasPrefix(rec.header.Get("Content-Type"), "text/html") {
		body = e.rw.html(j.file, body)
		body = addCSP(body, j.search)
	}
	return e.writeFile(path, j.file, body)
}

// addCSP gives each page the site's content security policy in a <meta>
// element, since static hosts and file:// send no headers: nothing loads
// from another host, and only the search page runs a script (its own).
func addCSP(page []byte, script bool) []byte {
	policy := "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'"
	if script {
		policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'"
	}
	const head = "<head>"
	i := bytes.Index(page, []byte(head))
	if i < 0 {
		return page
	}
	i += len(head)
	meta := `<meta http-equiv="Content-Security-Policy" content="` + policy + `">`
	out := make([]byte, 0, len(page)+len(meta))
	out = append(out, page[:i]...)
	out = append(out, meta...)
	return append(out, page[i:]...)
}

// mkdir makes dir, and the directories above it that are missing. It
// remembers the latest directories it made (not all: at a million updates
// they are millions).
func (e *exporter) mkdir(dir string) error {
	e.dirsMu.Lock()
	_, ok := e.dirs[dir]
	e.dirsMu.Unlock()
	if ok {
		return nil
	}
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, fs.ErrNotExist) && len(dir) > len(e.dir) {
		if err := e.mkdir(filepath.Dir(dir)); err != nil {
			return err
		}
		err = os.Mkdir(dir, 0o755)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	e.dirsMu.Lock()
	if len(e.dirs) >= dirsMax {
		clear(e.dirs)
	}
	e.dirs[dir] = struct{}{}
	e.dirsMu.Unlock()
	return nil
}

const dirsMax = 50000

func (e *exporter) writeFile(path, name string, body []byte) error {
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return err
	}
	e.hashes.put(name, int64(len(body)), sha256.Sum256(body))
	e.progress()
	return nil
}

func (e *exporter) progress() {
	n := e.done.Add(1)
	if e.o.Progress != nil {
		e.progressMu.Lock() // the callback need not be safe for concurrent use
		defer e.progressMu.Unlock()
		e.o.Progress(int(n), int(max(e.total.Load(), n)))
	}
}

// writeDownloads writes downloads of /data/ with the same query straight
// to their files, hashing them on the way: they can be as large as the
// whole archive. The site writes them all from one read of the updates
// (they are the bytes its /data/ serves, which a test checks); each
// format on its own would read and decode the same updates again.
func (e *exporter) writeDownloads(ctx context.Context, js []job) error {
	ws := make(map[string]io.Writer, len(js))
	outs := make([]*hashedFile, len(js))
	for i, j := range js {
		path := filepath.Join(e.dir, filepath.FromSlash(j.file))
		if err := e.mkdir(filepath.Dir(path)); err != nil {
			return err
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		outs[i] = &hashedFile{f: f, h: sha256.New()}
		ws[j.url] = outs[i]
	}
	if err := e.srv.Site.MirrorDownloads(ctx, ws); err != nil {
		return err
	}
	for i, out := range outs {
		if err := out.f.Close(); err != nil {
			return err
		}
		e.hashes.put(js[i].file, out.n, sum(out.h))
		e.progress()
	}
	return nil
}

// hashedFile writes to a file, hashing and counting what it writes.
type hashedFile struct {
	f *os.File
	h hash.Hash
	n int64
}

func (w *hashedFile) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

func sum(h hash.Hash) (out [32]byte) {
	copy(out[:], h.Sum(nil))
	return out
}

// serve runs the handler, turning the panic with which a handler cuts a
// response short (http.ErrAbortHandler, which an http.Server would catch)
// into an error.
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			err = fmt.Errorf("the site cut the response short (see the log above)")
			if cerr := r.Context().Err(); cerr != nil {
				err = cerr
			}
		}
	}()
	h.ServeHTTP(w, r)
	return nil
}

// recorder keeps a response in a buffer.
type recorder struct {
	header http.Header
	status int
	body   *bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// levelHandler drops records below a level.
type levelHandler struct {
	min slog.Level
	slog.Handler
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h levelHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return levelHandler{h.min, h.Handler.WithAttrs(a)}
}
func (h levelHandler) WithGroup(n string) slog.Handler {
	return levelHandler{h.min, h.Handler.WithGroup(n)}
}
