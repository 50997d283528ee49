package postgres_test

import (
	"os"
	"testing"

	"github.com/civicmon/civicmon/storetest"
)

func TestConformance(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("conformance suite on PostgreSQL: SKIPPED — set %s=postgres://… to run it", storetest.PostgresEnv)
	}
	t.Log("conformance suite: running on PostgreSQL")
	storetest.Run(t, storetest.Postgres)
}
