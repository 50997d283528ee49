package dataio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
)

// lineCounter remembers where the lines of what it reads begin, so that a
// byte offset in a JSON document can be told as a line and a column.
type lineCounter struct {
	r      io.Reader
	n      int64
	starts []int64 // offsets of the bytes after each newline
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.starts = append(l.starts, l.n+int64(i)+1)
		}
	}
	l.n += int64(n)
	return n, err
}

func (l *lineCounter) position(offset int64) (line, column int) {
	i := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > offset })
	start := int64(0)
	if i > 0 {
		start = l.starts[i-1]
	}
	return i + 1, int(offset-start) + 1
}

// readJSON reads a JSON export, {"countries": […], "ratings": […],
// "updates": […]}, one record at a time.
func (im *importer) readJSON(in Input) error {
	lc := &lineCounter{r: in.R}
	dec := json.NewDecoder(lc)
	at := func() where {
		line, col := lc.position(dec.InputOffset())
		return where{file: in.Name, line: line, column: col}
	}
	bad := func(msg string) error {
		w := at()
		return &Error{File: w.file, Line: w.line, Column: w.column, Msg: msg}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return bad(`not a civicmon JSON export: it must be an object {"countries": [...], "ratings": [...], "updates": [...]}`)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return bad("not valid JSON: " + err.Error())
		}
		key, _ := t.(string)
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return bad(fmt.Sprintf("%q must be an array", key))
		}
		for i := 0; dec.More(); i++ {
			w := at()
			start := dec.InputOffset()
			var err error
			switch key {
			case "countries":
				var r CountryRecord
				if err = decodeStrict(dec, &r); err == nil {
					err = im.country(r, w)
				}
			case "ratings":
				var r RatingRecord
				if err = decodeStrict(dec, &r); err == nil {
					err = im.rating(r, w)
				}
			case "updates":
				var r UpdateRecord
				if err = decodeStrictUpdate(dec, &r); err == nil {
					err = im.update(r, w)
				}
			default:
				return bad(fmt.Sprintf("%q is not a part of an export: use countries, ratings and updates", key))
			}
			if err != nil {
				var e *Error
				if errors.As(err, &e) {
					if e.Field == "" {
						e.Field = fmt.Sprintf("%s[%d]", key, i)
					} else {
						e.Field = fmt.Sprintf("%s[%d].%s", key, i, e.Field)
					}
					return e
				}
				// Offsets in a decoding error count from the record.
				var syn *json.SyntaxError
				var typ *json.UnmarshalTypeError
				switch {
				case errors.As(err, &syn):
					w.line, w.column = lc.position(start + syn.Offset)
				case errors.As(err, &typ):
					w.line, w.column = lc.position(start + typ.Offset)
				}
				e = jsonError(w, nil, err).(*Error)
				e.Line, e.Column = w.line, w.column
				prefix := fmt.Sprintf("%s[%d]", key, i)
				if e.Field != "" {
					prefix += "." + e.Field
				}
				e.Field = prefix
				return e
			}
		}
		if _, err := dec.Token(); err != nil {
			return bad("not valid JSON: " + err.Error())
		}
	}
	return nil
}

func decodeStrict(dec *json.Decoder, v any) error {
	// Decode into a raw message first: the decoder cannot refuse unknown
	// fields for one value only.
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// decodeStrictUpdate is decodeStrict for an update, through the fast path
// where it can (decodeUpdate).
func decodeStrictUpdate(dec *json.Decoder, r *UpdateRecord) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if decodeUpdate(raw, r) {
		return nil
	}
	*r = UpdateRecord{}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(r)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// otherSeparator returns the separator the header uses when it is not
// comma but one of the usual others (a spreadsheet set to a language that
// writes decimal commas saves ';'), or 0.
func otherSeparator(header []string, comma rune) rune {
	if len(header) != 1 {
		return 0
	}
	for _, r := range []rune{',', ';', '\t', '|'} {
		if r != comma && len(strings.Split(header[0], string(r))) >= 3 {
			return r
		}
	}
	return 0
}

// readCSV reads one table of a CSV export; the header says which.
func (im *importer) readCSV(in Input) error {
	br := bufio.NewReader(in.R)
	// Excel writes "CSV UTF-8" with a byte-order mark before the header.
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	comma := im.opt.Comma
	if comma == 0 {
		comma = ','
	}
	cr.Comma = comma
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		return &Error{File: in.Name, Line: 1, Msg: "cannot read the header: " + err.Error()}
	}
	header := append([]string(nil), h...) // the reader reuses its record
	if other := otherSeparator(header, comma); other != 0 {
		return &Error{File: in.Name, Line: 1, Msg: fmt.Sprintf("this file uses %q — civicmon reads %q separated CSV; re-export it or pass --comma %q", other, comma, other)}
	}

	var table Table
	for t, h := range csvHeaders {
		if strings.Join(h, ",") == strings.Join(header, ",") {
			table = t
		}
	}
	if table == "" {
		return &Error{File: in.Name, Line: 1, Msg: fmt.Sprintf("the header %q is not one of a civicmon CSV export; see docs/data.md for the columns of countries, ratings, updates and incidents", strings.Join(header, ","))}
	}
	cr.FieldsPerRecord = len(header)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &Error{File: in.Name, Line: pe.Line, Column: pe.Column, Msg: pe.Err.Error() + ": every row needs " + strconv.Itoa(len(header)) + " fields, quoted where they hold commas, quotes or line breaks"}
			}
			return &Error{File: in.Name, Msg: err.Error()}
		}
		for i, c := range rec {
			rec[i] = restoreCell(c) // the inverse of the export's neutraliseCell
		}
		line, _ := cr.FieldPos(0)
		row := csvRow{file: in.Name, header: header, rec: rec, cr: cr}
		w := where{file: in.Name, line: line}
		switch table {
		case Countries:
			err = im.country(CountryRecord{Code: rec[0], Code3: rec[1], Name: rec[2], Slug: rec[3], Region: civicmon.Region(rec[4])}, w)
		case Ratings:
			r := RatingRecord{Country: rec[0], Category: civicmon.Category(rec[4]), Rationale: rec[5], Source: rec[6]}
			if err = row.date(1, &r.EffectiveDate); err == nil {
				if err = row.boolean(2, &r.DateApproximate); err == nil {
					err = row.integer(3, &r.Score)
				}
			}
			if err == nil {
				err = im.rating(r, w)
			}
		case Incidents:
			err = im.csvIncident(row, w)
		case Updates:
			err = im.csvUpdate(row, w)
		}
		if err != nil {
			return err
		}
	}
}

