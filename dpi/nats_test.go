package dpi

import "testing"

func TestNats(t *testing.T) {
	runCases(t, []flowCase{
		{
			// nats.pcap, 127.0.0.1:4222 -> 127.0.0.1:54820 (harness dump).
			name: "PONG",
			fs:   flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.0.1", srcPort: 4222, dstPort: 54820},
			pkts: []pkt{{hex: "504f4e470d0a"}},
			want: Result{Application: "Nats", Category: "RPC", Confidence: 6},
		},
		{
			name: "no CRLF",
			fs:   flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.0.1", srcPort: 4222, dstPort: 54820},
			pkts: []pkt{{hex: hexOf("PING PING")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
