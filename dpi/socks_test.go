package dpi

import "testing"

func TestSOCKS(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "SOCKS4 connect",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1081},
			pkts: []pkt{{hex: "04010050c0a801017573657200"}, {dir: 1, hex: "005a000000000000"}},
			want: Result{Application: "SOCKS", Category: "Web", Confidence: 6},
		},
		{
			name: "SOCKS5 greeting",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1081},
			pkts: []pkt{{hex: "050100"}, {dir: 1, hex: "0500"}},
			want: Result{Application: "SOCKS", Category: "Web", Confidence: 6},
		},
		{
			name: "reply from the same side",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1081},
			pkts: []pkt{{hex: "050100"}, {hex: "0500"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
