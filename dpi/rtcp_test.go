package dpi

import "testing"

func TestRTCP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "receiver report",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 16385, dstPort: 16387},
			pkts: []pkt{{hex: "81c90007deadbeef010203040000000000000000000000000000000000000000"}},
			want: Result{Application: "RTCP", Category: "VoIP", Confidence: 6},
		},
	})
}
