package mirror_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/civicmon/civicmon/mirror"
	"github.com/civicmon/civicmon/search"
)

// index reads a mirror's search index as the search page does.
type index struct {
	dir  string
	meta struct {
		Docs, Block, DocShard int
		Countries             map[string][2]string
	}
}

var call = regexp.MustCompile(`(?s)^civicmonSearch\.(\w+)\(([^,]+(?:,"[0-9a-f]+")?),(.*)\);\n$`)

func (x *index) load(t *testing.T, name string, v any) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(x.dir, "search-index", name))
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	m := call.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s is not a call of civicmonSearch: %.100s", name, b)
	}
	if err := json.Unmarshal(m[3], v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return true
}

// search finds the documents with every word, or a word starting with it.
func (x *index) search(t *testing.T, q string) []string {
	t.Helper()
	var out []string
	for b := 0; b*x.meta.Block < x.meta.Docs; b++ {
		var keys string
		x.load(t, "terms/"+strconv.Itoa(b)+"/keys.js", &keys)
		var hits map[int]int
		words := search.Tokens(q)
		for i, w := range words {
			r := []rune(w)
			key := hex.EncodeToString([]byte(string(r[:min(2, len(r))])))
			var terms map[string]string
			if !slices.Contains(strings.Fields(keys), key) || !x.load(t, "terms/"+strconv.Itoa(b)+"/"+key+".js", &terms) {
				terms = nil
			}
			next := map[int]int{}
			for term, post := range terms {
				if !strings.HasPrefix(term, w) || (utf8.RuneCountInString(w) < 2 && term != w) {
					continue
				}
				d := 0
				for _, p := range strings.Split(post, ",") {
					n, _ := strconv.ParseInt(p, 36, 64)
					d += int(n)
					if i == 0 || hits[d] == i {
						next[d] = i + 1
					}
				}
			}
			hits = next
		}
		var ds []int
		for d, n := range hits {
			if n == len(words) {
				ds = append(ds, d)
			}
		}
		slices.Sort(ds)
		for _, d := range ds {
			id := b*x.meta.Block + d
			var docs [][]any
			x.load(t, "docs/"+strconv.Itoa(id/x.meta.DocShard)+".js", &docs)
			out = append(out, docs[id%x.meta.DocShard][0].(string))
		}
	}
	return out
}

// TestSearchIndex exports with blocks of three updates and searches the
// index as the search page does: every word must match, the start of a
// word is enough, results come newest first across blocks, Cyrillic in any
// case finds Cyrillic.
func TestSearchIndex(t *testing.T) {
	db := demoDB(t)
	dir := filepath.Join(t.TempDir(), "mirror")
	res := export(t, db.Store(), dir, mirror.Options{Unsigned: true, SearchBlock: 3})
	x := &index{dir: dir}
	if !x.load(t, "meta.js", &x.meta) {
		t.Fatal("no meta.js")
	}
	if x.meta.Docs != res.Updates || x.meta.Docs != 11 || x.meta.Block != 3 || x.meta.Countries["KZ"] != [2]string{"Kazakhstan", "kazakhstan"} {
		t.Fatalf("meta: %+v (%d updates)", x.meta, res.Updates)
	}
	all := x.search(t, "Kazakhstan")
	if len(all) != 11 || all[0] != "qazaqstan-beibit-zhinalys" {
		t.Fatalf("“Kazakhstan”: %v", all)
	}
	for _, q := range []string{"Қазақстан", "ҚАЗАҚСТАН", "қазақ жиналыс", "казахстан", "СВОБОДА мирных"} {
		if got := x.search(t, q); !slices.Equal(got, []string{"qazaqstan-beibit-zhinalys"}) {
			t.Errorf("%q: %v", q, got)
		}
	}
	jan := x.search(t, "janu kazakh")
	if len(jan) == 0 || len(jan) == 11 {
		t.Errorf("“janu kazakh”: %v", jan)
	}
	if got := x.search(t, "kazakhstan nosuchword"); len(got) != 0 {
		t.Errorf("a word no update has: %v", got)
	}
}
