package dpi

import "testing"

func TestDHCPv6(t *testing.T) {
	runCases(t, []flowCase{
		{
			// 1kxun.pcap, fe80::406:55a8:6453:25dd:546 -> ff02::1:2:547: a Solicit.
			name: "solicit",
			fs:   flowSpec{proto: 17, src: "fe80::406:55a8:6453:25dd", dst: "ff02::1:2", srcPort: 546, dstPort: 547},
			pkts: []pkt{{hex: "01a1b2c30001000e"}},
			want: Result{Application: "DHCPV6", Category: "Network", Confidence: 6},
		},
		{
			name: "IPv4 is not looked at",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 546, dstPort: 547},
			pkts: []pkt{{hex: "01a1b2c30001000e"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
