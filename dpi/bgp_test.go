package dpi

import "testing"

func TestBGP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// BGP_Cisco_hdlc_slarp.pcap, 100.16.1.2:18324 -> 100.16.1.1:179 (harness dump).
			name: "open",
			fs:   flowSpec{proto: 6, src: "100.16.1.2", dst: "100.16.1.1", srcPort: 18324, dstPort: 179},
			pkts: []pkt{{hex: "ffffffffffffffffffffffffffffffff00390104000100b40b0b0b0b1c02060104000100010202800002020200020246000206410400000001"}},
			want: Result{Application: "BGP", Category: "Network", Confidence: 6},
		},
	})
}
