package dataio

import (
	"bufio"
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

// pageSize is how many updates an export reads at a time.
const pageSize = 500

// Export writes the public data in the chosen format, streaming: memory
// stays flat however many updates there are.
func Export(ctx context.Context, s civicmon.Store, w io.Writer, o ExportOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	switch o.Format {
	case NDJSON:
		err = exportNDJSON(ctx, s, bw, o)
	case JSON:
		err = exportJSON(ctx, s, bw, o)
	case CSV:
		err = exportCSV(ctx, s, bw, o)
	default:
		err = fmt.Errorf("unknown format %q: use ndjson, json or csv", o.Format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// countries returns the countries an export covers, by code.
func countries(ctx context.Context, s civicmon.Store, f civicmon.UpdateFilter) ([]civicmon.Country, error) {
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
func ratings(ctx context.Context, s civicmon.Store, cs []civicmon.Country, asOf civicmon.Date) ([]civicmon.Rating, error) {
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
func eachUpdate(ctx context.Context, s civicmon.Store, o ExportOptions, fn func(p *civicmon.PublicUpdate) error) error {
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

func exportNDJSON(ctx context.Context, s civicmon.Store, w *bufio.Writer, o ExportOptions) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	cs, err := countries(ctx, s, o.Filter)
	if err != nil {
		return err
	}
	for _, c := range cs {
		r := countryRecord(c)
		r.Type = "country"
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	rs, err := ratings(ctx, s, cs, o.AsOf)
	if err != nil {
		return err
	}
	for _, r := range rs {
		rec := ratingRecord(r)
		rec.Type = "rating"
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return eachUpdate(ctx, s, o, func(p *civicmon.PublicUpdate) error {
		return enc.Encode(UpdateRecord{Type: "update", PublicUpdate: *p})
	})
}

func exportJSON(ctx context.Context, s civicmon.Store, w *bufio.Writer, o ExportOptions) error {
	cs, err := countries(ctx, s, o.Filter)
	if err != nil {
		return err
	}
	rs, err := ratings(ctx, s, cs, o.AsOf)
	if err != nil {
		return err
	}
	// One JSON document, written piece by piece so that it is never
	// whole in memory.
	item := func(first bool, v any) error {
		if !first {
			w.WriteString(",\n  ")
		}
		b, err := marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	w.WriteString("{\n \"countries\": [\n  ")
	for i, c := range cs {
		if err := item(i == 0, countryRecord(c)); err != nil {
			return err
		}
	}
	w.WriteString("\n ],\n \"ratings\": [\n  ")
	for i, r := range rs {
		if err := item(i == 0, ratingRecord(r)); err != nil {
			return err
		}
	}
	w.WriteString("\n ],\n \"updates\": [\n  ")
	first := true
	err = eachUpdate(ctx, s, o, func(p *civicmon.PublicUpdate) error {
		err := item(first, UpdateRecord{PublicUpdate: *p})
		first = false
		return err
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("\n ]\n}\n")
	return err
}

// marshal encodes v as JSON without escaping <, > and &, which an export
// read by people and other programs does not need.
func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
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

func exportCSV(ctx context.Context, s civicmon.Store, w *bufio.Writer, o ExportOptions) error {
	header, ok := csvHeaders[o.Table]
	if !ok {
		return fmt.Errorf("a CSV export writes one table: choose countries, ratings, updates or incidents (got %q)", o.Table)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	switch o.Table {
	case Countries:
		cs, err := countries(ctx, s, o.Filter)
		if err != nil {
			return err
		}
		asOf := o.AsOf
		if asOf.IsZero() {
			asOf = civicmon.MustDate("9999-12-31")
		}
		cur, err := s.CurrentRatings(ctx, asOf)
		if err != nil {
			return err
		}
		for _, c := range cs {
			row := []string{c.Code, c.Code3, c.Name, c.Slug, string(c.Region), "", "", ""}
			if r, ok := cur[c.Code]; ok {
				row[5], row[6], row[7] = string(r.Category), scoreText(r.Score), r.EffectiveDate.String()
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	case Ratings:
		cs, err := countries(ctx, s, o.Filter)
		if err != nil {
			return err
		}
		rs, err := ratings(ctx, s, cs, o.AsOf)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := cw.Write([]string{r.CountryCode, r.EffectiveDate.String(), strconv.FormatBool(r.DateApproximate),
				scoreText(r.Score), string(r.Category), r.Rationale, r.Source}); err != nil {
				return err
			}
		}
	case Updates:
		err := eachUpdate(ctx, s, o, func(p *civicmon.PublicUpdate) error {
			sources, err := marshal(p.Sources)
			if err != nil {
				return err
			}
			translations, err := marshal(nonNil(p.Translations))
			if err != nil {
				return err
			}
			fs := make([]string, len(p.Freedoms))
			for i, f := range p.Freedoms {
				fs[i] = string(f)
			}
			return cw.Write([]string{p.UID, p.Slug, p.CountryCode, p.Title, p.Summary, p.Body, p.PublishedOn.String(),
				strconv.FormatBool(p.DateApproximate), p.PeriodStart.String(), p.PeriodEnd.String(), strings.Join(fs, ";"),
				strings.Join(p.Violations, ";"), p.Partner, p.Language, string(sources), string(translations)})
		})
		if err != nil {
			return err
		}
	case Incidents:
		err := eachUpdate(ctx, s, o, func(p *civicmon.PublicUpdate) error {
			for i, in := range p.Incidents {
				if err := cw.Write([]string{p.UID, strconv.Itoa(i + 1), in.OccurredOn.String(), strconv.FormatBool(in.DateApproximate),
					string(in.Freedom), in.Violation, in.Target, strconv.Itoa(in.PeopleAffected), in.Place, in.Description}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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
