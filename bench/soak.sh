#!/usr/bin/env bash
# The soak: civicmon under mixed load on loopback (bench/soak/main.go).
#   bench/soak.sh [--updates N] [--duration D] [--readers R] [--editors E] [--import N]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
go build -o bench/out/civicmon ./cmd/civicmon
go run ./bench/soak --bin bench/out/civicmon "$@"
