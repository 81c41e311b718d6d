package dpi

import "testing"

func TestBJNP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "discovery",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.255", srcPort: 40000, dstPort: 8611},
			pkts: []pkt{{hex: hexOf("BJNP\u0001\u0001\u0000\u0000")}},
			want: Result{Application: "BJNP", Category: "System", Confidence: 6},
		},
	})
}
