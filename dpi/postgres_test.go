package dpi

import "testing"

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
