package dpi

import "testing"

func TestTuyaLP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "discovery frame",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "255.255.255.255", srcPort: 40000, dstPort: 6668},
			pkts: []pkt{{hex: "000055aa000000100000000a0000000000000000000000000000aa55"}},
			want: Result{Application: "TuyaLP", Category: "IoT-Scada", Confidence: 6},
		},
	})
}
