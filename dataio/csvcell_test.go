package dataio

import "testing"

// TestCSVCell: a cell a spreadsheet would read as a formula gets one
// leading quote on export, and an import takes exactly that quote off, so
// that every value comes back as it was (OWASP's advice on CSV injection).
func TestCSVCell(t *testing.T) {
	for _, c := range []struct{ value, cell string }{
		{"", ""},
		{"plain", "plain"},
		{"KZ", "KZ"},
		{"12", "12"},
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"=1+2", "'=1+2"},
		{"+1", "'+1"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"=", "'="},
		// A value that starts with quotes before a dangerous character gets
		// one more, so that the import's one quote off gives it back.
		{"'=x", "''=x"},
		{"''+x", "'''+x"},
		// A quote before anything else is an ordinary value.
		{"'", "'"},
		{"'x", "'x"},
		{"''", "''"},
		{"x=1", "x=1"},
		{" =1", " =1"},
		{"[{\"url\":\"=x\"}]", "[{\"url\":\"=x\"}]"},
	} {
		if got := neutraliseCell(c.value); got != c.cell {
			t.Errorf("neutraliseCell(%q) = %q, want %q", c.value, got, c.cell)
		}
		if got := restoreCell(c.cell); got != c.value {
			t.Errorf("restoreCell(%q) = %q, want %q", c.cell, got, c.value)
		}
	}
	// A file made by hand may hold a formula as it is: the import keeps it
	// (a later export neutralises it).
	for _, cell := range []string{"=1+2", "-2", "@x", "\tx"} {
		if got := restoreCell(cell); got != cell {
			t.Errorf("restoreCell(%q) = %q, want it unchanged", cell, got)
		}
	}
}
