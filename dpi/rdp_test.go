package dpi

import "testing"

func TestRDP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// rdp.pcap, 172.16.2.185:52494 -> 192.168.2.142:3389 (harness dump).
			name: "X.224 connection request",
			fs:   flowSpec{proto: 6, src: "172.16.2.185", dst: "192.168.2.142", srcPort: 52494, dstPort: 3389},
			pkts: []pkt{{hex: "030000130ee00000000000010008000b000000"}},
			want: Result{Application: "RDP", Category: "RemoteAccess", Confidence: 6},
		},
		{
			name: "UDP repeats",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 3389},
			pkts: []pkt{{hex: "ffffffff0000000000000000"}, {dir: 1, hex: "abcdef00000000000000"}, {hex: "ffffff11111111111111"}, {dir: 1, hex: "abcdef11111111111111"}},
			want: Result{Application: "RDP", Category: "RemoteAccess", Confidence: 6},
		},
	})
}
