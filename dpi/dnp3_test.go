package dpi

import "testing"

func TestDNP3(t *testing.T) {
	runCases(t, []flowCase{
		{
			// dnp3.pcap, 10.0.0.3:20000 -> 10.0.0.8:2789 (harness dump).
			name: "link frame",
			fs:   flowSpec{proto: 6, src: "10.0.0.3", dst: "10.0.0.8", srcPort: 20000, dstPort: 2789},
			pkts: []pkt{{hex: "05640a44030004007caee6f78210004fbd"}},
			want: Result{Application: "DNP3", Category: "IoT-Scada", Confidence: 6},
		},
	})
}
