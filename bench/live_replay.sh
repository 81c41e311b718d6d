#!/bin/sh
# live_replay.sh CAPTURE RATE [TOOL] — replay CAPTURE into a veth pair with
# tcpreplay at RATE packets/s (or "top": as fast as it can) and capture it on the other end with TOOL:
#   flows1   nfdataset flows, 1 meter           (default)
#   flows2   nfdataset flows --n-meters 2
#   fanout2  nfdataset flows --n-meters 2 --fanout
#   tcpdump  tcpdump -w /dev/null
# Prints what the capture kept and dropped, and nfdataset's peak RSS.
# Needs root, ip(8), tcpreplay, and NFDATASET (a built binary). Extra
# nfdataset flags go in FLOWS_FLAGS (e.g. "--memory-limit 256MiB").
set -eu
cap=$1 rate=$2 tool=${3:-flows1}
nfd=${NFDATASET:-nfdataset}
id=$$
A=nfrA$id B=nfrB$id a=nfra$id b=nfrb$id
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add "$a" netns "$A" type veth peer name "$b" netns "$B"
for ns in "$A" "$B"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip -n "$A" link set "$a" up; ip -n "$B" link set "$b" up
out=$(mktemp -d)
case $tool in
flows1) flags="--n-meters 1" ;;
flows2) flags="--n-meters 2" ;;
fanout2) flags="--n-meters 2 --fanout" ;;
tcpdump) flags="" ;;
*) echo "unknown tool $tool" >&2; exit 2 ;;
esac
if [ "$tool" = tcpdump ]; then
	ip netns exec "$A" tcpdump -q -i "$a" -w /dev/null 2>"$out/err" &
else
	# shellcheck disable=SC2086
	ip netns exec "$A" /usr/bin/time -v "$nfd" flows --n-dissections 0 $flags ${FLOWS_FLAGS:-} \
		--report-json "$out/report.jsonl" -o /dev/null "$a" 2>"$out/err" &
fi
pid=$!
sleep 1.5
if [ "$rate" = top ]; then speed=--topspeed; else speed=--pps=$rate; fi
ip netns exec "$B" tcpreplay -q --preload-pcap "$speed" -i "$b" "$cap" >"$out/replay" 2>&1
sleep 2.5
# The capture process is the child of ip netns exec (and time): signal it.
# tcpdump is exec'd by ip netns exec itself, so it is $pid.
if [ "$tool" = tcpdump ]; then kill -INT "$pid" 2>/dev/null || true; fi
for p in $(pgrep -P "$pid") $(pgrep -P "$(pgrep -P "$pid" | head -1)" 2>/dev/null); do kill -INT "$p" 2>/dev/null || true; done
wait "$pid" || true
sent=$(grep -o 'Actual: [0-9]* packets' "$out/replay" | grep -o '[0-9]*' || echo "?")
took=$(grep -o 'packets ([0-9]* bytes) sent in [0-9.]* seconds' "$out/replay" | grep -o 'in [0-9.]*' | cut -c4-)
if [ "$tool" = tcpdump ]; then
	got=$(grep -o '^[0-9]* packets captured' "$out/err" | grep -o '^[0-9]*')
	drop=$(grep -o '^[0-9]* packets dropped by kernel' "$out/err" | grep -o '^[0-9]*')
	echo "tool=$tool rate=$rate sent=$sent in ${took}s kept=$got kernel_dropped=$drop"
else
	last=$(tail -1 "$out/report.jsonl")
	got=$(echo "$last" | grep -o '"packets_processed":[0-9]*' | cut -d: -f2)
	ign=$(echo "$last" | grep -o '"packets_ignored":[0-9]*' | cut -d: -f2)
	drop=$(echo "$last" | grep -o '"packets_dropped_filtered_by_kernel":[0-9]*' | cut -d: -f2)
	flows=$(echo "$last" | grep -o '"flows_expired":[0-9]*' | cut -d: -f2)
	ev=$(echo "$last" | grep -o '"flows_evicted":[0-9]*' | cut -d: -f2)
	rss=$(grep 'Maximum resident' "$out/err" | grep -o '[0-9]*$')
	echo "tool=$tool rate=$rate sent=$sent in ${took}s kept=$got ignored_non_ip=$ign kernel_dropped=$drop flows=$flows evicted=$ev peak_rss_kB=$rss"
fi
[ -n "${KEEP:-}" ] && echo "kept $out" || rm -rf "$out"
