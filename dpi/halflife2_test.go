package dpi

import "testing"

func TestHalfLife2(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "query and answer",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 27016},
			pkts: []pkt{{hex: "ffffffff54536f7572636520456e67696e652051756572790030303000"}, {dir: 1, hex: "ffffffff54536f7572636520456e67696e652051756572790030303000"}},
			want: Result{Application: "HalfLife2", Category: "Game", Confidence: 6},
		},
	})
}
