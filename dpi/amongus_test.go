package dpi

import "testing"

func TestAmongUs(t *testing.T) {
	runCases(t, []flowCase{
		{
			// among_us.pcap, 10.0.0.1:64260 -> 172.105.251.170:22023 (harness dump).
			name: "hello",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "172.105.251.170", srcPort: 64260, dstPort: 22023},
			pkts: []pkt{{hex: "0800010080d9020306414141414141"}},
			want: Result{Application: "AmongUs", Category: "Game", Confidence: 6},
		},
	})
}
