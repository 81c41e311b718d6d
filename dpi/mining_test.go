package dpi

import "testing"

func TestMining(t *testing.T) {
	runCases(t, []flowCase{
		{
			// bitcoin.pcap, 192.168.1.142:55317 -> 188.165.213.169:8333 (harness dump, cut).
			name: "Bitcoin version",
			fs:   flowSpec{proto: 6, src: "192.168.1.142", dst: "188.165.213.169", srcPort: 55317, dstPort: 8333},
			pkts: []pkt{{hex: "f9beb4d976657273696f6e000000000055000000017d0000"}},
			want: Result{Application: "Mining", Category: "Mining", Confidence: 6},
		},
		{
			// monero.pcap, 192.168.2.148:46838 -> 94.23.199.191:3333.
			name: "stratum subscribe",
			fs:   flowSpec{proto: 6, src: "192.168.2.148", dst: "94.23.199.191", srcPort: 46838, dstPort: 3333},
			pkts: []pkt{{hex: "7b226964223a312c226d6574686f64223a226d696e696e672e737562736372696265222c22706172616d73223a5b224557424620302e332e3462222c6e756c6c2c226575312d7a636173682e666c79706f6f6c2e6f7267222c2233333333225d7d0a"}},
			want: Result{Application: "Mining", Category: "Mining", Confidence: 6},
		},
		{
			name: "other JSON",
			fs:   flowSpec{proto: 6, src: "192.168.2.148", dst: "94.23.199.191", srcPort: 46838, dstPort: 3333},
			pkts: []pkt{{hex: hexOf("{\"id\":1,\"result\":true}")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
