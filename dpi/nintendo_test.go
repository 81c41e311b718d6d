package dpi

import "testing"

func TestNintendo(t *testing.T) {
	runCases(t, []flowCase{
		{
			// nintendo.pcap, 192.168.12.114:52119 -> 91.8.243.35:49432 (harness dump).
			name: "game packet",
			fs:   flowSpec{proto: 17, src: "192.168.12.114", dst: "91.8.243.35", srcPort: 52119, dstPort: 49432},
			pkts: []pkt{{hex: "32ab9864025603cb960133e0c648f83493fb68c9e9cdf041450509198b26bd1f937ed8baffd356d26555b5d61f98094ed25399c7cfaaa44dd0f50aeb"}},
			want: Result{Application: "Nintendo", Category: "Game", Confidence: 6},
		},
	})
}
