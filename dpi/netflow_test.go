package dpi

import "testing"

func TestNetFlow(t *testing.T) {
	runCases(t, []flowCase{
		{
			// netflow-fritz.pcap, 192.168.0.1:23384 -> 192.168.1.1:2055: IPFIX, cut to its
			// declared length.
			name: "IPFIX",
			fs:   flowSpec{proto: 17, src: "192.168.0.1", dst: "192.168.1.1", srcPort: 23384, dstPort: 2055, timeMs: 1498072707863},
			pkts: []pkt{{hex: "000a0018594ac59d025965c4000401000002007001cd0016"}},
			want: Result{Application: "NetFlow", Category: "Network", Confidence: 6},
		},
		{
			name: "v5 with a wrong count",
			fs:   flowSpec{proto: 17, src: "192.168.0.1", dst: "192.168.1.1", srcPort: 23384, dstPort: 2055},
			pkts: []pkt{{hex: "00050002594ac59d025965c4000401000002007001cd0016"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
