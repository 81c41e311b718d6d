package dpi

import "testing"

func TestOpenVPN(t *testing.T) {
	runCases(t, []flowCase{
		{
			// 443-opvn.pcap, 192.168.1.84:52973 <-> 192.12.192.103:1194 (harness dump): the
			// server's reset echoes the client's session id d67be45be5c201eb.
			name: "TCP hard resets",
			fs:   flowSpec{proto: 6, src: "192.168.1.84", dst: "192.12.192.103", srcPort: 52973, dstPort: 1194},
			pkts: []pkt{{hex: "002a38d67be45be5c201eb016435fcb1d6f60e1ac88b329546dc3c7abf0b9e000000015e3e7b980000000000"}, {dir: 1, hex: "00364019082e80f9ca5280215a4e44156e16067a54fe8ae743758cd691d0d6000000015e3e7b980100000000d67be45be5c201eb00000000"}},
			want: Result{Application: "OpenVPN", Category: "VPN", Confidence: 6},
		},
		{
			name: "session id mismatch",
			fs:   flowSpec{proto: 6, src: "192.168.1.84", dst: "192.12.192.103", srcPort: 52973, dstPort: 1195},
			pkts: []pkt{{hex: "002a38d67be45be5c201eb016435fcb1d6f60e1ac88b329546dc3c7abf0b9e000000015e3e7b980000000000"}, {dir: 1, hex: "00364019082e80f9ca5280215a4e44156e16067a54fe8ae743758cd691d0d6000000015e3e7b980100000000d67be45be5c201ec00000000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
