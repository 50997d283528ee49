package mirror

import (
	"hash/maphash"
	"html"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// targetSet is the set of files that links of the mirror name, kept as
// 64-bit hashes of their names: a link check of a million-update mirror
// holds millions of them. The manifest's walk over the written files
// strikes out each one it finds; what is left is named by links and was
// not written — a dangling link, such as the "Older" link of a list cut
// short. (Two names with the same hash would hide such a link: at 2⁻⁶⁴ a
// pair, never in practice.)
type targetSet struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]struct{}
}

func newTargetSet() *targetSet {
	return &targetSet{seed: maphash.MakeSeed(), m: map[uint64]struct{}{}}
}

func (t *targetSet) add(file string) {
	h := maphash.String(t.seed, file)
	t.mu.Lock()
	t.m[h] = struct{}{}
	t.mu.Unlock()
}

// seen strikes out a file that is written.
func (t *targetSet) seen(file string) {
	h := maphash.String(t.seed, file)
	t.mu.Lock()
	delete(t.m, h)
	t.mu.Unlock()
}

// left is how many named files were not seen.
func (t *targetSet) left() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

func (t *targetSet) missing(file string) bool {
	h := maphash.String(t.seed, file)
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.m[h]
	return ok
}

var linkAttr = regexp.MustCompile(` (?:href|src|action|srcset|data-base)="([^"]*)"`)

// danglingLinks names up to max of the links of the pages under dir whose
// files t has left. It reads every page again, which only a failed export
// does: the set keeps no names.
func danglingLinks(dir string, t *targetSet, max int) []string {
	var out []string
	named := map[string]bool{}
	walkFiles(dir, func(rel string, _ os.DirEntry) error {
		if len(out) >= max || !strings.HasSuffix(rel, ".html") {
			return nil
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil
		}
		for _, m := range linkAttr.FindAllSubmatch(b, -1) {
			for _, ref := range strings.Split(html.UnescapeString(string(m[1])), ",") {
				f := strings.Fields(ref)
				if len(f) == 0 || strings.Contains(f[0], ":") || strings.HasPrefix(f[0], "/") || strings.HasPrefix(f[0], "#") {
					continue
				}
				target, _, _ := strings.Cut(f[0], "#")
				if target = path.Join(path.Dir(rel), target); t.missing(target) && !named[rel+" "+target] {
					named[rel+" "+target] = true
					out = append(out, rel+" links to "+target)
					if len(out) >= max {
						return nil
					}
				}
			}
		}
		return nil
	})
	if len(out) == 0 {
		out = append(out, "(no page names them: a link of a feed or sitemap?)")
	}
	return out
}
