package dpi

import "testing"

func TestCAPWAP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// capwap.pcap, 192.168.10.9:5246 -> 192.168.10.10:12379 (harness dump, cut to the
			// length its header states).
			name: "DTLS-wrapped control",
			fs:   flowSpec{proto: 17, src: "192.168.10.9", dst: "192.168.10.10", srcPort: 5246, dstPort: 12379},
			pkts: []pkt{{hex: "0100000015feff0001000000000001003091525de0381a81cffbbc5c495068756e8580383b27a1c2ff2011743e05500e5352fa6f19e56428296f7985b4b0bf6612"}},
			want: Result{Application: "CAPWAP", Category: "Network", Confidence: 6},
		},
	})
}
