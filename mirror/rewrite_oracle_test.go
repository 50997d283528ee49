package mirror

import (
	"bytes"
	"html"
	"strings"
	"sync"
)

// oracleRewriter is the link rewriter as it was before links were
// remembered by their text in the page: one unescape, one lookup by the
// unescaped link and one relative path built per link. It stays here as
// the reference the faster rewriter must agree with byte for byte
// (FuzzRewriterMatchesOracle).
type oracleRewriter struct {
	m       *siteMap
	baseURL string
	bad     func(page, link string)
	targets *targetSet
	mu      sync.Mutex
	known   map[string]target
}

func (rw *oracleRewriter) file(ref string) (string, string, bool) {
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

type target struct {
	file, frag string
	ok         bool
}

var oracleLinkAttrs = map[string]bool{"href": true, "src": true, "action": true, "srcset": true, "data-base": true}

func (rw *oracleRewriter) html(file string, in []byte) []byte {
	in = oracleDropServerForms(in)
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
		if !oracleLinkAttrs[string(in[n:eq])] || n == 0 || in[n-1] != ' ' {
			out = append(out, in[i:end]...)
			i = end
			continue
		}
		out = append(out, in[i:start]...)
		val := html.UnescapeString(string(in[start:end]))
		if string(in[n:eq]) == "srcset" {
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

func (rw *oracleRewriter) link(file, ref string) string {
	local := ref
	if rw.baseURL != "" && strings.HasPrefix(ref, rw.baseURL+"/") {
		local = strings.TrimPrefix(ref, rw.baseURL)
	}
	if !strings.HasPrefix(local, "/") || strings.HasPrefix(local, "//") {
		return ref
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

func oracleDropServerForms(in []byte) []byte {
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
