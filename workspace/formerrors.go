package workspace

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// formError is one problem shown on a form: beside the field it concerns
// (the element with id ID) and in the summary at the top, which links to
// it. Message is in the person's language and the form's words.
type formError struct {
	ID      string // the field's element id
	Summary string // the message with the row it concerns: "Incident 2: choose a violation type"
	Message string // the message beside the field
}

// formErrors are a form's problems, in the order of the form, at most one
// per field.
type formErrors struct {
	list []formError
	byID map[string]string
}

func (e *formErrors) add(fe formError) {
	if e.byID == nil {
		e.byID = map[string]string{}
	}
	if _, dup := e.byID[fe.ID]; dup {
		return // the first problem of a field is the one to fix first
	}
	e.byID[fe.ID] = fe.Message
	e.list = append(e.list, fe)
}

// Any reports whether there are problems.
func (e *formErrors) Any() bool { return e != nil && len(e.list) > 0 }

// At returns the message for the field with the element id, "" for none.
func (e *formErrors) At(id string) string {
	if e == nil {
		return ""
	}
	return e.byID[id]
}

// Attrs are the field's attributes that tie it to its message: aria-invalid
// and aria-describedby, none when it has no problem.
func (e *formErrors) Attrs(id string) templ.Attributes {
	if e.At(id) == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": id + "-error"}
}

// fieldTarget is where a domain field path is on a form: the element's id
// and the row the field belongs to ("Incident 2"), "" for a field of the
// record itself.
type fieldTarget struct {
	ID, Row, Leaf string
}

// rowPath matches a domain field path: update.incidents[1].violation.
var rowPath = regexp.MustCompile(`^[a-z_]+\.([a-z_]+)(?:\[(\d+)\](?:\.([a-z_]+))?)?$`)

// updateTarget places a path of civicmon.Update's validation on the update
// form. The form draws incidents, sources and translations in the order
// the update holds them, so the domain's index is the form's row, and the
// person reads it counted from 1. Without a page (nil) the row is not named.
func updateTarget(p *web.Page, path string) (fieldTarget, bool) {
	m := rowPath.FindStringSubmatch(path)
	if m == nil {
		return fieldTarget{}, false
	}
	field, index, leaf := m[1], m[2], m[3]
	if index == "" {
		switch field {
		case "country", "title", "slug", "summary", "body", "published_on", "period_start", "period_end", "partner",
			"language", "internal_notes", "correction_note", "freedoms", "violations":
			return fieldTarget{ID: field, Leaf: field}, true
		case "status", "action", "update":
			return fieldTarget{ID: "save", Leaf: field}, true
		case "comment":
			return fieldTarget{ID: "step-comment", Leaf: field}, true
		}
		return fieldTarget{}, false
	}
	i, _ := strconv.Atoi(index)
	if i > 1000 {
		return fieldTarget{}, false
	}
	n := strconv.Itoa(i)
	switch field {
	case "violations":
		return fieldTarget{ID: "violations", Leaf: "violations"}, true
	case "incidents":
		ids := map[string]string{"occurred_on": "d", "freedom": "f", "violation": "v", "target": "t", "people_affected": "n",
			"place": "p", "description": "s", "victim_name": "vn"}
		if s, ok := ids[leaf]; ok {
			t := fieldTarget{ID: "inc" + n + s, Leaf: leaf}
			if p != nil {
				t.Row = p.T("Incident %d", i+1)
			}
			return t, true
		}
	case "sources":
		ids := map[string]string{"": "u", "url": "u", "title": "t", "publisher": "p", "published_on": "d", "contact": "c"}
		if s, ok := ids[leaf]; ok {
			if leaf == "" {
				leaf = "source"
			}
			t := fieldTarget{ID: "src" + n + s, Leaf: leaf}
			if p != nil {
				t.Row = p.T("Source %d", i+1)
			}
			return t, true
		}
	case "translations":
		ids := map[string]string{"language": "l", "title": "t", "summary": "s", "body": "b"}
		if s, ok := ids[leaf]; ok {
			t := fieldTarget{ID: "tr" + n + s, Leaf: leaf}
			if p != nil {
				t.Row = p.T("Translation %d", i+1)
			}
			return t, true
		}
	}
	return fieldTarget{}, false
}

