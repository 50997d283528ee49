package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
)

// dataFiles are the downloads at /data/{file}: the exports of dataio.
var dataFiles = map[string]struct {
	format      dataio.Format
	table       dataio.Table
	contentType string
}{
	"civicmon.ndjson": {dataio.NDJSON, "", "application/x-ndjson; charset=utf-8"},
	"civicmon.json":   {dataio.JSON, "", "application/json; charset=utf-8"},
	"countries.csv":   {dataio.CSV, dataio.Countries, "text/csv; charset=utf-8"},
	"ratings.csv":     {dataio.CSV, dataio.Ratings, "text/csv; charset=utf-8"},
	"updates.csv":     {dataio.CSV, dataio.Updates, "text/csv; charset=utf-8"},
	"incidents.csv":   {dataio.CSV, dataio.Incidents, "text/csv; charset=utf-8"},
}

// handleData streams an export of the public data, filtered by the same
// query parameters as the command line (country, region, freedom,
// violation, since, until). Downloads skip the page cache: they can be
// as large as the archive, and are never held in memory.
func (s *Site) handleData(w http.ResponseWriter, r *http.Request) {
	file, ok := dataFiles[r.PathValue("file")]
	if !ok {
		s.srv.NotFound(w, r)
		return
	}
	o, err := s.dataOptions(r.Context(), r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.Format, o.Table = file.format, file.table
	// An export of the whole archive takes as long as the client takes to
	// read it (the timeout middleware leaves /data/ alone), but each write
	// has a deadline, and only so many run at once.
	out, done, ok := s.srv.StartDownload(w, r)
	if !ok {
		return
	}
	defer done()
	h := w.Header()
	h.Set("Content-Type", file.contentType)
	h.Set("Content-Disposition", `attachment; filename="`+r.PathValue("file")+`"`)
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	if err := dataio.Export(r.Context(), s.store, out, o); err != nil {
		// Headers are gone: all that is left is to log and cut the body.
		level := slog.LevelError
		if errors.Is(err, os.ErrDeadlineExceeded) || r.Context().Err() != nil {
			level = slog.LevelWarn // the client stopped reading or went away
		}
		s.log.Log(r.Context(), level, "export", "file", r.PathValue("file"), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// dataOptions reads a download's query into what it exports, except the
// format and table, which the file's name says. An error names the
// parameter and what is wrong with it.
func (s *Site) dataOptions(ctx context.Context, q url.Values) (dataio.ExportOptions, error) {
	o := dataio.ExportOptions{AsOf: civicmon.DateOf(s.now())}
	f := &o.Filter
	bad := func(param, msg string) (dataio.ExportOptions, error) {
		return o, errors.New(param + ": " + msg)
	}
	if v := q.Get("country"); v != "" {
		f.CountryCode = strings.ToUpper(v)
		if _, err := s.store.CountryByCode(ctx, f.CountryCode); err != nil {
			return bad("country", "no country with the code "+v)
		}
	}
	if v := q.Get("region"); v != "" {
		reg, ok := civicmon.ParseRegion(v)
		if !ok {
			return bad("region", v+" is not a region")
		}
		f.Region = reg
	}
	if v := q.Get("freedom"); v != "" {
		fr, ok := civicmon.ParseFreedom(v)
		if !ok {
			return bad("freedom", v+" is not a freedom")
		}
		f.Freedom = fr
	}
	f.Violation = q.Get("violation")
	var err error
	if f.Since, err = civicmon.ParseDate(q.Get("since")); err != nil {
		return bad("since", err.Error())
	}
	if f.Until, err = civicmon.ParseDate(q.Get("until")); err != nil {
		return bad("until", err.Error())
	}
	return o, nil
}

// MirrorDownloads writes downloads of /data/ for a static mirror: files
// maps each URL (/data/updates.csv?country=KZ) to where its file goes.
// Each file gets the bytes /data/ serves for its URL, but the updates
// are read once for all of them rather than once per file; so the URLs
// must all have the same query.
func (s *Site) MirrorDownloads(ctx context.Context, files map[string]io.Writer) error {
	var outs []dataio.Output
	query := ""
	for i, u := range slices.Sorted(maps.Keys(files)) {
		path, q, _ := strings.Cut(u, "?")
		name, ok := strings.CutPrefix(path, "/data/")
		file, known := dataFiles[name]
		if !ok || !known {
			return fmt.Errorf("%s is not a download of /data/", u)
		}
		if i > 0 && q != query {
			return fmt.Errorf("downloads written together must have the same query: %q and %q", query, q)
		}
		query = q
		outs = append(outs, dataio.Output{Format: file.format, Table: file.table, W: files[u]})
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return err
	}
	o, err := s.dataOptions(ctx, values)
	if err != nil {
		return err
	}
	return dataio.ExportAll(ctx, s.store, o, outs...)
}
