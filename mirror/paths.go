package mirror

import (
	"bytes"
	"hash/maphash"
	"html"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/civicmon/civicmon/i18n"
)

// The mirror's files are named after the site's URLs so that a reader can
// tell from a file where the page lives online, and so that every link
// resolves without a server: file:// does not turn /countries/kazakhstan
// into a file, so every page is a file of its own, linked by name. A page
// is a file beside its siblings, not an index.html in a directory of its
// own: a directory per page cost a mkdir per page (6.6% of an export).
//
//	/                              index.html
//	/countries                     countries.html
//	/countries/kazakhstan          countries/kazakhstan.html
//	/countries/kazakhstan?page=2   countries/kazakhstan/page-2.html
//	/countries?rating=closed       countries/rating-closed.html
//	/feed.atom                     feed.atom
//	/data/updates.csv?country=KZ   data/country-KZ/updates.csv
//	/updates/x/cite/bibtex         updates/x.bib (ris: x.ris, csl-json: x.csl.json)
//	/updates/x/ru                  updates/x/ru.html
//	/updates?q=…                   updates.html#q=… (the search page)
//	…?lang=ru                      ru/… (English, the default, at the root)
//
// Any other query parameter has no file: the link is reported and the
// export fails its link check.

// siteMap knows the languages of the mirror, which decide where ?lang=
// links go.
type siteMap struct {
	langs []i18n.Lang // exported languages; langs[0] is at the root
}

// fileParams are the query parameters that name a file of their own, in
// the order their segments appear.
var fileParams = []string{"country", "region", "rating", "year", "page"}

// citeExt gives the citation downloads, whose URLs have no extension, one.
// They are files beside the update's page, not in a directory of their
// own: two directories an update fewer to make.
var citeExt = map[string]string{"bibtex": ".bib", "ris": ".ris", "csl-json": ".csl.json", "text": ".txt"}

// langPrefix is the directory of a language's pages ("" for the root).
func (m *siteMap) langPrefix(l string) string {
	if l == "" || len(m.langs) == 0 || l == string(m.langs[0]) {
		return ""
	}
	for _, x := range m.langs[1:] {
		if string(x) == l {
			return l + "/"
		}
	}
	return "" // a language not exported: its links go to the default's page
}

// langIndex is the index in m.langs of the language whose directory a
// ?lang=l link goes to: 0, the root, for the first language and for one
// not exported (as langPrefix).
func (m *siteMap) langIndex(l []byte) int {
	for i, x := range m.langs {
		if i > 0 && string(x) == string(l) {
			return i
		}
	}
	return 0
}

// file maps a local URL (a path from the site root, with its query) to the
// mirror file that holds it, and the fragment a link to it needs (the
// search page takes the words of /updates?q= in its fragment). ok is false
// when the URL has no file in a mirror.
func (m *siteMap) file(ref string) (file, frag string, ok bool) {
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
		return "", "", false
	}
	q := u.Query()
	prefix := m.langPrefix(q.Get("lang"))
	q.Del("lang")
	p := u.Path
	if p == "/updates" || p == "/updates/" {
		// The explore page: the mirror's search page, which reads words
		// from its fragment.
		if words := q.Get("q"); words != "" {
			frag = "q=" + url.QueryEscape(words)
		}
		return prefix + "updates.html", frag, true
	}
	if p != "/" && strings.HasSuffix(p, "/") {
		return "", "", false
	}
	var segs []string
	for _, k := range fileParams {
		vs, present := q[k]
		if !present {
			continue
		}
		if len(vs) != 1 || !safeSegment(vs[0]) {
			return "", "", false
		}
		if k == "page" {
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 1 {
				return "", "", false
			}
			if n > 1 {
				segs = append(segs, "page-"+vs[0])
			}
		} else {
			segs = append(segs, k+"-"+vs[0])
		}
		q.Del(k)
	}
	if len(q) > 0 {
		return "", "", false
	}
	clean := strings.Trim(p, "/")
	for _, s := range strings.Split(clean, "/") {
		if clean != "" && !safeSegment(s) {
			return "", "", false
		}
	}
	if clean == "" {
		if len(segs) == 0 {
			return prefix + "index.html", u.Fragment, true
		}
		return prefix + strings.Join(segs, "/") + ".html", u.Fragment, true
	}
	dir, base := path.Split(clean)
	if ext, isCite := citeExt[base]; isCite && strings.HasSuffix(dir, "/cite/") && (strings.HasPrefix(dir, "updates/") || strings.HasPrefix(dir, "countries/")) {
		if len(segs) > 0 {
			return "", "", false
		}
		return prefix + strings.TrimSuffix(dir, "/cite/") + ext, u.Fragment, true
	}
	if strings.Contains(base, ".") { // a file: feed.atom, style.css, updates.csv
		return prefix + dir + joinSegs(segs) + base, u.Fragment, true
	}
	if len(segs) == 0 {
		return prefix + clean + ".html", u.Fragment, true
	}
	return prefix + clean + "/" + strings.Join(segs, "/") + ".html", u.Fragment, true
}

