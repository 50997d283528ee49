package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
)

func TestTagURI(t *testing.T) {
	for base, want := range map[string]string{
		"https://Monitor.Example.org/":  "tag:monitor.example.org,2026:update:x",
		"http://127.0.0.1:8080/":        "tag:127.0.0.1,2026:update:x",
		"https://example.org/sub/path/": "tag:example.org,2026:update:x",
		"":                              "tag:localhost,2026:update:x",
	} {
		if got := TagURI(base, "update:x"); got != want {
			t.Errorf("TagURI(%q) = %q, want %q", base, got, want)
		}
	}
}

func testFeed() *Feed {
	u := civicmon.PublicUpdate{UID: "u1", Slug: "s", Title: `A <b> & "c"`, Summary: "Sum & more", Body: "**bold** <script>x()</script>",
		PublishedOn: civicmon.MustDate("2024-02-03"), Language: "ru"}
	e := FromUpdate(u, "tag:example.org,2026:update:u1", "https://example.org/updates/s")
	e.Categories = []Category{{Term: "kz", Scheme: "https://example.org/countries/", Label: "Kazakhstan"}}
	return &Feed{ID: "tag:example.org,2026:feed/", Title: "T", Language: "en", HomeURL: "https://example.org/",
		SelfURL: "https://example.org/feed.atom", Updated: e.Updated, Authors: []string{"CIVICUS Monitor"}, Entries: []Entry{e}}
}

func TestFromUpdateSanitises(t *testing.T) {
	e := testFeed().Entries[0]
	if !strings.Contains(e.ContentHTML, "<strong>bold</strong>") || strings.Contains(e.ContentHTML, "script") {
		t.Errorf("content %q", e.ContentHTML)
	}
	if !e.Published.Equal(time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)) || e.Language != "ru" {
		t.Errorf("%+v", e)
	}
}

func TestWriteAtom(t *testing.T) {
	var b bytes.Buffer
	if err := testFeed().WriteAtom(&b); err != nil {
		t.Fatal(err)
	}
	var d struct {
		XMLName xml.Name
		Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		Entry   struct {
			Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Title   string `xml:"title"`
			Content struct {
				Type string `xml:"type,attr"`
				Body string `xml:",chardata"`
			} `xml:"content"`
			Published string `xml:"published"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if d.XMLName.Space != "http://www.w3.org/2005/Atom" || d.Lang != "en" || d.Entry.Lang != "ru" {
		t.Errorf("namespace %q, xml:lang %q and %q", d.XMLName.Space, d.Lang, d.Entry.Lang)
	}
	if d.Entry.Title != `A <b> & "c"` || d.Entry.Content.Type != "html" || !strings.Contains(d.Entry.Content.Body, "<strong>") ||
		d.Entry.Published != "2024-02-03T00:00:00Z" {
		t.Errorf("%+v", d.Entry)
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	f := testFeed()
	f.Entries = append(f.Entries, Entry{ID: "tag:example.org,2026:update:u2", URL: "https://example.org/updates/t", Title: "No body",
		Summary: "Only <a summary>", Published: f.Updated, Updated: f.Updated})
	if err := f.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	items := d["items"].([]any)
	if d["version"] != JSONFeedVersion || len(items) != 2 {
		t.Fatalf("%s", b.String())
	}
	if got := items[1].(map[string]any)["content_html"]; got != "<p>Only &lt;a summary&gt;</p>" {
		t.Errorf("an entry without a body has content_html %q", got)
	}
	if tags := items[0].(map[string]any)["tags"].([]any); len(tags) != 1 || tags[0] != "Kazakhstan" {
		t.Errorf("tags %v", tags)
	}
}
