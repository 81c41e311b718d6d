package dpi

import "testing"

func TestNATPMP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// iphone.pcap, 192.168.2.1:5351 -> 224.0.0.1:5350 (harness dump).
			name: "address response",
			fs:   flowSpec{proto: 17, src: "192.168.2.1", dst: "224.0.0.1", srcPort: 5351, dstPort: 5350},
			pkts: []pkt{{hex: "0080000000000021c0a8010b"}},
			want: Result{Application: "NAT-PMP", Category: "Network", Confidence: 6},
		},
		{
			name: "bad result code",
			fs:   flowSpec{proto: 17, src: "192.168.2.1", dst: "224.0.0.1", srcPort: 5351, dstPort: 5350},
			pkts: []pkt{{hex: "0080000900000021c0a8010b"}},
			want: Result{Application: "NAT-PMP", Category: "Network", Confidence: 1, IsGuessed: 1},
		},
	})
}
