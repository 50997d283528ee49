package api

import (
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

func (h *handler) vocabularies(w http.ResponseWriter, r *http.Request) {
	d, ok := h.siteData(w, r)
	if !ok {
		return
	}
	v := apiVocabularies{Freedoms: []apiTerm{}, Violations: []apiTerm{}, Targets: []apiTerm{}, Regions: []apiTerm{},
		Categories: []apiCategory{}, Statuses: []string{}, Actions: []string{}}
	for _, f := range civicmon.Freedoms {
		v.Freedoms = append(v.Freedoms, apiTerm{string(f), f.Name()})
	}
	for _, t := range d.Vocab.Violations {
		v.Violations = append(v.Violations, apiTerm{t.Slug, t.Name})
	}
	for _, t := range d.Vocab.Targets {
		v.Targets = append(v.Targets, apiTerm{t.Slug, t.Name})
	}
	for _, rg := range civicmon.Regions {
		v.Regions = append(v.Regions, apiTerm{string(rg), rg.Name()})
	}
	for _, c := range civicmon.Categories {
		lo, hi := c.Band()
		v.Categories = append(v.Categories, apiCategory{Slug: string(c), Name: c.Name(), MinScore: lo, MaxScore: hi})
	}
	for _, st := range civicmon.Statuses {
		v.Statuses = append(v.Statuses, string(st))
	}
	for _, a := range apiActions {
		v.Actions = append(v.Actions, string(a))
	}
	web.WriteAPIJSON(w, r, http.StatusOK, v)
}
