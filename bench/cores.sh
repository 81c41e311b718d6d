#!/usr/bin/env bash
# bench/cores.sh — does parallel metering pay off, and from how many cores?
# Times `flows -o /dev/null` (default features, and statistics + SPLT) with
# 1, 2 and 3 meters (--n-meters), pinned by taskset to 1 core and to 2 cores.
# Rounds alternate; figures are medians of wall and CPU seconds.
#
# Usage: bench/cores.sh [ROUNDS]   (default 5)
# Environment: BENCH_PCAP (default bench/out/bench.pcap), NFDATASET.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
OUT=bench/out
PCAP=${BENCH_PCAP:-$OUT/bench.pcap}
[ -s "$PCAP" ] || { echo "no benchmark capture at $PCAP: run bench/run.sh once, or set BENCH_PCAP" >&2; exit 2; }
NFD=${NFDATASET:-}
if [ -z "$NFD" ]; then
	NFD=$OUT/nfdataset
	go build -o "$NFD" ./cmd/nfdataset
fi
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores" >&2; exit 2; }
RES=$OUT/cores.tsv
: >"$RES"
for r in $(seq "$ROUNDS"); do
	for cores in 0 0,1; do
		for feat in default stats_splt; do
			args=()
			[ "$feat" = stats_splt ] && args=(--statistical-analysis --splt-analysis 10)
			for m in 1 2 3; do
				/usr/bin/time -f "$cores $feat $m %e %U %S" -a -o "$RES" \
					taskset -c "$cores" "$NFD" flows "${args[@]}" --n-meters "$m" -o /dev/null "$PCAP" >/dev/null 2>&1
			done
		done
	done
	echo "round $r/$ROUNDS done" >&2
done
awk '
function median(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t } return (n % 2) ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
{ k = $1 " " $2 " " $3; n[k]++; w[k, n[k]] = $4; c[k, n[k]] = $5 + $6; if (!(k in seen)) { seen[k] = 1; keys[++nk] = k } }
END {
	printf "%-6s %-11s %-8s %8s %8s\n", "cores", "features", "meters", "wall s", "CPU s"
	for (i = 1; i <= nk; i++) {
		k = keys[i]; m = n[k]
		for (j = 1; j <= m; j++) { a[j] = w[k, j]; b[j] = c[k, j] }
		split(k, f, " ")
		printf "%-6s %-11s %-8s %8.2f %8.2f\n", (f[1] == "0") ? 1 : 2, f[2], f[3], median(a, m), median(b, m)
	}
}' "$RES"
