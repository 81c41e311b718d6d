package dpi

import "testing"

func TestRTSP(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 8554}
	runCases(t, []flowCase{
		{
			name: "OPTIONS request",
			fs:   fs,
			pkts: []pkt{{hex: hexOf("OPTIONS rtsp://10.0.0.2:8554/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n")}},
			want: Result{Application: "RTSP", Category: "Media", Confidence: 6},
		},
		{
			// A first line split before its end: the other side's status line decides.
			name: "status line from the other side",
			fs:   fs,
			pkts: []pkt{{hex: hexOf("DESCRIBE rtsp://10.0.0.2:8554/stream ")}, {dir: 1, hex: hexOf("RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n")}},
			want: Result{Application: "RTSP", Category: "Media", Confidence: 6},
		},
	})
}
