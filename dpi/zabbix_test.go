package dpi

import "testing"

func TestZabbix(t *testing.T) {
	runCases(t, []flowCase{
		{
			// zabbix.pcap, 192.168.67.98:57162 -> 192.168.67.25:10050 (harness dump).
			name: "agent request",
			fs:   flowSpec{proto: 6, src: "192.168.67.98", dst: "192.168.67.25", srcPort: 57162, dstPort: 10050},
			pkts: []pkt{{hex: "5a425844010a0000000000000070726f632e6e756d5b5d"}},
			want: Result{Application: "Zabbix", Category: "Network", Confidence: 6},
		},
	})
}
