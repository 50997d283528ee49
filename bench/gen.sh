#!/usr/bin/env bash
# Benchmark: the synthetic data generator (`civicmon gen`) into a fresh SQLite
# file, with generation alone as the baseline in the same run.
#   bench/gen.sh [UPDATES]   (default 1000000)
# The database is a file in the test's temporary directory ($TMPDIR), removed
# afterwards; it takes about 5 GB per million updates.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3-), $(uname -sr)"
echo "updates per run: $n"
CIVICMON_BENCH_UPDATES=$n go test -run '^$' -bench 'BenchmarkGen(SQLite|Only)$' -benchtime 1x -timeout 2h ./bench/ | tee "$out"
awk '
	/^BenchmarkGenSQLite/ { for (i = 1; i < NF; i++) if ($(i+1) == "updates/s") store = $i }
	/^BenchmarkGenOnly/   { for (i = 1; i < NF; i++) if ($(i+1) == "updates/s") only = $i }
	END {
		if (store && only)
			printf "\ninto SQLite: %.0f updates/s; generation alone: %.0f updates/s; generation alone is %.1fx as fast\n",
				store, only, only / store
	}' "$out"
