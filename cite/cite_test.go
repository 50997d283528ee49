package cite

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
)

func TestEscapeBibTeX(t *testing.T) {
	for in, want := range map[string]string{
		`100% & {x}`:     `100\% \& \{x\}`,
		`#1 $2 a_b`:      `\#1 \$2 a\_b`,
		`~ ^ \`:          `\textasciitilde{} \textasciicircum{} \textbackslash{}`,
		`\{`:             `\textbackslash{}\{`,
		`"quoted" «ёж»`:  `"quoted" «ёж»`,
		"two\nlines\tok": "two lines ok",
	} {
		if got := EscapeBibTeX(in); got != want {
			t.Errorf("EscapeBibTeX(%q) = %q, want %q", in, got, want)
		}
	}
}

func testCitation() Citation {
	u := civicmon.PublicUpdate{UID: "ab/c d", Slug: "x", Title: "T", PublishedOn: civicmon.MustDate("2019-10-03"),
		Partner: "Partner", Language: "kk", Freedoms: []civicmon.Freedom{civicmon.Expression}}
	return FromUpdate(u, "https://example.org/updates/x?a={b}", "civicmon", civicmon.MustDate("2026-01-02"))
}

func TestFromUpdate(t *testing.T) {
	c := testCitation()
	if c.Key != "civicus2019-abcd" || strings.Join(c.Authors, "|") != "CIVICUS Monitor|Partner" || c.Circa {
		t.Errorf("%+v", c)
	}
	u := civicmon.PublicUpdate{UID: "u", Title: "T", Partner: Institution}
	if c := FromUpdate(u, "", "civicmon", civicmon.Date{}); len(c.Authors) != 1 || c.Key != "civicus-u" {
		t.Errorf("the institution as partner is credited once: %+v", c)
	}
}

func TestBibTeXURLKeepsSyntax(t *testing.T) {
	c := testCitation()
	b := string(c.BibTeX())
	if !strings.Contains(b, "url          = {https://example.org/updates/x?a=%7Bb%7D}") || !strings.Contains(b, "language     = {kazakh}") {
		t.Errorf("%s", b)
	}
}

func TestRISWithoutOptionalFields(t *testing.T) {
	c := Citation{Key: "k", Authors: []string{Institution}, Title: "T"}
	want := "TY  - ELEC\r\nID  - k\r\nAU  - CIVICUS Monitor\r\nTI  - T\r\nER  - \r\n"
	if got := string(c.RIS()); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestCSLJSONOmitsMissingDates(t *testing.T) {
	c := Citation{Key: "k", Title: "T"}
	b, err := c.CSLJSON()
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := json.Unmarshal(b, &items); err != nil || len(items) != 1 {
		t.Fatal(err)
	}
	if _, ok := items[0]["issued"]; ok {
		t.Errorf("issued without a date: %s", b)
	}
	if items[0]["type"] != "webpage" || items[0]["id"] != "k" {
		t.Errorf("%s", b)
	}
}

func TestText(t *testing.T) {
	c := Citation{Authors: []string{"CIVICUS Monitor", "Partner NGO"}, Title: "Kazakhstan:\n protests", Publisher: "civicmon",
		Issued: civicmon.MustDate("2022-06-21"), Accessed: civicmon.MustDate("2026-11-26"), URL: "https://example.org/updates/x"}
	want := "CIVICUS Monitor and Partner NGO, “Kazakhstan:  protests”, civicmon, 21 June 2022, https://example.org/updates/x (accessed 26 November 2026)."
	if got := c.Text(); got != want {
		t.Errorf("Text() =\n %s\nwant\n %s", got, want)
	}
	c.Circa = true
	if got := c.Text(); !strings.Contains(got, ", c. June 2022,") {
		t.Errorf("approximate date: %s", got)
	}
	kz := civicmon.Country{Code: "KZ", Name: "Kazakhstan"}
	cc := FromCountry(&kz, "https://example.org/countries/kazakhstan", "civicmon", civicmon.MustDate("2022-06-21"), civicmon.MustDate("2026-11-26"))
	if got := cc.Text(); got != "CIVICUS Monitor, “Kazakhstan: civic space rating and research updates”, civicmon, 21 June 2022, https://example.org/countries/kazakhstan (accessed 26 November 2026)." {
		t.Errorf("country: %s", got)
	}
	if !strings.Contains(string(cc.BibTeX()), "civicus-country-kz") {
		t.Errorf("country BibTeX: %s", cc.BibTeX())
	}
}
