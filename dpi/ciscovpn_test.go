package dpi

import "testing"

func TestCiscoVPN(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "query",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 10000, dstPort: 10000},
			pkts: []pkt{{hex: "fe577e2b00000000"}},
			want: Result{Application: "CiscoVPN", Category: "VPN", Confidence: 6},
		},
	})
}
