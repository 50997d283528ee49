package dataio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
)

// ExportOptions says what to export.
type ExportOptions struct {
	Format Format
	// Table is the one table a CSV export writes; JSON and NDJSON carry
	// all of them.
	Table Table
	// Filter selects updates (and their incidents); a country or region
	// in it also narrows the countries and ratings. Only published updates
	// are ever exported.
	Filter civicmon.UpdateFilter
	// AsOf is the day whose public state is exported: ratings that take
	// effect later are left out.
	AsOf civicmon.Date
	// Progress, when set, is told how many updates went out so far.
	Progress func(updates int)
}

// Source is what an export reads: the part of civicmon.Store it needs, so
// that a surface that serves downloads (the public site) need not hold the
// whole store.
type Source interface {
	Countries(ctx context.Context) ([]civicmon.Country, error)
	CurrentRatings(ctx context.Context, asOf civicmon.Date) (map[string]civicmon.Rating, error)
	RatingHistory(ctx context.Context, countryCode string) ([]civicmon.Rating, error)
	FindUpdates(ctx context.Context, f civicmon.UpdateFilter) ([]civicmon.Update, int, error)
	IncidentsByUpdate(ctx context.Context, updateIDs []int64) (map[int64][]civicmon.Incident, error)
}

// pageSize is how many updates an export reads at a time.
const pageSize = 500

// Export writes the public data in the chosen format, streaming: memory
// stays flat however many updates there are.
func Export(ctx context.Context, s Source, w io.Writer, o ExportOptions) error {
	return ExportAll(ctx, s, o, Output{Format: o.Format, Table: o.Table, W: w})
}

// Output is one file of an export: its format, the table of a CSV, and
// where it goes.
type Output struct {
	Format Format
	Table  Table
	W      io.Writer
}

