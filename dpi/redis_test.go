package dpi

import "testing"

func TestRedis(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "PING PONG",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 6380},
			pkts: []pkt{{hex: hexOf("*1\r\n$4\r\nPING\r\n")}, {dir: 1, hex: hexOf("+PONG\r\n")}},
			want: Result{Application: "Redis", Category: "Database", Confidence: 6},
		},
		{
			name: "not RESP",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 6380},
			pkts: []pkt{{hex: hexOf("hello\r\n")}, {dir: 1, hex: hexOf("world\r\n")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
