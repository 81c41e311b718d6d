#!/usr/bin/env bash
# bench/run.sh — nfdataset side by side with ndpiReader and tcpdump on the
# shared benchmark capture. Rounds alternate between the tools so that
# machine noise spreads evenly; each figure is the median over the rounds.
#
# Wall time moves with the neighbours on a shared machine; packets per
# CPU-second moves less, and bench/instructions.sh (callgrind) not at all.
#
# Usage: bench/run.sh [ROUNDS]       (default 5)
# Needs Debian's tcpreplay and wireshark-common (to build the capture once),
# libndpi-bin (ndpiReader), tcpdump and GNU time:
#   apt-get install -y tcpreplay wireshark-common libndpi-bin tcpdump time
# Environment: BENCH_PCAP (default bench/out/bench.pcap), SHARED (default ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
SHARED=${SHARED:-../shared}
OUT=bench/out
PCAP=${BENCH_PCAP:-$OUT/bench.pcap}
mkdir -p "$OUT"
for t in ndpiReader tcpdump /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "missing $t (see the header of $0)" >&2; exit 2; }
done
if [ ! -s "$PCAP" ]; then
	echo "building $PCAP from $SHARED/corpus/nfstream/pcaps …" >&2
	"$SHARED/bench/make-bench-pcap.sh" "$SHARED/corpus/nfstream/pcaps" "$PCAP" >&2
fi
go build -o "$OUT/nfdataset" ./cmd/nfdataset
PACKETS=$(tcpdump -r "$PCAP" -w - 2>/dev/null | tcpdump -r - -qn 2>/dev/null | wc -l)

declare -A CMD=(
	[nfdataset_default]="$OUT/nfdataset flows -o /dev/null $PCAP"
	[nfdataset_no_dpi]="$OUT/nfdataset flows --n-dissections 0 -o /dev/null $PCAP"
	[nfdataset_stats_splt]="$OUT/nfdataset flows --statistical-analysis --splt-analysis 10 -o /dev/null $PCAP"
	[ndpiReader]="ndpiReader -q -i $PCAP"
	[tcpdump]="tcpdump -r $PCAP -w /dev/null"
)
ORDER=(nfdataset_default nfdataset_no_dpi nfdataset_stats_splt ndpiReader tcpdump)
RES=$OUT/results.tsv
: > "$RES"
for r in $(seq "$ROUNDS"); do
	for name in "${ORDER[@]}"; do
		# GNU time: wall seconds, user+sys CPU seconds, peak RSS KiB
		/usr/bin/time -f "$name %e %U %S %M" -a -o "$RES" ${CMD[$name]} >/dev/null 2>&1
	done
	echo "round $r/$ROUNDS done" >&2
done

# Parallel metering must not change a byte: compare 1, 2 and 3 meters.
sums=""
for n in 1 2 3; do
	"$OUT/nfdataset" flows --statistical-analysis --splt-analysis 10 --n-meters "$n" -o "$OUT/meters$n.csv" "$PCAP"
	sums="$sums $(sha256sum "$OUT/meters$n.csv" | cut -c1-64)"
done
if [ "$(echo $sums | tr ' ' '\n' | sort -u | wc -l)" = 1 ]; then
	meters="identical output with 1, 2 and 3 meters ($(wc -l < "$OUT/meters1.csv") lines)"
else
	meters="OUTPUT DIFFERS between 1, 2 and 3 meters:$sums"
fi
rm -f "$OUT"/meters?.csv

echo "machine: $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo)"
echo "capture: $PCAP, $PACKETS packets, $(du -mL "$PCAP" | cut -f1) MB; rounds: $ROUNDS (medians)"
awk -v packets="$PACKETS" '
function median(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t } return (n % 2) ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
{ n[$1]++; wall[$1, n[$1]] = $2; cpu[$1, n[$1]] = $3 + $4; rss[$1, n[$1]] = $5 }
END {
	split("nfdataset_default nfdataset_no_dpi nfdataset_stats_splt ndpiReader tcpdump", order, " ")
	printf "%-22s %14s %14s %10s %10s %10s\n", "tool", "packets/s", "packets/CPU-s", "wall s", "CPU s", "peak MB"
	for (k = 1; k <= 5; k++) {
		name = order[k]; m = n[name]
		for (i = 1; i <= m; i++) { w[i] = wall[name, i]; c[i] = cpu[name, i]; s[i] = rss[name, i] }
		W[name] = median(w, m); C[name] = median(c, m); S[name] = median(s, m)
		pps[name] = (W[name] > 0) ? packets / W[name] : 0
		ppc[name] = (C[name] > 0) ? packets / C[name] : 0
		printf "%-22s %14.0f %14.0f %10.2f %10.2f %10.1f\n", name, pps[name], ppc[name], W[name], C[name], S[name] / 1024
	}
	printf "\nratios (wall packets/s; packets per CPU-second, user + system):\n"
	printf "  default / ndpiReader     wall %.2f (target >= 4)    CPU %.2f (target >= 3)\n", pps["nfdataset_default"] / pps["ndpiReader"], ppc["nfdataset_default"] / ppc["ndpiReader"]
	printf "  stats+splt / ndpiReader  wall %.2f (target >= 3.5)  CPU %.2f (target >= 2.5)\n", pps["nfdataset_stats_splt"] / pps["ndpiReader"], ppc["nfdataset_stats_splt"] / ppc["ndpiReader"]
	printf "  no-dpi / tcpdump         wall %.2f (target >= 1.3)  CPU %.2f\n", pps["nfdataset_no_dpi"] / pps["tcpdump"], ppc["nfdataset_no_dpi"] / ppc["tcpdump"]
	printf "  peak RSS (target <= 64 MB): default %.1f, stats+splt %.1f, no-dpi %.1f\n", S["nfdataset_default"] / 1024, S["nfdataset_stats_splt"] / 1024, S["nfdataset_no_dpi"] / 1024
}' "$RES"
echo "$meters"
