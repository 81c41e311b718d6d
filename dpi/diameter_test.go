package dpi

import "testing"

func TestDiameter(t *testing.T) {
	runCases(t, []flowCase{
		{
			// diameter.pcap, 10.201.9.245:50957 -> 10.201.9.11:3868 (harness dump, cut): CER, code 257.
			name: "capabilities exchange",
			fs:   flowSpec{proto: 6, src: "10.201.9.245", dst: "10.201.9.11", srcPort: 50957, dstPort: 3868},
			pkts: []pkt{{hex: "01000158800001010000000402ea493026f0000300000107"}},
			want: Result{Application: "Diameter", Category: "Network", Confidence: 6},
		},
	})
}
