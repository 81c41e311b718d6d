package dpi

import "testing"

func TestCassandra(t *testing.T) {
	runCases(t, []flowCase{
		{
			// cassandra.pcap, 127.0.0.1:46536 -> 127.0.0.1:9042 (harness dump, second packet cut).
			name: "options and startup",
			fs:   flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.0.1", srcPort: 46536, dstPort: 9042},
			pkts: []pkt{{hex: "040000000500000000"}, {dir: 1, hex: "8400000006000000340002000b434f4d5052455353494f4e00020006736e6170707900036c7a34000b43514c5f56455253494f4e00010005332e332e31"}, {hex: "0400000101000000160001000b43514c5f56455253494f4e0005332e332e31"}, {dir: 1, hex: "840000010200000000"}},
			want: Result{Application: "Cassandra", Category: "Database", Confidence: 6},
		},
		{
			name: "too early",
			fs:   flowSpec{proto: 6, src: "127.0.0.1", dst: "127.0.0.1", srcPort: 46536, dstPort: 9043},
			pkts: []pkt{{hex: "040000000500000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
