package dpi

import "testing"

func TestMegaco(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "short form",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 2945},
			pkts: []pkt{{hex: hexOf("!/1 [10.0.0.1]:2944 T=1{}")}},
			want: Result{Application: "Megaco", Category: "VoIP", Confidence: 6},
		},
	})
}
