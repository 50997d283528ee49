package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/metrics"
)

// Changes tells caches that the data changed; *sqldb.DB implements it.
type Changes interface {
	// Commits counts this process's committed writes (checked per request).
	Commits() uint64
	// DataVersion moves with every write of any process (polled).
	DataVersion(ctx context.Context) (int64, error)
}

// generation identifies a state of the data on a day; a cached page
// rendered in one generation is stale in any other. The day is part of it
// because what is public depends on it without any write: a rating or a
// watchlist edition dated tomorrow is public tomorrow.
type generation struct {
	commits  uint64
	external int64
	day      civicmon.Date // today by the server's clock
}

func (s *Server) Generation() generation {
	g := generation{external: s.external.Load(), day: civicmon.DateOf(s.cfg.Now())}
	if s.cfg.Changes != nil {
		g.commits = s.cfg.Changes.Commits()
	}
	return g
}

// pollChanges notices writes made by other processes (a `civicmon import`
// beside the server, another server on the same PostgreSQL).
func (s *Server) pollChanges(ctx context.Context, every time.Duration) {
	if s.cfg.Changes == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			v, err := s.cfg.Changes.DataVersion(ctx)
			if err == nil && v != s.external.Load() {
				// The in-memory indexes look again before a page is
				// rendered for the new version (sqldb's search views do
				// so inside DataVersion).
				s.Stats().Stale()
				s.external.Store(v)
			}
		}
	}
}

// pageCache keeps rendered public pages, raw and gzipped, in memory, least
// recently used first out when it outgrows its budget.
type pageCache struct {
	mu       sync.Mutex
	ll       *list.List
	items    map[string]*list.Element
	bytes    int64
	maxBytes int64
	// rendering holds the renders in progress, so that a burst of readers
	// missing the same page after a write waits for one render instead of
	// running as many.
	rendering map[string]*render
}

type render struct {
	done chan struct{}
	page *cachedPage // nil when the answer was not cacheable
}

// claim returns (nil, true) when the caller should render key itself, and
// the render in progress otherwise.
func (c *pageCache) claim(key string) (*render, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.rendering[key]; ok {
		return r, false
	}
	if c.rendering == nil {
		c.rendering = map[string]*render{}
	}
	c.rendering[key] = &render{done: make(chan struct{})}
	return nil, true
}

func (c *pageCache) finish(key string, p *cachedPage) {
	c.mu.Lock()
	r := c.rendering[key]
	delete(c.rendering, key)
	c.mu.Unlock()
	if r != nil {
		r.page = p
		close(r.done)
	}
}

type cachedPage struct {
	key          string
	gen          generation
	header       http.Header
	raw, gz      []byte
	etag         string
	lastModified time.Time
}

func newPageCache(maxBytes int64) *pageCache {
	return &pageCache{ll: list.New(), items: map[string]*list.Element{}, maxBytes: maxBytes}
}

func (c *pageCache) get(key string, gen generation) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	p := el.Value.(*cachedPage)
	if p.gen != gen {
		c.remove(el)
		return nil
	}
	c.ll.MoveToFront(el)
	return p
}

func (c *pageCache) put(p *cachedPage) {
	size := int64(len(p.raw) + len(p.gz) + len(p.key) + 256)
	if size > c.maxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[p.key]; ok {
		c.remove(el)
	}
	c.items[p.key] = c.ll.PushFront(p)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.remove(c.ll.Back())
	}
}

func (c *pageCache) remove(el *list.Element) {
	p := el.Value.(*cachedPage)
	c.ll.Remove(el)
	delete(c.items, p.key)
	c.bytes -= int64(len(p.raw) + len(p.gz) + len(p.key) + 256)
}

// bufferedResponse captures a handler's response for the cache.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// WantsJSON reports whether a request asks for JSON rather than HTML: the
// pages that answer both (the explore page) decide by it, and the page
// cache keeps the two answers apart by it.
func WantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// cached serves public pages from the page cache, rendering on a miss.
// Only complete 200 answers without cookies are kept.
func (s *Server) Cached(next http.HandlerFunc) http.HandlerFunc {
	if s.cfg.NoPageCache {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		lang, explicit := s.language(r)
		key := r.Host + r.URL.Path + "?" + r.URL.RawQuery + "#" + string(lang)
		if WantsJSON(r) {
			key += "#json" // pages that answer JSON too keep both
		}
		gen := s.Generation()
		p := s.cache.get(key, gen)
		metrics.CacheLookup(p != nil)
		if p == nil {
			if inflight, mine := s.cache.claim(key); !mine {
				select {
				case <-inflight.done:
					p = inflight.page
				case <-r.Context().Done():
					return
				}
			} else {
				p = s.renderForCache(w, r, next, key, gen)
				if p == nil {
					return // answered directly: not a cacheable page
				}
			}
		}
		if p == nil { // the render we waited for was not cacheable: do our own
			next(w, r)
			return
		}
		s.serveCached(w, r, p, explicit)
	}
}

