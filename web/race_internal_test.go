//go:build race

package web

// raceEnabled: the tests run under the race detector (go test -race),
// where rendering is many times slower; long walks take fewer pages.
const raceEnabled = true
