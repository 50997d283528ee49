package mirror

import (
	"bytes"
	"html"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"

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
var fileParams = []string{"country", "region", "rating", "page"}

// citeExt gives the citation downloads, whose URLs have no extension, one.
// They are files beside the update's page, not in a directory of their
// own: two directories an update fewer to make.
var citeExt = map[string]string{"bibtex": ".bib", "ris": ".ris", "csl-json": ".csl.json"}

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
	if ext, isCite := citeExt[base]; isCite && strings.HasSuffix(dir, "/cite/") && strings.HasPrefix(dir, "updates/") {
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

// linkAttrs are the attributes whose values are URLs in the site's HTML
// (html/template always writes them in double quotes).
var linkAttrs = map[string]bool{"href": true, "src": true, "action": true, "srcset": true, "data-base": true}

// rewriter turns the site's links into links between the mirror's files.
type rewriter struct {
	m       *siteMap
	baseURL string // absolute links to it are local links too
	// bad is called with every local link that has no file in the mirror.
	bad func(page, link string)
	// targets, if set, is told of the file every link names (at least once
	// each: the link check then makes sure the file was written).
	targets *targetSet
	// known remembers where links go: the same few hundred (the menu, the
	// countries) are on every page.
	mu    sync.Mutex
	known map[string]target
}

type target struct {
	file, frag string
	ok         bool
}

// knownMax bounds the links remembered (≈200 bytes each): enough for
// every page of a 10,000-update mirror, whose updates are linked from a
// list each of their country, region, freedoms and tags, at different
// times of the export.
const knownMax = 100000

// file is m.file, remembered.
func (rw *rewriter) file(ref string) (string, string, bool) {
	rw.mu.Lock()
	t, hit := rw.known[ref]
	rw.mu.Unlock()
	if hit {
		return t.file, t.frag, t.ok
	}
	t.file, t.frag, t.ok = rw.m.file(ref)
	if t.ok && rw.targets != nil {
		rw.targets.add(t.file)
	}
	rw.mu.Lock()
	if rw.known == nil || len(rw.known) >= knownMax {
		rw.known = make(map[string]target, 1024)
	}
	rw.known[ref] = t
	rw.mu.Unlock()
	return t.file, t.frag, t.ok
}

// html rewrites the links of the HTML page stored at file, and drops what
// needs a server: GET forms other than the search form (the country
// filters; the pages they lead to are linked from elsewhere). It reads
// the page once, from attribute to attribute: html/template escapes every
// quote in text, so `="` only ever starts an attribute's value.
func (rw *rewriter) html(file string, in []byte) []byte {
	in = dropServerForms(in)
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
		if !linkAttrs[string(in[n:eq])] || n == 0 || in[n-1] != ' ' {
			out = append(out, in[i:end]...)
			i = end
			continue
		}
		out = append(out, in[i:start]...)
		val := html.UnescapeString(string(in[start:end]))
		if string(in[n:eq]) == "srcset" { // "url descriptor, url descriptor"
			parts := strings.Split(val, ",")
			for k, part := range parts {
				f := strings.Fields(part)
				if len(f) > 0 {
					f[0] = rw.link(file, f[0])
				}
				parts[k] = strings.Join(f, " ")
			}
			val = strings.Join(parts, ", ")
		} else {
			val = rw.link(file, val)
		}
		if strings.ContainsAny(val, `<>&'"`) {
			val = html.EscapeString(val)
		}
		out = append(out, val...)
		i = end
	}
}

// link rewrites one link of the page at file.
func (rw *rewriter) link(file, ref string) string {
	local := ref
	if rw.baseURL != "" && strings.HasPrefix(ref, rw.baseURL+"/") {
		local = strings.TrimPrefix(ref, rw.baseURL)
	}
	if !strings.HasPrefix(local, "/") || strings.HasPrefix(local, "//") {
		return ref // another site, a fragment, data:, mailto:
	}
	target, frag, ok := rw.file(local)
	if !ok {
		if rw.bad != nil {
			rw.bad(file, ref)
		}
		return ref
	}
	if frag != "" {
		return relative(file, target) + "#" + frag
	}
	return relative(file, target)
}

// dropServerForms removes the GET forms that only a server can answer: all
// but the one that searches (action="/updates", which becomes the search
// page).
func dropServerForms(in []byte) []byte {
	const open, end = "<form ", "</form>"
	if !bytes.Contains(in, []byte(open)) {
		return in
	}
	var out []byte
	i := 0
	for {
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
			out = append(out, in[i:j+tagEnd]...)
			i = j + tagEnd
			continue
		}
		k := bytes.Index(in[j:], []byte(end))
		if k < 0 {
			break
		}
		out = append(out, in[i:j]...)
		i = j + k + len(end)
	}
	if out == nil {
		return in
	}
	return append(out, in[i:]...)
}
