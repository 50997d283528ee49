package i18n

import (
	"strings"
	"testing"
	"time"
)

func TestNegotiate(t *testing.T) {
	for accept, want := range map[string]Lang{
		"":                           English,
		"fr-CH, fr;q=0.9, en;q=0.8":  French,
		"de-DE, es;q=0.5, ru;q=0.7":  Russian,
		"ru;q=0, es":                 Spanish,
		"zh-CN":                      English,
		"EN-gb":                      English,
		"kk, ru;q=0.9":               Russian,
		"es-419;q=0.8, fr;q=0.8, de": Spanish,
		";;;,q=2,fr;q=abc":           French,
	} {
		if got := Negotiate(accept); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", accept, got, want)
		}
	}
}

func TestDates(t *testing.T) {
	d := time.Date(2022, 6, 21, 0, 0, 0, 0, time.UTC)
	for l, want := range map[Lang][2]string{
		English: {"21 June 2022", "June 2022"},
		French:  {"21 juin 2022", "juin 2022"},
		Spanish: {"21 de junio de 2022", "junio de 2022"},
		Russian: {"21 июня 2022 г.", "июнь 2022 г."},
	} {
		if got := l.Date(d); got != want[0] {
			t.Errorf("%s Date = %q, want %q", l, got, want[0])
		}
		if got := l.MonthYear(d); got != want[1] {
			t.Errorf("%s MonthYear = %q, want %q", l, got, want[1])
		}
	}
}

func TestFallbackToEnglish(t *testing.T) {
	if got := French.T("A message no catalog has: %d", 3); got != "A message no catalog has: 3" {
		t.Fatalf("missing message = %q", got)
	}
	if got := Russian.T("Read more"); got == "Read more" || got == "" {
		t.Fatalf("Russian Read more = %q", got)
	}
}

func TestCountryNames(t *testing.T) {
	for _, tc := range []struct {
		l          Lang
		code, want string
	}{
		{English, "KZ", "Kazakhstan"}, {French, "KZ", "Kazakhstan"}, {Spanish, "KZ", "Kazajistán"}, {Russian, "KZ", "Казахстан"},
		{Russian, "HK", "Гонконг"}, {French, "MM", "Myanmar"}, {Spanish, "MK", "Macedonia del Norte"},
		{Russian, "XK", "Косово"}, {Russian, "QQ", "Kazakhstan"}, // unknown code: the English name
	} {
		if got := tc.l.CountryName(tc.code, "Kazakhstan"); got != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.l, tc.code, got, tc.want)
		}
	}
}

func TestSortByCollation(t *testing.T) {
	type c struct{ name string }
	for l, in := range map[Lang][]string{
		French:  {"Fidji", "Éthiopie", "Espagne", "Égypte", "Eswatini"},
		Spanish: {"Omán", "Ñandú", "Nigeria", "Zambia"},
		Russian: {"Чад", "Хорватия", "Эфиопия", "Ёлка", "Япония", "Египет"},
	} {
		s := make([]c, len(in))
		for i, n := range in {
			s[i] = c{n}
		}
		SortBy(l, s, func(x *c) string { return x.name })
		var got []string
		for _, x := range s {
			got = append(got, x.name)
		}
		want := map[Lang]string{
			French:  "Égypte Espagne Eswatini Éthiopie Fidji",
			Spanish: "Nigeria Ñandú Omán Zambia",
			Russian: "Египет Ёлка Хорватия Чад Эфиопия Япония",
		}[l]
		if strings.Join(got, " ") != want {
			t.Errorf("%s: %s, want %s", l, strings.Join(got, " "), want)
		}
	}
}

func TestDir(t *testing.T) {
	for l, want := range map[Lang]string{English: "ltr", Russian: "ltr", "ar": "rtl", "he-IL": "rtl", "fa": "rtl"} {
		if got := l.Dir(); got != want {
			t.Errorf("%s: %s, want %s", l, got, want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		l    Lang
		n    int
		want string
	}{
		{English, 7, "7"}, {English, 1234, "1,234"}, {English, 1234567, "1,234,567"}, {English, -12345, "-12,345"},
		{French, 1234, "1\u202f234"}, {French, 1234567, "1\u202f234\u202f567"},
		{Spanish, 1234, "1234"}, {Spanish, 12345, "12.345"}, {Spanish, 1234567, "1.234.567"},
		{Russian, 1234, "1\u00a0234"}, {Russian, 999, "999"},
	} {
		if got := c.l.T("Updates found: %d", c.l.N(c.n)); !strings.HasSuffix(got, " "+c.want) {
			t.Errorf("%s %d: %q, want it to end in %q", c.l, c.n, got, c.want)
		}
	}
}

// TestDecimalsAndPercents: shares and large figures as CLDR 48 writes them
// (the figures ICU's Intl.NumberFormat gives for the same languages).
func TestDecimalsAndPercents(t *testing.T) {
	for _, c := range []struct {
		l           Lang
		share       float64
		pct, people string
	}{
		{English, 0.891, "89.1%", "1,464,991,768"},
		{French, 0.891, "89,1\u00a0%", "1\u202f464\u202f991\u202f768"},
		{Spanish, 0.891, "89,1\u00a0%", "1.464.991.768"},
		{Russian, 0.891, "89,1\u00a0%", "1\u00a0464\u00a0991\u00a0768"},
		{Spanish, 0.05, "5,0\u00a0%", "1.464.991.768"},
	} {
		if got := c.l.Percent(c.share, 1); got != c.pct {
			t.Errorf("%s Percent(%v) = %q, want %q", c.l, c.share, got, c.pct)
		}
		if got := c.l.Decimal(1464991768, 0); got != c.people {
			t.Errorf("%s Decimal(1464991768) = %q, want %q", c.l, got, c.people)
		}
	}
	if got := French.Decimal(12345.25, -1); got != "12\u202f345,25" {
		t.Errorf("French Decimal(12345.25) = %q", got)
	}
	if got := Spanish.Decimal(1234.5, 1); got != "1234,5" {
		t.Errorf("Spanish Decimal(1234.5) = %q", got)
	}
}
