package dpi

import "testing"

func TestRadius(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "access request",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1812},
			pkts: []pkt{{hex: "0107001400000000000000000000000000000000"}},
			want: Result{Application: "Radius", Category: "Network", Confidence: 6},
		},
		{
			name: "wrong length",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1812},
			pkts: []pkt{{hex: "010700140000000000000000000000000000000000"}},
			want: Result{Application: "Radius", Category: "Network", Confidence: 1, IsGuessed: 1},
		},
	})
}
