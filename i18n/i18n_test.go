package i18n

import (
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
		Russian: {"21 июня 2022", "июнь 2022"},
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
