package dpi

import "testing"

func TestHSRP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "version 0 hello",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "224.0.0.2", srcPort: 1985, dstPort: 1985},
			pkts: []pkt{{hex: "0000100364140100636973636f0000000a000001"}},
			want: Result{Application: "HSRP", Category: "Network", Confidence: 6},
		},
	})
}
