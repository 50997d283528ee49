package web

import (
	"net/url"
	"strconv"

	"github.com/civicmon/civicmon"
)

func itoa(n int) string { return strconv.Itoa(n) }

func isNotFound(err error) bool { return civicmon.ErrorCode(err) == civicmon.ENOTFOUND }

// pagination is the state of a paged list: 1-based page numbers.
type pagination struct {
	Page, Pages, Total, PerPage int
	Base                        string // path the page links append ?page=N to
}

const perPage = 20

// pageNumber reads ?page=, defaulting to 1; ok is false for junk, which
// the caller answers with 404 rather than guessing.
func pageNumber(v string) (int, bool) {
	if v == "" {
		return 1, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, false
	}
	return n, true
}

func newPagination(page, total int, base string) pagination {
	pages := (total + perPage - 1) / perPage
	return pagination{Page: page, Pages: max(pages, 1), Total: total, PerPage: perPage, Base: base}
}

func (p pagination) HasPrev() bool { return p.Page > 1 }
func (p pagination) HasNext() bool { return p.Page < p.Pages }
func (p pagination) Prev() int     { return p.Page - 1 }
func (p pagination) Next() int     { return p.Page + 1 }
func (p pagination) Offset() int   { return (p.Page - 1) * p.PerPage }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// msgid marks a message that is translated later, where it is shown, so
// that the catalog tests find it.
func msgid(s string) string { return s }