type csvRow struct {
	file   string
	header []string
	rec    []string
	cr     *csv.Reader
}

func (r csvRow) fail(i int, msg string) error {
	line, col := r.cr.FieldPos(i)
	return &Error{File: r.file, Line: line, Column: col, Field: r.header[i], Msg: msg}
}

func (r csvRow) date(i int, d *civicmon.Date) error {
	v, err := civicmon.ParseDate(r.rec[i])
	if err != nil {
		return r.fail(i, err.Error())
	}
	*d = v
	return nil
}

func (r csvRow) boolean(i int, b *bool) error {
	switch r.rec[i] {
	case "true":
		*b = true
	case "false", "":
		*b = false
	default:
		return r.fail(i, fmt.Sprintf("%q is not true or false", r.rec[i]))
	}
	return nil
}

func (r csvRow) integer(i int, n *int) error {
	if r.rec[i] == "" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(r.rec[i])
	if err != nil {
		return r.fail(i, fmt.Sprintf("%q is not a whole number", r.rec[i]))
	}
	*n = v
	return nil
}

func (r csvRow) list(i int) []string {
	if r.rec[i] == "" {
		return nil
	}
	return strings.Split(r.rec[i], ";")
}

func (r csvRow) json(i int, v any) error {
	d := json.NewDecoder(strings.NewReader(r.rec[i]))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return r.fail(i, "not the JSON list this column holds: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func (im *importer) csvIncident(r csvRow, w where) error {
	in := civicmon.PublicIncident{Freedom: civicmon.Freedom(r.rec[4]), Violation: r.rec[5], Target: r.rec[6],
		Place: r.rec[8], Description: r.rec[9]}
	var pos int
	if err := r.integer(1, &pos); err != nil {
		return err
	}
	if err := r.date(2, &in.OccurredOn); err != nil {
		return err
	}
	if err := r.boolean(3, &in.DateApproximate); err != nil {
		return err
	}
	if err := r.integer(7, &in.PeopleAffected); err != nil {
		return err
	}
	uid := r.rec[0]
	if uid == "" {
		return r.fail(0, "is required: the id of the update the incident belongs to")
	}
	if pos != len(im.incidents[uid])+1 {
		return r.fail(1, fmt.Sprintf("is %d, expected %d: an update's incidents come in order, numbered from 1", pos, len(im.incidents[uid])+1))
	}
	if _, ok := im.incidentWhere[uid]; !ok {
		im.incidentWhere[uid] = w
	}
	im.incidents[uid] = append(im.incidents[uid], in)
	return nil
}

func (im *importer) csvUpdate(r csvRow, w where) error {
	p := civicmon.PublicUpdate{UID: r.rec[0], Slug: r.rec[1], CountryCode: r.rec[2], Title: r.rec[3], Summary: r.rec[4],
		Body: r.rec[5], Violations: r.list(11), Partner: r.rec[12], Language: r.rec[13]}
	if err := r.date(6, &p.PublishedOn); err != nil {
		return err
	}
	if err := r.boolean(7, &p.DateApproximate); err != nil {
		return err
	}
	if err := r.date(8, &p.PeriodStart); err != nil {
		return err
	}
	if err := r.date(9, &p.PeriodEnd); err != nil {
		return err
	}
	for _, f := range r.list(10) {
		fr, ok := civicmon.ParseFreedom(f)
		if !ok || string(fr) != f {
			return r.fail(10, fmt.Sprintf("%q is not a freedom; allowed: association, peaceful-assembly, expression, separated by ;", f))
		}
		p.Freedoms = append(p.Freedoms, fr)
	}
	if p.Violations == nil {
		p.Violations = []string{}
	}
	if err := r.json(14, &p.Sources); err != nil {
		return err
	}
	if err := r.json(15, &p.Translations); err != nil {
		return err
	}
	if len(p.Translations) == 0 {
		p.Translations = nil
	}
	p.Incidents = []civicmon.PublicIncident{}
	return im.update(UpdateRecord{PublicUpdate: p}, w)
}
