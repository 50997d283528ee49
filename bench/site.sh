#!/usr/bin/env bash
# Benchmark: `civicmon export site` against Hugo building the same pages from
# the same content (docs/benchmarks.md, "Static mirror against Hugo").
#
#   bench/site.sh [UPDATES]     (default 10000; ROUNDS=3 in the environment)
#
# It builds civicmon (or uses $CIVICMON, a civicmon binary to test instead),
# makes a database with the demo data plus UPDATES synthetic updates (kept in
# bench/out/), exports it as NDJSON and converts that to a Hugo site with
# bench/hugo/tohugo (not timed: Hugo's input is content files, civicmon's is
# its database). Then, in one run, it alternates timed builds, ROUNDS of each:
#
#   hugo --quiet -d FRESH_DIR --cacheDir FRESH_DIR     (bench/hugo/site)
#   civicmon export site --key KEY --base-url URL FRESH_DIR
#
# and prints a markdown table: wall time, CPU time, peak memory, pages (.html
# files), files and bytes written, and the ratio hugo / civicmon.
# It installs nothing: Hugo is Debian's package `hugo` (0.111.3 measured).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
rounds=${ROUNDS:-3}
base_url=https://monitor.example.org

if ! command -v hugo >/dev/null; then
	echo "bench/site.sh: hugo is not installed; this script installs nothing." >&2
	echo "  Debian/Ubuntu: apt-get install hugo   (measured with 0.111.3)" >&2
	exit 1
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench/site.sh: /usr/bin/time (GNU time, Debian package \`time\`) is needed for CPU time and memory." >&2
	exit 1
fi

out=bench/out
w=$out/site-$n
mkdir -p "$out" "$w"
if [ -n "${CIVICMON:-}" ]; then
	cm=$CIVICMON
else
	go build -o "$out/civicmon" ./cmd/civicmon
	cm=$out/civicmon
fi
if ! "$cm" keygen --help >/dev/null 2>&1; then
	echo "bench/site.sh: $cm has no \`export site\` (the static mirror); build one that has, and pass it as CIVICMON=…" >&2
	exit 1
fi
go build -o "$out/tohugo" ./bench/hugo/tohugo

# The database: demo data plus n synthetic updates, kept between runs.
db=$out/site-$n.db
if [ ! -f "$db" ]; then
	rm -f "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
	"$cm" demo --db "$db.tmp" >/dev/null 2>&1
	"$cm" gen --db "$db.tmp" --updates "$n" --seed 1 2>/dev/null
	mv "$db.tmp" "$db"
	rm -f "$db.tmp-wal" "$db.tmp-shm"
fi
key=$out/site.key
[ -f "$key" ] || "$cm" keygen --out "$key" >/dev/null

# Hugo's side: the site, with content converted from civicmon's export
# (not timed).
site=$w/hugo-site
rm -rf "$site"
cp -r bench/hugo/site "$site"
mkdir -p "$site/static/static"
cp web/static/* "$site/static/static/"
"$cm" export --format ndjson --db "$db" --out "$w/civicmon.ndjson" 2>/dev/null
t0=$(date +%s.%N)
"$out/tohugo" -in "$w/civicmon.ndjson" -db "$db" -locales i18n/locales -downloads -out "$site"
t1=$(date +%s.%N)
echo "converted $(grep -c '"type":"update"' "$w/civicmon.ndjson") updates to a Hugo site in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s (not timed)" >&2

# measure NAME OUTDIR CMD...: runs CMD, appends "name wall cpu rss_kb pages files bytes" to $w/results.
measure() {
	local name=$1 dir=$2
	shift 2
	sync
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S %M' -o "$w/time.txt" "$@" >"$w/$name.log" 2>&1 || {
		echo "bench/site.sh: $name failed; its output:" >&2
		tail -20 "$w/$name.log" >&2
		exit 1
	}
	t1=$(date +%s.%N)
	local u s m
	read -r u s m <"$w/time.txt"
	local pages files bytes stubs
	# Pages: .html files, less redirect stubs (Hugo writes one for page 1
	# of every paginated list, …/page/1.html, and cannot be told not to).
	stubs=$(find "$dir" -type f -name '*.html' -size -2k -print0 | xargs -0 -r grep -l 'http-equiv="refresh"' | wc -l)
	pages=$(($(find "$dir" -type f -name '*.html' | wc -l) - stubs))
	files=$(find "$dir" -type f | wc -l)
	bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
	echo "$name $(echo "$t1 - $t0" | bc) $(echo "$u + $s" | bc) $m $pages $files $bytes $stubs" >>"$w/results"
	echo "$name: $(printf '%.2f' "$(echo "$t1 - $t0" | bc)") s wall, $pages pages, $files files" >&2
}

rm -f "$w/results"
for r in $(seq 1 "$rounds"); do
	# Fresh output and cache directories each time; the order alternates
	# which goes first, so that noise on a shared machine falls on both.
	rm -rf "$w/hugo-out" "$w/hugo-cache" "$site/resources" "$w/mirror"
	if [ $((r % 2)) -eq 1 ]; then order="hugo civicmon"; else order="civicmon hugo"; fi
	for side in $order; do
		case $side in
		hugo)
			measure hugo "$w/hugo-out" hugo --quiet --source "$site" -d "$(pwd)/$w/hugo-out" --cacheDir "$(pwd)/$w/hugo-cache"
			;;
		civicmon)
			measure civicmon "$w/mirror" "$cm" export site --db "$db" --key "$key" --base-url "$base_url" "$w/mirror"
			;;
		esac
	done
done

# The table: each round, and the medians.
awk -v n="$n" -v rounds="$rounds" '
function median(a, k,   i, j, t) {
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{
	k = ++cnt[$1]
	wall[$1, k] = $2; cpu[$1, k] = $3; rss[$1, k] = $4
	pages[$1] = $5; files[$1] = $6; bytes[$1] = $7; stubs[$1] = $8
}
END {
	printf "\n%s updates (plus the demo data), %d rounds, alternating:\n\n", n, rounds
	printf "| build | wall (median) | each round | CPU (median) | peak memory | pages (.html) | files | bytes |\n"
	printf "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n"
	split("hugo civicmon", names, " ")
	for (x = 1; x <= 2; x++) {
		s = names[x]; k = cnt[s]; each = ""
		for (i = 1; i <= k; i++) { wa[i] = wall[s, i]; ca[i] = cpu[s, i]; ra[i] = rss[s, i]; each = each (i > 1 ? ", " : "") sprintf("%.1f", wall[s, i]) }
		mw[s] = median(wa, k); mc = median(ca, k); mr = median(ra, k)
		label = (s == "hugo") ? "Hugo (`hugo`)" : "civicmon (`export site`)"
		printf "| %s | %.1f s | %s | %.1f s | %d MB | %d | %d | %.1f MB |\n", label, mw[s], each, mc, mr / 1024, pages[s], files[s], bytes[s] / 1e6
	}
	printf "\nRatio hugo / civicmon (median wall time): **%.2f** (target: at least 3)\n", mw["hugo"] / mw["civicmon"]
	if (stubs["hugo"] + stubs["civicmon"] > 0)
		printf "(pages leave out redirect stubs: Hugo %d, civicmon %d; files and bytes count them)\n", stubs["hugo"], stubs["civicmon"]
	d = pages["hugo"] - pages["civicmon"]; if (d < 0) d = -d
	if (d > pages["civicmon"] / 100)
		printf "\nWARNING: the page sets differ by %d pages (more than 1%%): the comparison is not like for like.\n", d
}' "$w/results"
