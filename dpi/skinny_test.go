package dpi

import "testing"

func TestSkinny(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "keepalive",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 2000},
			pkts: []pkt{{hex: "040000000000000000000000"}},
			want: Result{Application: "CiscoSkinny", Category: "VoIP", Confidence: 6},
		},
	})
}
