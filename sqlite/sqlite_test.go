package sqlite_test

import (
	"testing"

	"github.com/civicmon/civicmon/storetest"
)

func TestConformance(t *testing.T) {
	t.Log("conformance suite: running on SQLite")
	storetest.Run(t, storetest.SQLite)
}
