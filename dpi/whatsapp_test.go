package dpi

import "testing"

func TestWhatsApp(t *testing.T) {
	runCases(t, []flowCase{
		{
			// whatsapp_login_call.pcap, 192.168.2.4:49202 -> 184.173.179.37:5222 (harness dump, cut).
			name: "WA header",
			fs:   flowSpec{proto: 6, src: "192.168.2.4", dst: "184.173.179.37", srcPort: 49202, dstPort: 5222},
			pkts: []pkt{{hex: "5741010500001af80501a59189fc126950686f6e65"}},
			want: Result{Application: "WhatsApp", Category: "Chat", Confidence: 6},
		},
		{
			name: "Noise header split",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "157.240.1.53", srcPort: 40000, dstPort: 443},
			pkts: []pkt{{hex: "45440001"}, {hex: "00000408"}},
			want: Result{Application: "WhatsApp", Category: "Chat", Confidence: 6},
		},
		{
			name: "Noise header mismatch",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 41000},
			pkts: []pkt{{hex: "45440001"}, {hex: "00000409"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
