package dpi

import "testing"

func TestMySQL(t *testing.T) {
	runCases(t, []flowCase{
		{
			// mysql-8.pcap, 10.42.18.198:3306 -> 192.168.1.105:8738 (harness dump).
			name: "server greeting",
			fs:   flowSpec{proto: 6, src: "10.42.18.198", dst: "192.168.1.105", srcPort: 3306, dstPort: 8738},
			pkts: []pkt{{hex: "530000000a382e352e34342d302b6465623875310026000000315e69742a72224d00fff70802000f801500000000000000000000403a3e6b215e37364a503558006d7973716c5f6e61746976655f70617373776f726400"}},
			want: Result{Application: "MySQL", Category: "Database", Confidence: 6},
		},
	})
}

func TestPostgreSQL(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "SSL request refused",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 5432},
			pkts: []pkt{{hex: "0000000804d2162f"}, {dir: 1, hex: "4e"}},
			want: Result{Application: "PostgreSQL", Category: "Database", Confidence: 6},
		},
		{
			name: "startup and authentication",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 5432},
			pkts: []pkt{{hex: "0000000c0003000075736572"}, {dir: 1, hex: "520000000c00000005a1b2c3d4"}},
			want: Result{Application: "PostgreSQL", Category: "Database", Confidence: 6},
		},
		{
			name: "answer from the same side",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 5433},
			pkts: []pkt{{hex: "0000000804d2162f"}, {hex: "4e"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}

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
