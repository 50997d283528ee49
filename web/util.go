package web

import (
	"strconv"

	"github.com/civicmon/civicmon"
)

func itoa(n int) string { return strconv.Itoa(n) }

func IsNotFound(err error) bool { return civicmon.ErrorCode(err) == civicmon.ENOTFOUND }

// Pagination is the state of a paged list: 1-based page numbers.
type Pagination struct {
	Page, Pages, Total, PerPage int
	Base                        string // path the page links append ?page=N to
}

const PerPage = 20

// PageNumber reads ?page=, defaulting to 1; ok is false for junk, which
// the caller answers with 404 rather than guessing.
func PageNumber(v string) (int, bool) {
	if v == "" {
		return 1, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, false
	}
	return n, true
}

func NewPagination(page, total int, base string) Pagination {
	pages := (total + PerPage - 1) / PerPage
	return Pagination{Page: page, Pages: max(pages, 1), Total: total, PerPage: PerPage, Base: base}
}

func (p Pagination) HasPrev() bool { return p.Page > 1 }
func (p Pagination) HasNext() bool { return p.Page < p.Pages }
func (p Pagination) Prev() int     { return p.Page - 1 }
func (p Pagination) Next() int     { return p.Page + 1 }
func (p Pagination) Offset() int   { return (p.Page - 1) * p.PerPage }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// msgid marks a message that is translated later, where it is shown, so
// that the catalog tests find it.
func msgid(s string) string { return s }
