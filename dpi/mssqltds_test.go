package dpi

import "testing"

func TestMsSQLTDS(t *testing.T) {
	runCases(t, []flowCase{
		{
			// mssql_tds.pcap, 10.0.0.1:1433 -> 10.111.111.111:1111 (harness dump): a 34-byte reply.
			name: "SQL batch",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.111.111.111", srcPort: 1433, dstPort: 1111},
			pkts: []pkt{{hex: "0401002200350100fd0100f9000000000000000000fd0000ba000000000000000000"}},
			want: Result{Application: "MsSQL-TDS", Category: "Database", Confidence: 6},
		},
		{
			name: "length mismatch",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.111.111.111", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "0401002300350100fd0100f9000000000000000000fd0000ba000000000000000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
