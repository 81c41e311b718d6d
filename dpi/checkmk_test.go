package dpi

import "testing"

func TestCHECKMK(t *testing.T) {
	runCases(t, []flowCase{
		{
			// check_mk_new.pcap, 192.168.100.50:6556 -> 192.168.100.22:58998 (harness dump).
			name: "agent banner",
			fs:   flowSpec{proto: 6, src: "192.168.100.50", dst: "192.168.100.22", srcPort: 6556, dstPort: 58998},
			pkts: []pkt{{hex: "3c3c3c636865636b5f6d6b3e3e3e0a"}},
			want: Result{Application: "CHECKMK", Category: "DataTransfer", Confidence: 6},
		},
	})
}
