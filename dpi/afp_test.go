package dpi

import "testing"

func TestAFP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "DSI OpenSession",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 548},
			pkts: []pkt{{hex: "00040001000000000000000600000000010400000000"}},
			want: Result{Application: "AFP", Category: "DataTransfer", Confidence: 6},
		},
	})
}
