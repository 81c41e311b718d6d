package dpi

import "testing"

func TestRTP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// RTP v2, payload type 0 (G.711), as in any SIP call capture.
			name: "audio",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 16384, dstPort: 16386},
			pkts: []pkt{{hex: "80000001000000a0deadbeef0102030405060708"}},
			want: Result{Application: "RTP", Category: "Media", Confidence: 6},
		},
		{
			// Payload type 72 with the marker bit (0xc8) is an RTCP sender report.
			name: "RTCP payload types are left to RTCP",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 50010},
			pkts: []pkt{{hex: "80c80007deadbeef0102030405060708090a0b0c0d0e0f101112131415161718"}},
			want: Result{Application: "RTCP", Category: "VoIP", Confidence: 6},
		},
		{
			name: "Zoom encapsulation",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 8801},
			pkts: []pkt{{hex: "05000100000000000f00000000000000000001000000000000000000000000"}},
			want: Result{Application: "RTP.Zoom", Category: "Video", Confidence: 6},
		},
		{
			name: "low destination port",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 16384, dstPort: 1000},
			pkts: []pkt{{hex: "80000001000000a0deadbeef0102030405060708"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
