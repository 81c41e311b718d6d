package dpi

import "testing"

func TestWebSocket(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "text frame",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 8081},
			pkts: []pkt{{hex: "8105" + hexOf("hello")}},
			want: Result{Application: "WebSocket", Category: "Web", Confidence: 6},
		},
		{
			name: "wrong length",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 8081},
			pkts: []pkt{{hex: "8106" + hexOf("hello")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
