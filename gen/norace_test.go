//go:build !race

package gen_test

// raceEnabled: the tests run under the race detector (go test -race).
const raceEnabled = false
