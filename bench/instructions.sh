#!/usr/bin/env bash
# bench/instructions.sh — instructions per packet, counted by callgrind, for
# nfdataset (default, statistics + SPLT, metering alone; GOMAXPROCS=1 and the
# machine's default), ndpiReader and tcpdump on one fixed sub-capture: the
# first SUB_PACKETS (200,000) packets of the benchmark capture.
#
# Instruction counts do not move with the neighbours on a shared machine:
# the same binary on the same input gives the same count to within a few
# parts per thousand (GOMAXPROCS=1: exactly, up to the collector's timing),
# so they decide whether an optimisation is kept. Wall-clock figures stay in
# bench/run.sh.
#
# Usage: bench/instructions.sh [REPEATS]   (default 1; the median is shown)
# Needs valgrind, tcpdump, libndpi-bin, wireshark-common (editcap):
#   apt-get install -y valgrind tcpdump libndpi-bin wireshark-common tcpreplay
# Environment: BENCH_PCAP (default bench/out/bench.pcap; built by bench/run.sh
# or ../shared/bench/make-bench-pcap.sh), SUB_PACKETS (default 200000),
# NFDATASET (a binary to measure instead of building ./cmd/nfdataset),
# ONLY (a regular expression: measure only the matching rows).
#
# Go programs run with GODEBUG=asyncpreemptoff=1: callgrind cannot deliver
# the signals Go's asynchronous preemption uses. The "sched" column is the
# share of instructions spent in the Go scheduler (runtime.lock2/unlock2,
# findRunnable, schedule, goschedImpl, channel and futex paths, …), which is
# where goroutines that poll for work would show.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-1}
OUT=bench/out
PCAP=${BENCH_PCAP:-$OUT/bench.pcap}
SUB_PACKETS=${SUB_PACKETS:-200000}
ONLY=${ONLY:-.}
mkdir -p "$OUT"
for t in valgrind callgrind_annotate editcap capinfos ndpiReader tcpdump; do
	command -v "$t" >/dev/null || { echo "missing $t (see the header of $0)" >&2; exit 2; }
done
[ -s "$PCAP" ] || { echo "no benchmark capture at $PCAP: run bench/run.sh once, or set BENCH_PCAP" >&2; exit 2; }
SUB=$OUT/sub$SUB_PACKETS.pcap
if [ ! -s "$SUB" ] || [ "$PCAP" -nt "$SUB" ]; then
	editcap -F pcap -r "$PCAP" "$SUB" "1-$SUB_PACKETS"
fi
PACKETS=$(capinfos -c -M "$SUB" | awk -F': *' '/Number of packets/{print $2}')
NFD=${NFDATASET:-}
if [ -z "$NFD" ]; then
	NFD=$OUT/nfdataset
	go build -o "$NFD" ./cmd/nfdataset
fi

# tcpdump run as root drops to its own user, which then cannot write callgrind's file.
TCPDUMP_USER=""
[ "$(id -u)" = 0 ] && TCPDUMP_USER="-Z root"
rows=(
	"nfdataset_default|1|$NFD flows -o /dev/null $SUB"
	"nfdataset_default|0|$NFD flows -o /dev/null $SUB"
	"nfdataset_stats_splt|1|$NFD flows --statistical-analysis --splt-analysis 10 -o /dev/null $SUB"
	"nfdataset_stats_splt|0|$NFD flows --statistical-analysis --splt-analysis 10 -o /dev/null $SUB"
	"nfdataset_no_dpi|1|$NFD flows --n-dissections 0 -o /dev/null $SUB"
	"nfdataset_no_dpi|0|$NFD flows --n-dissections 0 -o /dev/null $SUB"
	"ndpiReader|-|ndpiReader -q -i $SUB"
	"tcpdump|-|tcpdump $TCPDUMP_USER -r $SUB -w /dev/null"
)
# Self cost of the scheduler's functions (the Go runtime's names).
SCHED='runtime\.(lock2|unlock2|lockWithRank|findRunnable|schedule|goschedImpl|gosched_m|gopreempt_m|park_m|goready|ready|wakep|startm|stopm|mPark|notesleep|notewakeup|futexsleep|futexwakeup|futex|osyield|usleep|procyield|runqget|runqput|runqgrab|runqsteal|stealWork|globrunqget|globrunqput|pidleget|pidleput|checkTimers|netpoll|execute|casgstatus|resetspinning|chansend|chanrecv|chansend1|chanrecv1|chanrecv2|selectgo|gopark|semacquire1|semrelease1)(\.abi0)?$'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-22s %-11s %14s %12s %7s\n' run GOMAXPROCS instructions "per packet" sched
for row in "${rows[@]}"; do
	IFS='|' read -r name procs cmd <<<"$row"
	[[ "$name/$procs" =~ $ONLY ]] || continue
	counts=()
	scheds=()
	for r in $(seq "$REPEATS"); do
		env=()
		if [ "$procs" != - ]; then
			env=(GODEBUG=asyncpreemptoff=1)
			[ "$procs" = 0 ] || env+=(GOMAXPROCS="$procs")
		fi
		env "${env[@]}" valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" $cmd >/dev/null 2>"$tmp/log" ||
			{ echo "$name failed under callgrind:" >&2; tail -5 "$tmp/log" >&2; exit 1; }
		counts+=("$(awk '/^summary:/{print $2}' "$tmp/cg")")
		scheds+=("$(callgrind_annotate --inclusive=no --threshold=100 --auto=no "$tmp/cg" 2>/dev/null |
			awk -v re="$SCHED" '{ for (i = 2; i <= NF; i++) if ($i ~ /:/) { fn = $i; sub(/.*:/, "", fn); v = $1; gsub(",", "", v); if (fn ~ re) s += v; break } } END { print s + 0 }')")
	done
	med=$(printf '%s\n' "${counts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	sch=$(printf '%s\n' "${scheds[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	shown=$procs
	[ "$procs" = 0 ] && shown="default($(nproc))"
	awk -v n="$name" -v p="$shown" -v c="$med" -v s="$sch" -v k="$PACKETS" \
		'BEGIN { printf "%-22s %-11s %14.0f %12.0f %6.1f%%\n", n, p, c, c / k, 100 * s / c }'
done
echo "sub-capture: $SUB ($PACKETS packets, first of $PCAP); repeats: $REPEATS (median)"
