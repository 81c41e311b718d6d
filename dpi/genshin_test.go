package dpi

import "testing"

func TestGenshinImpact(t *testing.T) {
	runCases(t, []flowCase{
		{
			// genshin-impact.pcap, 192.168.2.100:58766 -> 47.245.143.85:22101 (harness dump).
			name: "UDP handshake",
			fs:   flowSpec{proto: 17, src: "192.168.2.100", dst: "47.245.143.85", srcPort: 58766, dstPort: 22101},
			pkts: []pkt{{hex: "000000ff0000000000000000499602d2ffffffff"}},
			want: Result{Application: "GenshinImpact", Category: "Game", Confidence: 6},
		},
	})
}
