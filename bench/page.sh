#!/usr/bin/env bash
# Benchmark: /countries/kazakhstan on a database of 1,000,000 synthetic
# updates (plus the demo data), against the same bytes from http.FileServer.
#   bench/page.sh [UPDATES]   (default 1000000; the database is kept in bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=bench/out
mkdir -p "$out"
go build -o "$out/civicmon" ./cmd/civicmon
go build -o "$out/pagebench" ./bench/pagebench
db="$out/page-$n.db"
if [ ! -f "$db" ]; then
	"$out/civicmon" demo --db "$db.tmp"
	"$out/civicmon" gen --db "$db.tmp" --updates "$n" --seed 1
	mv "$db.tmp" "$db"; rm -f "$db.tmp-wal" "$db.tmp-shm"
fi
"$out/pagebench" -civicmon "$out/civicmon" -db "$db" -path /countries/kazakhstan -c 64 -d 10s -rounds 3
