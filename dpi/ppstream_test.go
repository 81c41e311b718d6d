package dpi

import (
	"strings"
	"testing"
)

func TestPPStream(t *testing.T) {
	fs := flowSpec{proto: 17, src: "192.168.115.8", dst: "218.61.39.103", srcPort: 22793, dstPort: 17788}
	runCases(t, []flowCase{
		{
			// pps.pcap, 192.168.115.8:22793 -> 218.61.39.103:17788 (harness dump; the
			// 108-byte packet, its tail zeroed).
			name: "0x44 b1 71 message",
			fs:   fs,
			pkts: []pkt{{hex: "6c0044b1712250283ac766e7360000010003000000c0a8730809590ad22cab0106" + strings.Repeat("00", 75)}},
			want: Result{Application: "PPStream", Category: "Streaming", Confidence: 6},
		},
		{
			// pps.pcap, 192.168.115.8:22793 -> 218.61.39.87:17788: a 0x55 message (cut to
			// 24 bytes, length field patched to match).
			name: "0x55 message",
			fs:   fs,
			pkts: []pkt{{hex: "180055727100000000c766e7360700000000000000149700"}},
			want: Result{Application: "PPStream", Category: "Streaming", Confidence: 6},
		},
		{
			name: "other port",
			fs:   flowSpec{proto: 17, src: "192.168.115.8", dst: "218.61.39.103", srcPort: 22793, dstPort: 17789},
			pkts: []pkt{{hex: "180055727100000000c766e7360700000000000000149700"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
