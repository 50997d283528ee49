// Package markdown turns the Markdown that researchers write into HTML that
// is safe to put on a public page: rendered by goldmark, then sanitised by
// bluemonday, so that neither raw HTML nor script links survive.
package markdown

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md     = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	policy = newPolicy()
)

// newPolicy allows text structure and links, and no images, media or
// embeds: they would make a reader's browser fetch from another host.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote",
		"h2", "h3", "h4", "h5", "h6", "pre", "code", "hr", "del", "sup", "sub",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowAttrs("align").Matching(bluemonday.Paragraph).OnElements("th", "td")
	return p
}

// ToHTML renders Markdown into sanitised HTML. The latest results are
// remembered: a feed renders fifty bodies per request, and a static mirror
// renders each body on its page in every language and in every feed.
func ToHTML(src string) template.HTML {
	if len(src) > recentMaxBytes {
		return toHTML(src)
	}
	recent.Lock()
	h, ok := recent.m[src]
	recent.Unlock()
	if ok {
		return h
	}
	h = toHTML(src)
	recent.Lock()
	defer recent.Unlock()
	if recent.m == nil {
		recent.m = make(map[string]template.HTML, recentSize)
		recent.keys = make([]string, recentSize)
	}
	if _, ok := recent.m[src]; !ok {
		delete(recent.m, recent.keys[recent.next])
		recent.keys[recent.next] = src
		recent.next = (recent.next + 1) % recentSize
		recent.m[src] = h
	}
	return h
}

// recent holds the latest conversions, the oldest replaced first.
var recent struct {
	sync.Mutex
	m    map[string]template.HTML
	keys []string // a ring, next is the oldest
	next int
}

const (
	recentSize     = 512
	recentMaxBytes = 16 << 10
)

func toHTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes()))
}
