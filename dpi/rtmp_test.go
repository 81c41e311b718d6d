package dpi

import "testing"

func TestRTMP(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "handshake",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1936},
			pkts: []pkt{{hex: "0300000000000000"}, {dir: 1, hex: "0300000000000000"}},
			want: Result{Application: "RTMP", Category: "Media", Confidence: 6},
		},
		{
			name: "no answer",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 1936},
			pkts: []pkt{{hex: "0300000000000000"}, {hex: "0300000000000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