// updateFormErrors turns the domain's field errors into the form's, in the
// person's words: raw holds what was typed in fields that did not parse,
// by element id.
func updateFormErrors(p *web.Page, errs []civicmon.FieldError, raw map[string]string) *formErrors {
	out := &formErrors{}
	var loose []civicmon.FieldError
	for _, fe := range errs {
		t, ok := updateTarget(p, fe.Field)
		if !ok {
			loose = append(loose, fe)
			continue
		}
		msg := fieldMessage(p, t.Leaf, fe.Message, raw[t.ID])
		summary := msg
		if t.Row != "" {
			summary = p.T("%s: %s", t.Row, msg)
		}
		out.add(formError{ID: t.ID, Summary: summary, Message: msg})
	}
	// In the order of the form, so that the summary reads as the form does.
	slices.SortStableFunc(out.list, func(a, b formError) int { return cmp.Compare(updateFieldOrder(a.ID), updateFieldOrder(b.ID)) })
	// A problem the form has no field for (none is known) still shows, in
	// the summary, linked to the save button.
	for _, fe := range loose {
		out.list = append(out.list, formError{ID: "save", Summary: fe.Message})
	}
	return out
}

// updateFields are the update form's fields in the order it shows them;
// the rows' fields are by their suffix.
var (
	updateFields = []string{"country", "title", "summary", "body", "published_on", "period_start", "period_end", "language",
		"partner", "slug", "freedoms", "violations"}
	rowFields = map[string][]string{"inc": {"d", "f", "v", "t", "n", "p", "s", "vn"}, "src": {"u", "t", "p", "d", "c"}, "tr": {"l", "t", "s", "b"}}
	rowID     = regexp.MustCompile(`^(inc|src|tr)(\d+)([a-z]+)$`)
)

// updateFieldOrder is where the field with the element id comes in the
// update form.
func updateFieldOrder(id string) int {
	if i := slices.Index(updateFields, id); i >= 0 {
		return i
	}
	if m := rowID.FindStringSubmatch(id); m != nil {
		row, _ := strconv.Atoi(m[2])
		section := map[string]int{"inc": 1, "src": 2, "tr": 3}[m[1]]
		return 1000*section*1000 + row*100 + slices.Index(rowFields[m[1]], m[3])
	}
	switch id {
	case "internal_notes":
		return 4_000_000_000
	case "correction_note":
		return 4_000_000_001
	case "step-comment":
		return 4_000_000_002
	}
	return 5_000_000_000
}

// Kinds of the domain's messages, which say what is wrong in English
// after the field's path.
var (
	tooLong   = regexp.MustCompile(`^is (\d+) (characters|bytes) long; at most (\d+)`)
	dateShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// fieldMessage says in the form's words what is wrong with a field: leaf
// is the field's name in the domain, domainMsg the domain's message, typed
// what was typed when the field did not parse.
func fieldMessage(p *web.Page, leaf, domainMsg, typed string) string {
	required := strings.HasPrefix(domainMsg, "is required")
	if m := tooLong.FindStringSubmatch(domainMsg); m != nil {
		n, _ := strconv.Atoi(m[1])
		max, _ := strconv.Atoi(m[3])
		if m[2] == "bytes" {
			return p.T("This is %d bytes long; at most %d are allowed. Shorten it; nothing you typed is lost.", n, max)
		}
		return p.T("This is %d characters long; at most %d are allowed.", n, max)
	}
	switch leaf {
	case "country":
		return p.T("Choose a country")
	case "title":
		return p.T("Enter a title")
	case "slug":
		return p.T("Use lower-case letters, digits and single hyphens, such as protests-in-almaty")
	case "published_on", "period_start", "period_end", "occurred_on":
		switch {
		case typed != "" && dateShape.MatchString(typed):
			return p.T("%s is not a date that exists", typed)
		case typed != "":
			return p.T("Enter the date as year-month-day, such as 2024-03-15 (you typed %s)", typed)
		case leaf == "published_on" && required:
			return p.T("Enter the publication date: a published update needs one")
		case leaf == "period_end":
			return p.T("The end of the period is before its start")
		}
		return p.T("Enter the date as year-month-day, such as 2024-03-15")
	case "people_affected":
		return p.T("Enter a number of 0 or more (leave it empty when it is not known)")
	case "freedom":
		return p.T("Choose a freedom")
	case "violation":
		return p.T("Choose a violation type")
	case "target":
		return p.T("Choose a target group from the list")
	case "violations":
		return p.T("Choose violation types from the list, each once")
	case "freedoms":
		return p.T("Choose freedoms from the list")
	case "language":
		if strings.Contains(domainMsg, "already") {
			return p.T("This language is already the update's or another translation's")
		}
		return p.T("Enter a language code, such as en, fr, es or ru")
	case "source":
		return p.T("Enter a web address or a title for the source")
	case "url":
		return p.T("Enter a web address that starts with http:// or https://")
	case "correction_note":
		return p.T("The note is too long: at most 2,000 characters")
	}
	if required {
		return p.T("This is required")
	}
	return fmt.Sprint(domainMsg)
}
