package dpi

import "testing"

func TestRSYNC(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "daemon greeting",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 873, dstPort: 40000},
			pkts: []pkt{{hex: hexOf("@RSYNCD: 31\n")}},
			want: Result{Application: "RSYNC", Category: "DataTransfer", Confidence: 6},
		},
	})
}