// ExportAll writes several exports of what o selects (o's Format and
// Table are not used: each output has its own), reading the updates once
// for all of them rather than once per file. Each output gets the bytes
// Export would write for it. The static mirror writes each country's
// downloads this way.
func ExportAll(ctx context.Context, s Source, o ExportOptions, outs ...Output) error {
	src := &source{ctx: ctx, s: s, o: o}
	ws := make([]exportWriter, len(outs))
	bufs := make([]*bufio.Writer, len(outs))
	withUpdates := false
	for i, out := range outs {
		bufs[i] = bufio.NewWriterSize(out.W, 64<<10)
		w, err := newExportWriter(out, bufs[i])
		if err != nil {
			return err
		}
		ws[i] = w
		withUpdates = withUpdates || w.takesUpdates()
	}
	for _, w := range ws {
		if err := w.start(src); err != nil {
			return err
		}
	}
	if withUpdates {
		err := eachUpdate(ctx, s, o, func(p *civicmon.PublicUpdate) error {
			for _, w := range ws {
				if err := w.update(p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for i, w := range ws {
		if err := w.finish(); err != nil {
			return err
		}
		if err := bufs[i].Flush(); err != nil {
			return err
		}
	}
	return nil
}

// exportWriter writes one export as the updates go by: start writes what
// comes before the updates, update is called with each (when takesUpdates
// says so), finish writes what comes after.
type exportWriter interface {
	start(src *source) error
	takesUpdates() bool
	update(p *civicmon.PublicUpdate) error
	finish() error
}

func newExportWriter(out Output, w *bufio.Writer) (exportWriter, error) {
	switch out.Format {
	case NDJSON:
		return newNDJSONWriter(w), nil
	case JSON:
		return &jsonWriter{w: w, enc: newJSONEncoder()}, nil
	case CSV:
		if _, ok := csvHeaders[out.Table]; !ok {
			return nil, fmt.Errorf("a CSV export writes one table: choose countries, ratings, updates or incidents (got %q)", out.Table)
		}
		return &csvWriter{table: out.Table, w: csv.NewWriter(w), enc: newJSONEncoder()}, nil
	default:
		return nil, fmt.Errorf("unknown format %q: use ndjson, json or csv", out.Format)
	}
}

// source is what an export reads besides the updates, read at most once
// however many files of the export need it.
type source struct {
	ctx context.Context
	s   Source
	o   ExportOptions

	cs         []civicmon.Country
	rs         []civicmon.Rating
	csOK, rsOK bool
}

func (src *source) countries() ([]civicmon.Country, error) {
	if !src.csOK {
		cs, err := countries(src.ctx, src.s, src.o.Filter)
		if err != nil {
			return nil, err
		}
		src.cs, src.csOK = cs, true
	}
	return src.cs, nil
}

func (src *source) ratings() ([]civicmon.Rating, error) {
	if !src.rsOK {
		cs, err := src.countries()
		if err != nil {
			return nil, err
		}
		rs, err := ratings(src.ctx, src.s, cs, src.o.AsOf)
		if err != nil {
			return nil, err
		}
		src.rs, src.rsOK = rs, true
	}
	return src.rs, nil
}

// countries returns the countries an export covers, by code.
func countries(ctx context.Context, s Source, f civicmon.UpdateFilter) ([]civicmon.Country, error) {
	all, err := s.Countries(ctx)
	if err != nil {
		return nil, err
	}
	var out []civicmon.Country
	for _, c := range all {
		if (f.CountryCode == "" || c.Code == f.CountryCode) && (f.Region == "" || c.Region == f.Region) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// ratings returns the public ratings of the countries, by country then date.
func ratings(ctx context.Context, s Source, cs []civicmon.Country, asOf civicmon.Date) ([]civicmon.Rating, error) {
	var out []civicmon.Rating
	for _, c := range cs {
		h, err := s.RatingHistory(ctx, c.Code)
		if err != nil {
			return nil, err
		}
		for _, r := range h {
			if asOf.IsZero() || !r.EffectiveDate.After(asOf) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// eachUpdate calls fn with every published update the filter selects,
// oldest first, incidents included, through the public projection.
func eachUpdate(ctx context.Context, s Source, o ExportOptions, fn func(p *civicmon.PublicUpdate) error) error {
	f := o.Filter
	f.Statuses = []civicmon.Status{civicmon.StatusPublished}
	f.Order, f.Limit, f.Offset, f.SkipTotal, f.Before, f.After = "oldest", pageSize, 0, true, nil, nil
	n := 0
	for {
		us, _, err := s.FindUpdates(ctx, f)
		if err != nil {
			return err
		}
		ids := make([]int64, len(us))
		for i := range us {
			ids[i] = us[i].ID
		}
		incidents, err := s.IncidentsByUpdate(ctx, ids)
		if err != nil {
			return err
		}
		for i := range us {
			us[i].Incidents = incidents[us[i].ID]
			p, ok := us[i].Public()
			if !ok {
				continue
			}
			if err := fn(&p); err != nil {
				return err
			}
		}
		n += len(us)
		if o.Progress != nil {
			o.Progress(n)
		}
		if len(us) < pageSize {
			return nil
		}
		last := us[len(us)-1]
		f.After = &civicmon.UpdateCursor{PublishedOn: last.PublishedOn, ID: last.ID}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// ndjsonWriter writes one JSON object a line: the countries, the
// ratings, then the updates, each with its type.
type ndjsonWriter struct {
	enc *json.Encoder
}

func newNDJSONWriter(w io.Writer) *ndjsonWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &ndjsonWriter{enc: enc}
}

func (n *ndjsonWriter) start(src *source) error {
	cs, err := src.countries()
	if err != nil {
		return err
	}
	for _, c := range cs {
		r := countryRecord(c)
		r.Type = "country"
		if err := n.enc.Encode(r); err != nil {
			return err
		}
	}
	rs, err := src.ratings()
	if err != nil {
		return err
	}
	for _, r := range rs {
		rec := ratingRecord(r)
		rec.Type = "rating"
		if err := n.enc.Encode(rec); err != nil {
			return err
		}
	}
	return nil
}

func (n *ndjsonWriter) takesUpdates() bool { return true }

func (n *ndjsonWriter) update(p *civicmon.PublicUpdate) error {
	return n.enc.Encode(UpdateRecord{Type: "update", PublicUpdate: *p})
}

func (n *ndjsonWriter) finish() error { return nil }

// jsonWriter writes one JSON document, piece by piece so that it is
// never whole in memory.
type jsonWriter struct {
	w     *bufio.Writer
	enc   *jsonEncoder
	first bool // the next item is the first of its list
}

func (j *jsonWriter) start(src *source) error {
	cs, err := src.countries()
	if err != nil {
		return err
	}
	rs, err := src.ratings()
	if err != nil {
		return err
	}
	j.w.WriteString("{\n \"countries\": [\n  ")
	j.first = true
	for _, c := range cs {
		if err := j.item(countryRecord(c)); err != nil {
			return err
		}
	}
	j.w.WriteString("\n ],\n \"ratings\": [\n  ")
	j.first = true
	for _, r := range rs {
		if err := j.item(ratingRecord(r)); err != nil {
			return err
		}
	}
	j.w.WriteString("\n ],\n \"updates\": [\n  ")
	j.first = true
	return nil
}

func (j *jsonWriter) item(v any) error {
	if !j.first {
		j.w.WriteString(",\n  ")
	}
	j.first = false
	b, err := j.enc.encode(v)
	if err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

func (j *jsonWriter) takesUpdates() bool { return true }

func (j *jsonWriter) update(p *civicmon.PublicUpdate) error {
	return j.item(UpdateRecord{PublicUpdate: *p})
}

func (j *jsonWriter) finish() error {
	_, err := j.w.WriteString("\n ]\n}\n")
	return err
}

// jsonEncoder encodes one value at a time into a buffer it reuses (a
// download encodes a value or two per update), without escaping <, > and
// &, which an export read by people and other programs does not need.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONEncoder() *jsonEncoder {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// encode returns v as JSON, without the encoder's newline. The bytes are
// good until the next call.
func (e *jsonEncoder) encode(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// CSV headers, one per table; docs/data.md describes every column.
var csvHeaders = map[Table][]string{
	Countries: {"code", "code3", "name", "slug", "region", "rating", "score", "rating_since"},
	Ratings:   {"country", "effective_date", "date_approximate", "score", "category", "rationale", "source"},
	Updates: {"id", "slug", "country", "title", "summary", "body", "published_on", "date_approximate", "period_start",
		"period_end", "freedoms", "violations", "partner", "language", "sources", "translations"},
	Incidents: {"update_id", "position", "occurred_on", "date_approximate", "freedom", "violation", "target",
		"people_affected", "place", "description"},
}

// csvWriter writes one table as CSV, with its header.
type csvWriter struct {
	table Table
	w     *csv.Writer
	enc   *jsonEncoder // of the updates' sources and translations
	row   []string     // reused: csv.Writer keeps none of a row
}

// write writes a row, each cell neutralised (neutraliseCell): a CSV is
// opened in spreadsheets, which would run a cell that starts as a formula.
// It changes row's cells. The headers are ours and need none.
func (cw *csvWriter) write(row []string) error {
	for i, c := range row {
		row[i] = neutraliseCell(c)
	}
	return cw.w.Write(row)
}

func (cw *csvWriter) start(src *source) error {
	if err := cw.w.Write(csvHeaders[cw.table]); err != nil {
		return err
	}
	switch cw.table {
	case Countries:
		cs, err := src.countries()
		if err != nil {
			return err
		}
		asOf := src.o.AsOf
		if asOf.IsZero() {
			asOf = civicmon.MustDate("9999-12-31")
		}
		cur, err := src.s.CurrentRatings(src.ctx, asOf)
		if err != nil {
			return err
		}
		for _, c := range cs {
			row := []string{c.Code, c.Code3, c.Name, c.Slug, string(c.Region), "", "", ""}
			if r, ok := cur[c.Code]; ok {
				row[5], row[6], row[7] = string(r.Category), scoreText(r.Score), r.EffectiveDate.String()
			}
			if err := cw.write(row); err != nil {
				return err
			}
		}
	case Ratings:
		rs, err := src.ratings()
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := cw.write([]string{r.CountryCode, r.EffectiveDate.String(), strconv.FormatBool(r.DateApproximate),
				scoreText(r.Score), string(r.Category), r.Rationale, r.Source}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (cw *csvWriter) takesUpdates() bool { return cw.table == Updates || cw.table == Incidents }

func (cw *csvWriter) update(p *civicmon.PublicUpdate) error {
	switch cw.table {
	case Updates:
		sources, err := cw.enc.encode(p.Sources)
		if err != nil {
			return err
		}
		sourcesText := string(sources)
		translations, err := cw.enc.encode(nonNil(p.Translations))
		if err != nil {
			return err
		}
		fs := make([]string, len(p.Freedoms))
		for i, f := range p.Freedoms {
			fs[i] = string(f)
		}
		cw.row = append(cw.row[:0], p.UID, p.Slug, p.CountryCode, p.Title, p.Summary, p.Body, p.PublishedOn.String(),
			strconv.FormatBool(p.DateApproximate), p.PeriodStart.String(), p.PeriodEnd.String(), strings.Join(fs, ";"),
			strings.Join(p.Violations, ";"), p.Partner, p.Language, sourcesText, string(translations))
		return cw.write(cw.row)
	case Incidents:
		for i, in := range p.Incidents {
			cw.row = append(cw.row[:0], p.UID, strconv.Itoa(i+1), in.OccurredOn.String(), strconv.FormatBool(in.DateApproximate),
				string(in.Freedom), in.Violation, in.Target, strconv.Itoa(in.PeopleAffected), in.Place, in.Description)
			if err := cw.write(cw.row); err != nil {
				return err
			}
		}
	}
	return nil
}

func (cw *csvWriter) finish() error {
	cw.w.Flush()
	return cw.w.Error()
}

func scoreText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
