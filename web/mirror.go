package web

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dataio"
)

// mirrorSearchData is the search page of a static mirror.
type mirrorSearchData struct {
	Script   string
	Regions  []civicmon.Region
	Freedoms []civicmon.Freedom
}

// MirrorSearchPage writes the search page of a static mirror (package
// mirror, `civicmon export site`): the one page that needs JavaScript,
// which searches an index built at export time, in the browser. It takes
// the place of /updates, whose search runs on the server. It is no route
// of the live site.
func (s *Server) MirrorSearchPage(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "")
	p.Title = p.T("Search the research updates")
	p.Data = mirrorSearchData{Script: s.assets.URL("search.js"), Regions: civicmon.Regions, Freedoms: civicmon.Freedoms}
	s.RenderTemplate(w, r, http.StatusOK, "mirror_search", p)
}

// StaticFiles returns the URL of every static file (/static/…), for the
// mirror to copy them all.
func (s *Server) StaticFiles() []string {
	out := make([]string, 0, len(s.assets.byURL))
	for u := range s.assets.byURL {
		out = append(out, u)
	}
	return out
}

// MirrorDownloads writes downloads of /data/ for a static mirror: files
// maps each URL (/data/updates.csv?country=KZ) to where its file goes.
// Each file gets the bytes /data/ serves for its URL, but the updates
// are read once for all of them rather than once per file; so the URLs
// must all have the same query.
func (s *Server) MirrorDownloads(ctx context.Context, files map[string]io.Writer) error {
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
	return dataio.ExportAll(ctx, s.cfg.Store, o, outs...)
}
