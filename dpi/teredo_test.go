package dpi

import "testing"

func TestTeredo(t *testing.T) {
	runCases(t, []flowCase{
		{
			// teredo.pcap, 10.112.16.106:52513 -> 194.136.28.76:3544 (harness dump).
			name: "router solicitation",
			fs:   flowSpec{proto: 17, src: "10.112.16.106", dst: "194.136.28.76", srcPort: 52513, dstPort: 3544},
			pkts: []pkt{{hex: "00010000b11b3fea46a9afe9006000000000083afffe800000000000000000fffffffffffeff02000000000000000000000000000285007d3800000000"}},
			want: Result{Application: "Teredo", Category: "Network", Confidence: 6},
		},
	})
}
