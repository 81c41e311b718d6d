package dpi

import "testing"

func TestS7comm(t *testing.T) {
	runCases(t, []flowCase{
		{
			// s7comm.pcap, 192.168.1.10:4185 -> 192.168.1.40:102: a COTP connection request.
			name: "COTP over TPKT",
			fs:   flowSpec{proto: 6, src: "192.168.1.10", dst: "192.168.1.40", srcPort: 4185, dstPort: 102},
			pkts: []pkt{{hex: "0300001611e00000000100c0010ac1020100c2020102"}},
			want: Result{Application: "s7comm", Category: "Network", Confidence: 6},
		},
	})
}
