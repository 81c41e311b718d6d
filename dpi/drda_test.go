package dpi

import "testing"

func TestDRDA(t *testing.T) {
	runCases(t, []flowCase{
		{
			// Shaped like drda_db2.pcap's EXCSAT exchange: two chained DSS headers.
			name: "two DSS",
			fs:   flowSpec{proto: 6, src: "192.168.106.1", dst: "192.168.106.128", srcPort: 4847, dstPort: 50000},
			pkts: []pkt{{hex: "000cd0410001000611a20003000cd0010002000611a20003"}},
			want: Result{Application: "DRDA", Category: "Database", Confidence: 6},
		},
		{
			name: "second header broken",
			fs:   flowSpec{proto: 6, src: "192.168.106.1", dst: "192.168.106.128", srcPort: 4847, dstPort: 50000},
			pkts: []pkt{{hex: "000cd0410001000611a20003000cd1010002000611a20003"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
