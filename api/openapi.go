package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every operation, parameter, schema and error
// of the API: an OpenAPI 3.1 document, served as it is.
//
//go:embed openapi.json
var openAPIDocument []byte

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
}
