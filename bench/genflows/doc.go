// Command genflows writes a classic pcap with N concurrent UDP flows: every
// flow sends one packet in a first pass and a reply in a second pass, so
// all N flows are in the flow table at once. It measures memory per active
// flow:
//
//	go run ./bench/genflows -n 1000000 -o /tmp/1m.pcap
//	/usr/bin/time -v nfdataset flows --n-dissections 0 -o /dev/null /tmp/1m.pcap
//
// May import: the standard library only.
package main
