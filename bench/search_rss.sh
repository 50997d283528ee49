#!/usr/bin/env bash
# Server memory while it answers searches: starts `civicmon serve` on a
# database of synthetic updates (as bench/page.sh makes it, or the one
# given), asks the 30 queries of the search benchmark with each of the
# three sorts through HTTP, and prints the server's resident set size —
# its peak while loading the indexes at start-up, its peak while searching
# (VmHWM, reset in between) and at the end — and where it lies.
#   bench/search_rss.sh [UPDATES|DB]   (default 1000000; the database is kept in bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
arg=${1:-1000000}
out=bench/out
mkdir -p "$out"
go build -o "$out/civicmon" ./cmd/civicmon
if [ -f "$arg" ]; then
	db=$arg
else
	db="$out/page-$arg.db"
	if [ ! -f "$db" ]; then
		"$out/civicmon" demo --db "$db.tmp"
		"$out/civicmon" gen --db "$db.tmp" --updates "$arg" --seed 1
		mv "$db.tmp" "$db"; rm -f "$db.tmp-wal" "$db.tmp-shm"
	fi
fi
command -v curl >/dev/null || { echo "search_rss.sh needs curl" >&2; exit 1; }
port=18391
log="$out/search-rss-serve.log"
"$out/civicmon" serve --db "$db" --addr "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
# serve loads the search's facet index and the statistics index at
# start-up, then sets its memory limit: wait for that, so that the figures
# are those of a server that is up, not of one loading.
for _ in $(seq 1 1200); do
	grep -q "memory limit set" "$log" && break
	sleep 0.5
done
grep -E "index loaded|memory limit" "$log" | sed 's/^/  serve: /'
queries=(
	q=the q=authorities q=police q=journalists q=protest q=government
	q=shutdown "q=%D0%BC%D0%B8%D1%80%D0%BD%D1%8B%D0%B9" "q=%D2%9A%D0%B0%D0%B7%D0%B0%D2%9B%D1%81%D1%82%D0%B0%D0%BD"
	q=spyware q=liquidation "q=%D0%96%D0%B0%D2%A3%D0%B0%D3%A9%D0%B7%D0%B5%D0%BD"
	"q=%22peaceful+assembly%22" "q=%22journalists+detained%22" "q=%22internet+shutdown%22"
	"q=%22%D0%BC%D0%B8%D1%80%D0%BD%D1%8B%D0%B9+%D0%BC%D0%B8%D1%82%D0%B8%D0%BD%D0%B3%22" "q=%22human+rights%22" "q=%22tear+gas%22"
	country=KZ "region=europe-central-asia&freedom=expression" violation=internet-shutdown
	"target=journalists&year=2024" rating=repressed "country=RU&country=BY&since=2021-01-01&until=2022-12-31"
	"q=police&country=KZ" "q=%22internet+shutdown%22&region=asia-pacific"
	"q=journalists&violation=detention-of-journalists&year=2025" "q=protesters+-police&freedom=peaceful-assembly"
	"q=detained+OR+arrested&rating=closed&rating=repressed" "q=%D2%9A%D0%B0%D0%B7%D0%B0%D2%9B%D1%81%D1%82%D0%B0%D0%BD&country=KZ"
	q=protester q=detaining q=Zhanaozen q=Qazaqstan q=journalsts q=goverment
)
before=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
# The peak so far is the start-up's (loading the indexes); reset it, so
# that the peak below is the searches' own.
startup=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
echo 5 >/proc/$pid/clear_refs
fail=0
for sort in relevance newest oldest; do
	for q in "${queries[@]}"; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/updates?$q&sort=$sort")
		[ "$code" = 200 ] || { echo "  $q ($sort): HTTP $code" >&2; fail=1; }
	done
done
hwm=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
file=$(awk '/^Rss:/{r=$2} /^Pss_File:/{f=$2} END{print f}' /proc/$pid/smaps_rollup)
echo "server RSS at the start-up's peak (loading the indexes): $((startup / 1024)) MB"
echo "server RSS before the searches: $((before / 1024)) MB; peak while answering $(( ${#queries[@]} * 3 )) searches: $((hwm / 1024)) MB; after: $((rss / 1024)) MB (of which file-backed, the binary: $((file / 1024)) MB)"
exit $fail
