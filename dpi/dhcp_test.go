package dpi

import (
	"strings"
	"testing"
)

// dhcpDiscover is dhcp.pcap's first packet, 0.0.0.0:68 -> 255.255.255.255:67
// (harness dump; tcpdump -r dhcp.pcap -x -c 1).
var dhcpDiscover = "0101060000003d1d0000000000000000000000000000000000000000000b8201fc42" +
	strings.Repeat("00", 202) +
	"638253633501013d0701000b8201fc4232040000000037040103062aff00000000000000"

func TestDHCP(t *testing.T) {
	withHost := strings.Replace(dhcpDiscover, "ff00000000000000", "0c064b6576696e2dff000000", 1)
	beforeType := strings.Replace(dhcpDiscover, "3501013d07", "37020103350101"+"3d07", 1)
	runCases(t, []flowCase{
		{
			name: "discover",
			fs:   flowSpec{proto: 17, src: "0.0.0.0", dst: "255.255.255.255", srcPort: 68, dstPort: 67},
			pkts: []pkt{{hex: dhcpDiscover}},
			want: Result{Application: "DHCP", Category: "Network", Confidence: 6, ClientFingerprint: "1,3,6,42"},
		},
		{
			name: "host name option",
			fs:   flowSpec{proto: 17, src: "0.0.0.0", dst: "255.255.255.255", srcPort: 68, dstPort: 67},
			pkts: []pkt{{hex: withHost}},
			want: Result{Application: "DHCP", Category: "Network", Confidence: 6, ClientFingerprint: "1,3,6,42", ServerName: "kevin-"},
		},
		{
			// Options before the message type are not read (nDPI's second pass
			// starts at the message type).
			name: "request list before the message type",
			fs:   flowSpec{proto: 17, src: "0.0.0.0", dst: "255.255.255.255", srcPort: 68, dstPort: 67},
			pkts: []pkt{{hex: beforeType}},
			want: Result{Application: "DHCP", Category: "Network", Confidence: 6, ClientFingerprint: "1,3,6,42"},
		},
		{
			name: "no message type",
			fs:   flowSpec{proto: 17, src: "0.0.0.0", dst: "255.255.255.255", srcPort: 68, dstPort: 67},
			pkts: []pkt{{hex: strings.Replace(dhcpDiscover, "350101", "360101", 1)}},
			want: Result{Application: "DHCP", Category: "Network", Confidence: 1, IsGuessed: 1},
		},
	})
}

func TestDHCPFingerprint(t *testing.T) {
	long := make([]byte, 40)
	for i := range long {
		long[i] = byte(100 + i)
	}
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{[]byte{1, 3, 6, 42}, "1,3,6,42"},
		{[]byte{255}, "255"},
		{nil, ""},
		{long, "100,101,102,103,104,105,106,107,108,109,110,111"},
	} {
		if got := dhcpFingerprint(c.in); got != c.want {
			t.Errorf("dhcpFingerprint(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
