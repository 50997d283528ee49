package workspace

import (
	"fmt"
	"strings"
	"testing"
)

func showSegments(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		switch s.Op {
		case '-':
			fmt.Fprintf(&b, "[-%s]", s.Text)
		case '+':
			fmt.Fprintf(&b, "[+%s]", s.Text)
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// TestWordDiff: texts compare word by word, spaces and line breaks kept,
// runs of one kind merged, and long unchanged runs cut to context.
func TestWordDiff(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"", "", ""},
		{"", "new text", "[+new text]"},
		{"old text", "", "[-old text]"},
		{"Police detained twenty people", "Police detained thirty people", "Police detained [-twenty][+thirty] people"},
		{"a b c d", "a c d e", "a [-b ]c d[+ e]"},
		{"line one\nline two", "line one\nline 2", "line one\nline [-two][+2]"},
		{"Задержаны 20 человек", "Задержаны 30 человек", "Задержаны [-20][+30] человек"},
		{"same", "same", "same"},
	} {
		if got := showSegments(wordDiff(c.a, c.b)); got != c.want {
			t.Errorf("wordDiff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
	long := strings.Repeat("w ", 40)
	got := showSegments(trimSegments(wordDiff(long+"old "+long, long+"new "+long), 3))
	if want := "… w w w [-old][+new] w w w …"; got != want {
		t.Errorf("trimmed = %q, want %q", got, want)
	}
	// A text too long for the LCS shows its changed middle removed then added.
	a, b := strings.Repeat("a ", 2000), strings.Repeat("b ", 2000)
	if segs := wordDiff("x "+a+"y", "x "+b+"y"); len(segs) != 4 && len(segs) != 5 || segs[1].Op != '-' || segs[2].Op != '+' {
		t.Errorf("long diff has %d segments", len(segs))
	}
}