func joinSegs(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	return strings.Join(segs, "/") + "/"
}

// safeSegment accepts the characters of slugs, codes, dates and file names:
// nothing that could climb out of the mirror or mean something to a file
// system.
func safeSegment(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 200 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// relative is the link from the page in file from to the file to, both
// relative to the mirror's root.
func relative(from, to string) string {
	depth := strings.Count(from, "/")
	return strings.Repeat("../", depth) + to
}

// isLinkAttr says whether an attribute's value is a URL in the site's HTML
// (html/template always writes them in double quotes). A switch on the
// bytes, not a map: it is asked at every attribute of every page.
func isLinkAttr(name []byte) bool {
	switch string(name) {
	case "href", "src", "action", "srcset", "data-base":
		return true
	}
	return false
}

// rewriter turns the site's links into links between the mirror's files.
type rewriter struct {
	m       *siteMap
	baseURL string // absolute links to it are local links too
	// bad is called with every local link that has no file in the mirror.
	bad func(page, link string)
	// targets, if set, is told of the file every link names (at least once
	// each: the link check then makes sure the file was written).
	targets *targetSet
	// known remembers where links go, by their text in the page: the same
	// few hundred (the menu, the countries) are on every page, and each
	// update's on every list it is in. Keyed by the escaped text, a link
	// seen before costs no unescaping, no string and no parsing. A link to
	// a page in a language is remembered once for all languages, by its
	// text without the ?lang= that ends it: that is four times fewer links
	// to remember (some 100,000 for 10,000 updates), and a lookup in a map
	// that size waits on memory more than it computes.
	mu    sync.Mutex
	known map[string]*resolved
	// recent holds a *recentLinks for each worker.
	recent sync.Pool
}

// recentLinks are a worker's latest links, in front of the rewriter's
// map: the links a page repeats (an update's title and its "read more",
// the language menu) and those every page has (the site menu) are found
// here, in memory that stays in the processor's cache, without the lock.
// A map lookup, even one that finds the link, waits on memory: the
// map is the size of the site's links, and each page renders in between.
type recentLinks struct {
	seed maphash.Seed
	// slots, by a hash of the link's text: enough for the pages of a list
	// in the four languages, which the workers render one after another
	// and which share their links but the ?lang= (8 KB a worker).
	slots [1024]*resolved
}

// resolved is what a link, as written in a page, becomes in the mirror.
type resolved struct {
	// value is the new attribute value, escaped, as a page at the mirror's
	// root writes it.
	value []byte
	// inMirror: value names a file of the mirror from the root, which a
	// page deeper down reaches through one "../" per directory it is in,
	// and a page in another language through its language's directory.
	// ("../" and a language need no escaping: the value stays escaped.)
	inMirror bool
	file     string // the file, for the link check
	// anyLang: the link, with lang=xx added to its query, goes to the same
	// file in xx's directory. Not so if it has a fragment, which the query
	// would join, or names a language already, or might through an escape
	// (it has "lang" or "%" in it).
	anyLang bool
	// hasQuery: the link has a query, which lang=xx joins with "&", not
	// "?".
	hasQuery bool
	// announced has a bit per language (its index in the siteMap's langs)
	// whose file the link check was told of.
	announced atomic.Uint64
	raw       string // the link as the page writes it: the key of known
	// unmapped is a local link that has no file in the mirror (value is
	// the link unchanged): reported at every page that has it.
	unmapped bool
	ref      string // the link, unescaped: what bad is told
}

// knownMax bounds the links remembered (≈200 bytes each): enough for
// every page of a 10,000-update mirror, whose updates are linked from a
// list each of their country, region, freedoms and tags, at different
// times of the export.
const knownMax = 100000

// html rewrites the links of the HTML page stored at file, and drops what
// needs a server: GET forms other than the search form (the country
// filters; the pages they lead to are linked from elsewhere). It reads
// the page once, from attribute to attribute: html/template escapes every
// quote in text, so `="` only ever starts an attribute's value.
func (rw *rewriter) html(file string, in []byte) []byte {
	in = dropServerForms(in)
	recent, _ := rw.recent.Get().(*recentLinks)
	if recent == nil {
		recent = &recentLinks{seed: maphash.MakeSeed()}
	}
	defer rw.recent.Put(recent)
	depth := strings.Count(file, "/")
	out := make([]byte, 0, len(in)+len(in)/8)
	i := 0
	for {
		j := bytes.Index(in[i:], []byte(`="`))
		if j < 0 {
			return append(out, in[i:]...)
		}
		eq := i + j
		start := eq + 2
		end := bytes.IndexByte(in[start:], '"')
		if end < 0 {
			return append(out, in[i:]...)
		}
		end += start
		n := eq
		for n > 0 && (in[n-1] == '-' || in[n-1] >= 'a' && in[n-1] <= 'z') {
			n--
		}
		if n == 0 || in[n-1] != ' ' || !isLinkAttr(in[n:eq]) {
			out = append(out, in[i:end]...)
			i = end
			continue
		}
		out = append(out, in[i:start]...)
		if string(in[n:eq]) == "srcset" {
			out = append(out, rw.srcset(file, in[start:end])...)
		} else {
			out = rw.appendLink(out, recent, file, depth, in[start:end])
		}
		i = end
	}
}

// appendLink appends the rewritten value of one link attribute, written
// raw (escaped) in the page at file, which is depth directories down.
func (rw *rewriter) appendLink(out []byte, recent *recentLinks, file string, depth int, raw []byte) []byte {
	var r *resolved
	var lang []byte // the language directory the link goes to, if not the root's
	langIndex := 0
	if rest, l, joined, ok := cutLang(raw); ok {
		if r = rw.lookup(recent, rest); r.anyLang && r.hasQuery == joined {
			if langIndex = rw.m.langIndex(l); langIndex > 0 {
				lang = l
			}
		} else {
			r = nil
		}
	}
	if r == nil {
		r = rw.lookup(recent, raw)
	}
	if r.unmapped && rw.bad != nil {
		rw.bad(file, r.ref)
	}
	if !r.inMirror {
		return append(out, r.value...)
	}
	if rw.targets != nil && rw.announce(r, langIndex) {
		name := r.file
		if lang != nil {
			name = string(lang) + "/" + name
		}
		rw.targets.add(name)
	}
	for range depth {
		out = append(out, "../"...)
	}
	if lang != nil {
		out = append(append(out, lang...), '/')
	}
	return append(out, r.value...)
}

// cutLang splits a link (escaped) that ends in ?lang=xx or &amp;lang=xx
// into the rest and xx (two or three lower-case letters); joined is true
// for &amp;, which joins the language to a query.
func cutLang(raw []byte) (rest, lang []byte, joined, ok bool) {
	// From the end: this is asked of every link.
	i := len(raw)
	for i > 0 && len(raw)-i < 3 && raw[i-1] >= 'a' && raw[i-1] <= 'z' {
		i--
	}
	if n := len(raw) - i; n < 2 || !bytes.HasSuffix(raw[:i], []byte("lang=")) {
		return nil, nil, false, false
	}
	lang = raw[i:]
	i -= len("lang=")
	switch rest = raw[:i]; {
	case bytes.HasSuffix(rest, []byte("?")):
		return rest[:len(rest)-1], lang, false, true
	case bytes.HasSuffix(rest, []byte("&amp;")):
		return rest[:len(rest)-len("&amp;")], lang, true, true
	}
	return nil, nil, false, false
}

// lookup is what the link written raw in a page becomes, remembered.
func (rw *rewriter) lookup(recent *recentLinks, raw []byte) *resolved {
	slot := &recent.slots[maphash.Bytes(recent.seed, raw)%uint64(len(recent.slots))]
	if r := *slot; r != nil && r.raw == string(raw) {
		return r
	}
	rw.mu.Lock()
	r := rw.known[string(raw)] // no allocation: the compiler looks up the bytes
	rw.mu.Unlock()
	if r == nil {
		r = rw.resolve(html.UnescapeString(string(raw)))
		r.raw = string(raw)
		rw.mu.Lock()
		if rw.known == nil || len(rw.known) >= knownMax {
			rw.known = make(map[string]*resolved, 1024)
		}
		rw.known[r.raw] = r
		rw.mu.Unlock()
	}
	*slot = r
	return r
}

// announce says whether the link check is still to be told of r's file in
// the language of index lang; from now on it is.
func (rw *rewriter) announce(r *resolved, lang int) bool {
	if lang >= 64 {
		return true
	}
	bit := uint64(1) << lang
	return r.announced.Load()&bit == 0 && r.announced.Or(bit)&bit == 0
}

// resolve works out what the link ref (unescaped) becomes.
func (rw *rewriter) resolve(ref string) *resolved {
	r := &resolved{ref: ref}
	var to string
	to, r.file, r.inMirror, r.unmapped = rw.where(ref)
	r.value = escapeAttr(to)
	r.anyLang = r.inMirror && !strings.ContainsAny(ref, "#%") && !strings.Contains(ref, "lang")
	r.hasQuery = strings.Contains(ref, "?")
	return r
}

// where is where the link ref (unescaped) goes: to a file of the mirror,
// named from its root, with its fragment if any (inMirror); or, unchanged,
// to another site, a fragment, data: or mailto:; or, unchanged, nowhere: a
// local link with no file (unmapped).
func (rw *rewriter) where(ref string) (to, file string, inMirror, unmapped bool) {
	local := ref
	if rw.baseURL != "" && strings.HasPrefix(ref, rw.baseURL+"/") {
		local = strings.TrimPrefix(ref, rw.baseURL)
	}
	if !strings.HasPrefix(local, "/") || strings.HasPrefix(local, "//") {
		return ref, "", false, false
	}
	file, frag, ok := rw.m.file(local)
	if !ok {
		return ref, "", false, true
	}
	if frag != "" {
		return file + "#" + frag, file, true, false
	}
	return file, file, true, false
}

// escapeAttr escapes s for a double-quoted attribute value, and leaves
// alone what needs no escaping (html.UnescapeString may have turned an
// entity such as &#43; into a character that does not need one).
func escapeAttr(s string) []byte {
	if strings.ContainsAny(s, `<>&'"`) {
		s = html.EscapeString(s)
	}
	return []byte(s)
}

// srcset rewrites the URLs of a srcset attribute's value ("url descriptor,
// url descriptor"), written raw in the page at file. The site has none: it
// is not remembered.
func (rw *rewriter) srcset(file string, raw []byte) []byte {
	parts := strings.Split(html.UnescapeString(string(raw)), ",")
	for k, part := range parts {
		f := strings.Fields(part)
		if len(f) > 0 {
			f[0] = rw.link(file, f[0])
		}
		parts[k] = strings.Join(f, " ")
	}
	return escapeAttr(strings.Join(parts, ", "))
}

// link rewrites one link (unescaped) of the page at file.
func (rw *rewriter) link(file, ref string) string {
	to, target, inMirror, unmapped := rw.where(ref)
	if unmapped && rw.bad != nil {
		rw.bad(file, ref)
	}
	if !inMirror {
		return to
	}
	if rw.targets != nil {
		rw.targets.add(target)
	}
	return relative(file, to)
}

// dropServerForms removes the GET forms that only a server can answer: all
// but the one that searches (action="/updates", which becomes the search
// page). Most pages have only that one: they are returned as they are,
// not copied.
func dropServerForms(in []byte) []byte {
	const open, end = "<form ", "</form>"
	var out []byte // what is kept before in[kept:], once a form is dropped
	kept := 0
	for i := 0; ; {
		j := bytes.Index(in[i:], []byte(open))
		if j < 0 {
			break
		}
		j += i
		tagEnd := bytes.IndexByte(in[j:], '>')
		if tagEnd < 0 {
			break
		}
		tag := in[j : j+tagEnd]
		if !bytes.Contains(tag, []byte(` method="get"`)) || bytes.Contains(tag, []byte(` action="/updates"`)) {
			i = j + tagEnd
			continue
		}
		k := bytes.Index(in[j:], []byte(end))
		if k < 0 {
			break
		}
		if out == nil {
			out = make([]byte, 0, len(in))
		}
		out = append(out, in[kept:j]...)
		kept = j + k + len(end)
		i = kept
	}
	if out == nil {
		return in
	}
	return append(out, in[kept:]...)
}
