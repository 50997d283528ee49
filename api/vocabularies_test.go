package api_test

import "testing"

// vocabularies calls the vocabularies' operation for TestAPIConformsToOpenAPI.
func (c *conformance) vocabularies(t *testing.T) {
	t.Helper()
	c.publicRead(t, "/api/v1/vocabularies")
}
