package dpi

import "testing"

func TestCorba(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "GIOP request",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: hexOf("GIOP\u0001\u0002\u0001\u0000abcdefghijklmnopqrst")}},
			want: Result{Application: "Corba", Category: "RPC", Confidence: 6},
		},
	})
}
