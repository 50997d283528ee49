package site

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/civicmon/civicmon/web"
)

// fragments remembers parts of pages that many pages share, by a key that
// spells out everything the part shows: a hit is the same bytes the markup
// would write, so a stale entry cannot exist, only an unused one. The
// static mirror renders every page of a list in four languages; the list
// of countries at the top of a region's, freedom's or tag's page is the
// same on each of them, and (a region's fifty countries with their
// ratings' badges) is a third of such a page's time.
type fragments struct {
	mu sync.Mutex
	m  map[string][]byte
}

// fragmentsMax bounds the memory (a country block is ≈30 KB): the mirror
// needs a few at a time, and the live site's lists are few.
const fragmentsMax = 256

// component renders c once for key, and writes what it wrote from then on.
func (f *fragments) component(key string, c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		f.mu.Lock()
		b, ok := f.m[key]
		f.mu.Unlock()
		if !ok {
			var buf bytes.Buffer
			if err := c.Render(ctx, &buf); err != nil {
				return err
			}
			b = buf.Bytes()
			f.mu.Lock()
			if f.m == nil || len(f.m) >= fragmentsMax {
				f.m = make(map[string][]byte)
			}
			f.m[key] = b
			f.mu.Unlock()
		}
		_, err := w.Write(b)
		return err
	})
}

// countryList is the items of a list page's country list (countryItems),
// remembered.
func (s *Site) countryList(p *web.Page, cs []web.CountryView) templ.Component {
	var k strings.Builder
	k.Grow(32 + 40*len(cs))
	k.WriteString("country-items\x00")
	k.WriteString(string(p.Lang))
	k.WriteString("\x00")
	k.WriteString(p.Link("/")) // "/?lang=fr" when the reader chose the language: links keep it
	for i := range cs {
		c := &cs[i]
		k.WriteString("\x00")
		k.WriteString(c.Slug)
		k.WriteString("\x01")
		k.WriteString(c.Name)
		k.WriteString("\x01")
		if c.Rating != nil {
			k.WriteString(string(c.Rating.Category))
		}
		k.WriteString("\x01")
		k.WriteString(strconv.Itoa(c.Count))
	}
	return s.fragments.component(k.String(), countryItems(p, cs))
}
