package api_test

import "testing"

// ratings calls the ratings' operation for TestAPIConformsToOpenAPI.
func (c *conformance) ratings(t *testing.T) {
	t.Helper()
	c.publicRead(t, "/api/v1/ratings")
	c.get(t, "/api/v1/ratings?country=KZ&since=2018-01-01&until=2030-01-01", 200)
	c.get(t, "/api/v1/ratings?as_of=2021-01-01&region=europe-central-asia", 200)
	c.get(t, "/api/v1/ratings?as_of=yesterday&since=2020-01-01&until=2019-01-01", 422)
}
