package dpi

import "testing"

func TestFIX(t *testing.T) {
	runCases(t, []flowCase{
		{
			// fix.pcap, 8.17.22.31:4000 -> 192.168.0.20:43594 (harness dump).
			name: "binary-framed",
			fs:   flowSpec{proto: 6, src: "8.17.22.31", dst: "192.168.0.20", srcPort: 4000, dstPort: 43594},
			pkts: []pkt{{hex: "383d4f01393d303031340133353d500100380000148c510683"}},
			want: Result{Application: "FIX", Category: "RPC", Confidence: 6},
		},
		{
			name: "tag-value",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: hexOf("8=FIX.4.2\u00019=65\u0001")}},
			want: Result{Application: "FIX", Category: "RPC", Confidence: 6},
		},
	})
}
