package dpi

import "testing"

func TestEAQ(t *testing.T) {
	runCases(t, []flowCase{
		{
			// EAQ.pcap, 10.8.0.1:52257 -> 200.185.138.146:6000 (harness dump).
			name: "four probes",
			fs:   flowSpec{proto: 17, src: "10.8.0.1", dst: "200.185.138.146", srcPort: 52257, dstPort: 6000},
			pkts: []pkt{
				{hex: "0000000000000dda00014b0700009000"},
				{dir: 1, hex: "0000000000000dda00014b0700006000"},
				{hex: "0000000100000ddb00014c9400009000"},
				{dir: 1, hex: "0000000100000ddb00014c9400006000"},
			},
			want: Result{Application: "EAQ", Category: "Network", Confidence: 6},
		},
		{
			name: "sequence jumps",
			fs:   flowSpec{proto: 17, src: "10.8.0.1", dst: "200.185.138.146", srcPort: 52257, dstPort: 6000},
			pkts: []pkt{
				{hex: "0000000000000dda00014b0700009000"},
				{hex: "0000000500000ddb00014c9400006000"},
			},
			want: Result{Application: "EAQ", Category: "Network", Confidence: 1, IsGuessed: 1},
		},
	})
}
