package bpf

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Frames for the tests below, built from hex so that each byte is visible.
var (
	// IPv4 TCP 10.0.0.1:1234 -> 10.0.0.2:80, 20-byte header, 20-byte TCP header.
	ipv4TCP = mustHex("45000028 0001 0000 4006 0000 0a000001 0a000002" +
		"04d2 0050 00000000 00000000 5002 2000 0000 0000")
	// The same datagram as a later fragment (offset 185*8).
	ipv4TCPFragment = mustHex("45000028 0001 00b9 4006 0000 0a000001 0a000002" +
		"04d2 0050 00000000 00000000 5002 2000 0000 0000")
	// IPv6 UDP 2001:db8::1:53 -> 2001:db8::2:5353.
	ipv6UDP = mustHex("60000000 0008 1140 20010db8000000000000000000000001 20010db8000000000000000000000002" +
		"0035 14e9 0008 0000")
	// IPv6 with a fragment header in front of UDP.
	ipv6FragmentUDP = mustHex("60000000 0010 2c40 20010db8000000000000000000000001 20010db8000000000000000000000002" +
		"11000001 00000001 0035 14e9 0008 0000")
	// ARP request: who has 10.0.0.2, tell 10.0.0.1.
	arpRequest = mustHex("0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func ethernet(etherType uint16, payload []byte, vlanIDs ...uint16) []byte {
	fr, _ := encapsulate(linkTypeEthernet, syntheticPacket{etherType: etherType, payload: payload}, vlanIDs...)
	return fr
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name     string
		filter   string
		linkType uint32
		frame    []byte
		want     bool
	}{
		{"tcp", "tcp", 1, ethernet(etherTypeIPv4, ipv4TCP), true},
		{"port 80", "port 80", 1, ethernet(etherTypeIPv4, ipv4TCP), true},
		{"src port 80 is the destination", "src port 80", 1, ethernet(etherTypeIPv4, ipv4TCP), false},
		{"udp port 80 on tcp", "udp port 80", 1, ethernet(etherTypeIPv4, ipv4TCP), false},
		{"portrange", "tcp portrange 1-100", 1, ethernet(etherTypeIPv4, ipv4TCP), true},
		{"host pair", "src host 10.0.0.1 and dst host 10.0.0.2", 1, ethernet(etherTypeIPv4, ipv4TCP), true},
		{"net", "net 10.0.0.0/24", 1, ethernet(etherTypeIPv4, ipv4TCP), true},
		{"and/or group from the left", "udp or tcp and port 443", 1, ethernet(etherTypeIPv4, ipv4TCP), false},
		{"later fragment is tcp", "tcp", 1, ethernet(etherTypeIPv4, ipv4TCPFragment), true},
		{"later fragment has no ports", "port 80", 1, ethernet(etherTypeIPv4, ipv4TCPFragment), false},
		{"ip6 udp", "ip6 and udp port 53", 1, ethernet(etherTypeIPv6, ipv6UDP), true},
		{"ip6 host", "host 2001:db8::2", 1, ethernet(etherTypeIPv6, ipv6UDP), true},
		{"ip6 net", "src net 2001:db8::/32", 1, ethernet(etherTypeIPv6, ipv6UDP), true},
		{"udp behind an ip6 fragment header", "udp", 1, ethernet(etherTypeIPv6, ipv6FragmentUDP), true},
		{"no ports behind an ip6 fragment header", "port 53", 1, ethernet(etherTypeIPv6, ipv6FragmentUDP), false},
		{"arp host", "host 10.0.0.2", 1, ethernet(etherTypeARP, arpRequest), true},
		{"ip host is not arp", "ip host 10.0.0.2", 1, ethernet(etherTypeARP, arpRequest), false},
		{"tagged frame is not ip", "ip", 1, ethernet(etherTypeIPv4, ipv4TCP, 7), false},
		{"vlan moves the offsets", "vlan and tcp port 80", 1, ethernet(etherTypeIPv4, ipv4TCP, 7), true},
		{"vlan ID", "vlan 7", 1, ethernet(etherTypeIPv4, ipv4TCP, 7), true},
		{"other vlan ID", "vlan 8", 1, ethernet(etherTypeIPv4, ipv4TCP, 7), false},
		{"vlan moves offsets even under or", "vlan or host 10.0.0.1", 1, ethernet(etherTypeIPv4, ipv4TCP), false},
		{"not vlan and ip reads inside the tag", "not vlan and ip", 1, ethernet(etherTypeIPv4, ipv4TCP), false},
		{"two tags", "vlan 7 and vlan 8 and host 10.0.0.1", 1, ethernet(etherTypeIPv4, ipv4TCP, 7, 8), true},
		{"vlan is Ethernet only", "vlan or ip", 113, append(mustHex("0000000100060102030405060000 0800"), ipv4TCP...), false},
		{"sll", "tcp port 80", 113, append(mustHex("0000000100060102030405060000 0800"), ipv4TCP...), true},
		{"sll2", "tcp port 80", 276, append(mustHex("0800 0000 00000002 0001 06 06 010203040506 0000"), ipv4TCP...), true},
		{"null little-endian", "tcp port 80", 0, append(mustHex("02000000"), ipv4TCP...), true},
		// Our choice: either byte order (libpcap takes the capture file's).
		{"null big-endian", "tcp port 80", 0, append(mustHex("00000002"), ipv4TCP...), true},
		{"null ip6 (FreeBSD)", "ip6", 0, append(mustHex("1c000000"), ipv6UDP...), true},
		{"loop is big-endian only", "ip", 108, append(mustHex("02000000"), ipv4TCP...), false},
		{"raw ip", "host 10.0.0.2", 101, ipv4TCP, true},
		{"raw ip6", "ip6", 12, ipv6UDP, true},
		{"raw 14", "tcp", 14, ipv4TCP, true}, // OpenBSD's DLT_RAW; Linux libpcap reads 14 as BSD/OS PPP
		{"raw ipv4 linktype", "ip", 228, nil, true},
		{"raw ipv6 linktype", "ip", 229, ipv6UDP, false},
		{"ppp", "tcp port 80", 9, append(mustHex("ff030021"), ipv4TCP...), true},
		{"ppp hdlc ip6", "ip6", 50, append(mustHex("ff030057"), ipv6UDP...), true},
		{"cisco hdlc", "tcp port 80", 104, append(mustHex("0f000800"), ipv4TCP...), true},
		{"unknown link type", "ip or not ip", 147, ipv4TCP, false},
		{"empty filter", "", 147, nil, true},
		// A load past the end rejects the frame, even under "not".
		{"truncated under not", "not port 443", 1, ethernet(etherTypeIPv4, ipv4TCP[:21]), false},
		{"short ethernet header", "not ip", 1, mustHex("0001020304050607080910111213"[:26]), false},
		// libpcap's optimizer drops port loads that cannot change the verdict.
		{"truncated but decided", "portrange 0-1024 or ip", 1, ethernet(etherTypeIPv4, ipv4TCP[:21]), true},
	}
	for _, tt := range tests {
		f, err := Compile(tt.filter)
		if err != nil {
			t.Fatalf("%s: Compile(%q): %v", tt.name, tt.filter, err)
		}
		if got := f.Match(tt.linkType, tt.frame, uint32(len(tt.frame))); got != tt.want {
			t.Errorf("%s: Compile(%q).Match(%d, % x) = %v, want %v", tt.name, tt.filter, tt.linkType, tt.frame, got, tt.want)
		}
	}
}

