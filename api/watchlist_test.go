package api_test

import "testing"

// watchlist calls the watchlist's operations for TestAPIConformsToOpenAPI.
func (c *conformance) watchlist(t *testing.T) {
	t.Helper()
	c.publicRead(t, "/api/v1/watchlist")
	c.publicRead(t, "/api/v1/watchlist/2019-10-01")
	c.get(t, "/api/v1/watchlist/1999-01-01", 404)
}
