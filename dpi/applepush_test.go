package dpi

import "testing"

func TestApplePush(t *testing.T) {
	runCases(t, []flowCase{
		{
			// As whatsapp_login_call.pcap's 192.168.2.4:49193 -> 17.110.229.14:5223, whose
			// capture starts mid-connection (here with a SYN so the flow is looked at).
			name: "push server",
			fs:   flowSpec{proto: 6, src: "192.168.2.4", dst: "17.110.229.14", srcPort: 49193, dstPort: 5223},
			pkts: []pkt{{flags: FlagSYN}, {hex: "170303001c0011223344556677"}},
			want: Result{Application: "ApplePush", Category: "Cloud", Confidence: 6},
		},
		{
			name: "IPv6 push block",
			fs:   flowSpec{proto: 6, src: "2001:db8::1", dst: "2620:149:a44::10", srcPort: 49193, dstPort: 2197},
			pkts: []pkt{{flags: FlagSYN}, {hex: "0011223344"}},
			want: Result{Application: "ApplePush", Category: "Cloud", Confidence: 6},
		},
	})
}