func TestNilFilterMatchesEverything(t *testing.T) {
	var f *Filter
	if !f.Match(1, nil, 0) || f.String() != "" {
		t.Error("a nil *Filter must accept every frame and print as empty")
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	f, err := Compile("vlan and (tcp port 80 or udp portrange 5000-6000) and not host 10.0.0.9 or ip6 net 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	frames := [][]byte{ethernet(etherTypeIPv4, ipv4TCP, 7), ethernet(etherTypeIPv6, ipv6UDP), ethernet(etherTypeARP, arpRequest)}
	allocs := testing.AllocsPerRun(100, func() {
		for _, fr := range frames {
			f.Match(1, fr, uint32(len(fr)))
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per run, want 0", allocs)
	}
}

func BenchmarkMatch(b *testing.B) {
	for _, bc := range []struct{ name, filter string }{
		{"tcp_port", "tcp port 80"},
		{"host_or_net", "host 10.0.0.9 or net 192.168.0.0/16 or ip6 net 2001:db8::/32"},
		{"complex", "(tcp or udp) and not (port 53 or port 443) and not src net 10"},
	} {
		f, err := Compile(bc.filter)
		if err != nil {
			b.Fatal(err)
		}
		frame := ethernet(etherTypeIPv4, ipv4TCP)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Match(1, frame, uint32(len(frame)))
			}
		})
	}
}
