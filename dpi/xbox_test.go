package dpi

import "testing"

func TestXbox(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "system link",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "000000000c587600000000000000"}},
			want: Result{Application: "Xbox", Category: "Game", Confidence: 6},
		},
		{
			name: "two packets on 3074",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 3074},
			pkts: []pkt{{hex: "001111111111111111111111111111111111111111111111"}, {dir: 1, hex: "002222222222222222222222222222222222222222222222"}},
			want: Result{Application: "Xbox", Category: "Game", Confidence: 6},
		},
	})
}
