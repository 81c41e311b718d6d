package dpi

import "testing"

func TestEthernetIP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "register session",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 44818},
			pkts: []pkt{{hex: "65000400000000000000000000000000000000000000000001000000"}},
			want: Result{Application: "EthernetIP", Category: "Network", Confidence: 6},
		},
	})
}
