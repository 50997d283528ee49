package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"
)

// fragments remembers parts of pages that many pages share, by a key that
// spells out everything the part shows: a hit is the same bytes the
// template would write, so a stale entry cannot exist, only an unused one.
// The static mirror renders every page of a list in four languages; the
// list of countries at the top of a region's, freedom's or tag's page is
// the same on each of them, and was nine tenths of the page's time.
type fragments struct {
	mu sync.Mutex
	m  map[string]template.HTML
}

// fragmentsMax bounds the memory (a country block is ≈30 KB): the mirror
// needs a few at a time, and the live site's lists are few.
const fragmentsMax = 256

func (f *fragments) get(key string, render func() (template.HTML, error)) (template.HTML, error) {
	f.mu.Lock()
	h, ok := f.m[key]
	f.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := render()
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	if f.m == nil || len(f.m) >= fragmentsMax {
		f.m = make(map[string]template.HTML)
	}
	f.m[key] = h
	f.mu.Unlock()
	return h, nil
}

// countryItems renders the items of a list page's country list (the
// template "listing-countries"), remembered.
func (s *Server) countryItems(p *Page, cs []CountryView) (template.HTML, error) {
	var k strings.Builder
	k.Grow(32 + 40*len(cs))
	k.WriteString("listing-countries\x00")
	k.WriteString(string(p.Lang))
	if p.explicit {
		k.WriteString("!")
	}
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
	return s.fragments.get(k.String(), func() (template.HTML, error) {
		var buf bytes.Buffer
		err := s.templates["listing"].ExecuteTemplate(&buf, "listing-countries", map[string]any{"Page": p, "Countries": cs})
		return template.HTML(buf.String()), err
	})
}
