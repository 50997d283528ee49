package dataio

import "strings"

// formulaStarts are the characters that make a spreadsheet (Excel,
// LibreOffice Calc, Google Sheets) read a cell as a formula, or, for tab
// and carriage return, that some of them skip before looking for one.
const formulaStarts = "=+-@\t\r"

// quoted reports whether s is zero or more single quotes and then a
// character a formula starts with.
func quoted(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
}

// neutraliseCell is a CSV export's cell for a value: the value with a
// single quote before it when a spreadsheet would read it as a formula
// (OWASP's advice against CSV injection), so that a spreadsheet shows it
// as text. A value that already starts with quotes before such a
// character gets one more too, so that restoreCell can give back every
// value exactly. Other values are their own cell. The CSV writer still
// quotes the field where CSV needs it.
func neutraliseCell(v string) string {
	if quoted(v) {
		return "'" + v
	}
	return v
}

// restoreCell is the value of an imported CSV cell: the inverse of
// neutraliseCell. It takes one single quote off a cell that starts with
// one or more before a character a formula starts with, and leaves any
// other cell as it is (a formula in a file written by hand is imported as
// it stands; a later export neutralises it).
func restoreCell(c string) string {
	if strings.HasPrefix(c, "'") && quoted(c) {
		return c[1:]
	}
	return c
}
