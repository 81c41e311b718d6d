package dpi

import "testing"

func TestNestLogSink(t *testing.T) {
	runCases(t, []flowCase{
		{
			// Record headers as in nest_log_sink.pcap (port 11095).
			name: "three records",
			fs:   flowSpec{proto: 6, src: "192.168.242.15", dst: "35.174.82.237", srcPort: 63340, dstPort: 11095},
			pkts: []pkt{{hex: "0001001300000010"}, {dir: 1, hex: "0002101300000004"}, {hex: "0001001300000020"}},
			want: Result{Application: "NestLogSink", Category: "Cloud", Confidence: 6},
		},
		{
			name: "two records are not enough",
			fs:   flowSpec{proto: 6, src: "192.168.242.15", dst: "35.174.82.237", srcPort: 63340, dstPort: 11095},
			pkts: []pkt{{hex: "0001001300000010"}, {dir: 1, hex: "0002101300000004"}},
			want: Result{Application: "NestLogSink", Category: "Cloud", Confidence: 1, IsGuessed: 1},
		},
	})
}
