package dpi

import "testing"

func TestCPHA(t *testing.T) {
	runCases(t, []flowCase{
		{
			// cpha.pcap, 0.0.0.0:8116 -> 172.21.3.0:8116 (harness dump, cut).
			name: "cluster sync",
			fs:   flowSpec{proto: 17, src: "0.0.0.0", dst: "172.21.3.0", srcPort: 8116, dstPort: 8116},
			pkts: []pkt{{hex: "1a900c31278500010016793e0001fffee04a010000020001"}},
			want: Result{Application: "CPHA", Category: "Network", Confidence: 6},
		},
	})
}
