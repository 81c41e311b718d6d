package dpi

import "testing"

func TestLISP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "map-server over TCP",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 4342},
			pkts: []pkt{{hex: "0001000c000000009facade9"}},
			want: Result{Application: "LISP", Category: "Cloud", Confidence: 6},
		},
		{
			name: "data port pair",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 4341, dstPort: 4341},
			pkts: []pkt{{hex: "00112233"}},
			want: Result{Application: "LISP", Category: "Cloud", Confidence: 6},
		},
	})
}
