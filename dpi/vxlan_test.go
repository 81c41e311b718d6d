package dpi

import "testing"

func TestVXLAN(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "encapsulated frame",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 4789},
			pkts: []pkt{{hex: "08000000000064000000000000000000000000000000"}},
			want: Result{Application: "VXLAN", Category: "Network", Confidence: 6},
		},
	})
}
