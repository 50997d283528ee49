package api_test

import "testing"

// countries calls the countries' operations for TestAPIConformsToOpenAPI.
func (c *conformance) countries(t *testing.T) {
	t.Helper()
	c.publicRead(t, "/api/v1/countries")
	c.publicRead(t, "/api/v1/countries/kazakhstan")
	c.get(t, "/api/v1/countries?region=africa&category=repressed", 200)
	c.get(t, "/api/v1/countries?region=atlantis", 422)
	c.get(t, "/api/v1/countries/KZ", 200)
	c.get(t, "/api/v1/countries/zz", 404)
}
