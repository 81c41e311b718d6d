package dpi

import "testing"

func TestSyncthing(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "local announcement",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "255.255.255.255", srcPort: 21027, dstPort: 21027},
			pkts: []pkt{{hex: "2ea7d90b0a200000000000000000000000000000000000000000000000000000000000000000"}},
			want: Result{Application: "Syncthing", Category: "Download", Confidence: 6},
		},
	})
}