// CachedAPI is Cached for the JSON API's public reads: the same cache and
// generations, keyed without the interface language, which no answer
// depends on.
func (s *Server) CachedAPI(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := "api " + r.Host + r.URL.Path + "?" + r.URL.RawQuery
		gen := s.Generation()
		p := s.cache.get(key, gen)
		metrics.CacheLookup(p != nil)
		if p == nil {
			if inflight, mine := s.cache.claim(key); !mine {
				select {
				case <-inflight.done:
					p = inflight.page
				case <-r.Context().Done():
					return
				}
			} else if p = s.renderForCache(w, r, next, key, gen); p == nil {
				return // answered directly: an error
			}
		}
		if p == nil {
			next(w, r)
			return
		}
		s.serveCached(w, r, p, true)
	}
}

// renderForCache runs the handler into a buffer and keeps a 200 answer
// without cookies; anything else is written to w as it is, and nil returned.
func (s *Server) renderForCache(w http.ResponseWriter, r *http.Request, next http.HandlerFunc, key string, gen generation) (p *cachedPage) {
	defer func() { s.cache.finish(key, p) }()
	rec := &bufferedResponse{header: http.Header{}}
	next(rec, r)
	if rec.status != http.StatusOK || rec.header.Get("Set-Cookie") != "" {
		copyHeader(w.Header(), rec.header)
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
		return nil
	}
	p = newCachedPage(key, gen, rec.header, rec.body.Bytes(), s.cfg.Now())
	s.cache.put(p)
	return p
}

func newCachedPage(key string, gen generation, header http.Header, body []byte, now time.Time) *cachedPage {
	sum := sha256.Sum256(body)
	p := &cachedPage{key: key, gen: gen, header: header.Clone(), raw: bytes.Clone(body),
		etag: `"` + hex.EncodeToString(sum[:12]) + `"`, lastModified: now.UTC().Truncate(time.Second)}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	p.gz = gz.Bytes()
	return p
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, p *cachedPage, explicitLang bool) {
	h := w.Header()
	copyHeader(h, p.header)
	h.Set("ETag", p.etag)
	h.Set("Last-Modified", p.lastModified.Format(http.TimeFormat))
	// Shared caches may keep a public page briefly; they revalidate with the
	// ETag afterwards, which costs us a hash comparison.
	h.Set("Cache-Control", "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400")
	// What the cache varies on, after what the handler said it varies on
	// (the explore page: Accept).
	vary := append([]string(nil), p.header.Values("Vary")...)
	vary = append(vary, "Accept-Encoding")
	if !explicitLang {
		vary = append(vary, "Accept-Language")
	}
	h.Set("Vary", strings.Join(vary, ", "))
	if notModified(r, p) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := p.raw
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func notModified(r *http.Request, p *cachedPage) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == p.etag || tag == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !p.lastModified.After(t) {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(q, 64)
			return err == nil && f > 0
		}
		return true
	}
	return false
}

// gzipWriterPool recycles compressors for responses that are not cached.
var gzipWriterPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

// gzipResponse compresses text responses that are not already encoded.
type gzipResponse struct {
	http.ResponseWriter
	r       *http.Request
	zw      *gzip.Writer
	decided bool
}

func (g *gzipResponse) WriteHeader(code int) {
	if !g.decided {
		g.decided = true
		h := g.Header()
		ct := h.Get("Content-Type")
		if h.Get("Content-Encoding") == "" && code != http.StatusNoContent && code != http.StatusNotModified &&
			(strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") || strings.Contains(ct, "svg")) {
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
			h.Add("Vary", "Accept-Encoding")
			g.zw = gzipWriterPool.Get().(*gzip.Writer)
			g.zw.Reset(g.ResponseWriter)
		}
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipResponse) Write(b []byte) (int, error) {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		return g.zw.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

func (g *gzipResponse) Flush() {
	if g.zw != nil {
		g.zw.Flush()
	}
	http.NewResponseController(g.ResponseWriter).Flush()
}

func (g *gzipResponse) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipResponse) close() {
	if g.zw != nil {
		g.zw.Close()
		gzipWriterPool.Put(g.zw)
		g.zw = nil
	}
}

func (s *Server) compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !acceptsGzip(r) || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		g := &gzipResponse{ResponseWriter: w, r: r}
		defer g.close()
		next.ServeHTTP(g, r)
	})
}
