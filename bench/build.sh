#!/usr/bin/env bash
# bench/build.sh — whole builds against `flows -o /dev/null`: a fresh
# `nfdataset build --force` (input hashing, metering, the sink, provenance)
# of a one-input manifest over the benchmark capture, writing zstd Parquet
# (the quickstart's output settings), CSV and JSON lines, timed beside
# `flows -o /dev/null` with the same features. Rounds alternate between the
# runs; figures are medians.
#
# Usage: bench/build.sh [ROUNDS]   (default 5)
# Environment: BENCH_PCAP (default bench/out/bench.pcap), NFDATASET (a binary
# instead of building ./cmd/nfdataset).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
OUT=bench/out
PCAP=$(realpath "${BENCH_PCAP:-$OUT/bench.pcap}")
[ -s "$PCAP" ] || { echo "no benchmark capture at $PCAP: run bench/run.sh once, or set BENCH_PCAP" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "missing GNU time (apt-get install time)" >&2; exit 2; }
NFD=${NFDATASET:-}
if [ -z "$NFD" ]; then
	NFD=$OUT/nfdataset
	go build -o "$NFD" ./cmd/nfdataset
fi
B=$(realpath "$OUT")/build
mkdir -p "$B"

# manifest NAME SETS FORMAT COMPRESSION [EXTRA-FEATURE-OPTIONS]
manifest() {
	cat >"$B/$1.toml" <<EOF
[dataset]
name = "bench-$1"
version = "1"
[[input]]
path = "$PCAP"
[features]
sets = $2
dpi = { n_dissections = 20 }
${5:-}
[output]
path = "$B/$1.out"
format = "$3"
compression = "$4"
rows_per_file = 1000000
EOF
}
DEF='["base", "dpi"]'
ALL='["base", "stats", "splt", "dpi"]'
manifest parquet_default "$DEF" parquet zstd
manifest csv_default "$DEF" csv none
manifest jsonl_default "$DEF" jsonl none
manifest parquet_stats_splt "$ALL" parquet zstd "splt = { n = 10 }"

declare -A CMD=(
	[flows_default]="$NFD flows -o /dev/null $PCAP"
	[build_parquet_default]="$NFD build --force $B/parquet_default.toml"
	[build_csv_default]="$NFD build --force $B/csv_default.toml"
	[build_jsonl_default]="$NFD build --force $B/jsonl_default.toml"
	[flows_stats_splt]="$NFD flows --statistical-analysis --splt-analysis 10 -o /dev/null $PCAP"
	[build_parquet_stats_splt]="$NFD build --force $B/parquet_stats_splt.toml"
)
ORDER=(flows_default build_parquet_default build_csv_default build_jsonl_default flows_stats_splt build_parquet_stats_splt)
RES=$B/results.tsv
: >"$RES"
for r in $(seq "$ROUNDS"); do
	for name in "${ORDER[@]}"; do
		rm -rf "$B"/*.out # a fresh build every time: nothing cached
		/usr/bin/time -f "$name %e %U %S %M" -a -o "$RES" ${CMD[$name]} >/dev/null 2>"$B/$name.err" ||
			{ echo "$name failed:" >&2; tail -5 "$B/$name.err" >&2; exit 1; }
		for d in "$B"/*.out; do [ -d "$d" ] && du -sm "$d" | cut -f1 >"$B/$name.mb"; done
	done
	echo "round $r/$ROUNDS done" >&2
done
sizes=$(for f in "$B"/*.mb; do printf '%s %s\n' "$(basename "$f" .mb)" "$(cat "$f")"; done)
echo "capture: $PCAP; rounds: $ROUNDS (medians)"
awk -v sizes="$sizes" '
function median(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t } return (n % 2) ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
{ n[$1]++; wall[$1, n[$1]] = $2; cpu[$1, n[$1]] = $3 + $4; rss[$1, n[$1]] = $5 }
END {
	k = split(sizes, sl, "\n"); for (i = 1; i <= k; i++) { split(sl[i], f, " "); mb[f[1]] = f[2] }
	split("flows_default build_parquet_default build_csv_default build_jsonl_default flows_stats_splt build_parquet_stats_splt", order, " ")
	printf "%-26s %8s %8s %8s %9s %10s\n", "run", "wall s", "CPU s", "peak MB", "out MB", "vs flows"
	for (o = 1; o <= 6; o++) {
		name = order[o]; m = n[name]
		for (i = 1; i <= m; i++) { w[i] = wall[name, i]; c[i] = cpu[name, i]; s[i] = rss[name, i] }
		W[name] = median(w, m); C = median(c, m); S = median(s, m)
		base = (name ~ /stats_splt/) ? W["flows_stats_splt"] : W["flows_default"]
		printf "%-26s %8.2f %8.2f %8.1f %9s %+9.0f%%\n", name, W[name], C, S / 1024, (name in mb) ? mb[name] : "-", 100 * (W[name] / base - 1)
	}
	printf "\ntarget: build_parquet_default at most +20%% over flows_default\n"
}' "$RES"
