package bpf

import (
	"errors"
	"testing"
)

// FuzzCompile feeds arbitrary expressions to Compile. It must not panic;
// an accepted expression must normalise to text that compiles to the same
// normal form, and its filter must give on a few frames the verdicts of
// its unoptimized program and of its normal form.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		"", "tcp", "host 10.0.0.1 or 10.0.0.2", "tcp port 80 or 443", "src and dst net 10.0.0.0/8",
		"net 10.0.0.0 mask 255.0.0.0", "ip6 net 2001:db8::/32", `ip proto \tcp`, "vlan 10 and vlan and udp",
		"not (tcp or udp) && !arp || icmp6", "portrange 90-80", "host 10.0.0.1 and (tcp) or 10.0.0.2",
		"ether host 1.2.3.4", "tcp[13] & 2 != 0", "((((", "host not (1.2.3.4 or ::1)", "net 10.1", "port 010",
		// libpcap's arithmetic checks and folds (arith.go, binary).
		"ip[1] / ether[0] > 0", "ip[1] << (1 + ip[40]) > 0", "ip[200:4] * 0 = 0", "0 / icmp[200:4] = 0",
		"(ip[200:4] * 0) + 1 = 1", "ip[1] > -40 >> 1", "tcp[tcp-ack:1] = 1", "port 80 or 10 / 2 > 1",
	} {
		f.Add(seed)
	}
	frames := []struct {
		linkType uint32
		data     []byte
	}{
		{1, ethernet(etherTypeIPv4, ipv4TCP)},
		{1, ethernet(etherTypeIPv6, ipv6FragmentUDP, 3)},
		{113, append(mustHex("0000000100060102030405060000 0806"), arpRequest...)},
		{0, append(mustHex("1e000000"), ipv6UDP...)},
		{101, ipv4TCPFragment[:9]},
	}
	f.Fuzz(func(t *testing.T, expr string) {
		filter, err := Compile(expr)
		if err != nil {
			return
		}
		normal := filter.String()
		again, err := Compile(normal)
		if err != nil {
			t.Fatalf("Compile(%q) normalised to %q, which does not compile: %v", expr, normal, err)
		}
		if again.String() != normal {
			t.Fatalf("Compile(%q) normalised to %q, then to %q", expr, normal, again.String())
		}
		pair, _ := compilePair(t, expr)
		for _, fr := range frames {
			pair.check(t, fr.linkType, fr.data)
			want := filter.Match(fr.linkType, fr.data, uint32(len(fr.data)))
			if want != again.Match(fr.linkType, fr.data, uint32(len(fr.data))) {
				t.Fatalf("Compile(%q) and its normal form %q disagree on % x", expr, normal, fr.data)
			}
			// The kernel program, where there is one, must agree too:
			// live capture attaches it instead of running Match.
			vm, _, err := kernelVM(filter, fr.linkType)
			if errors.Is(err, ErrNotKernel) {
				continue
			}
			if err != nil {
				t.Fatalf("Compile(%q).Kernel(%d): %v", expr, fr.linkType, err)
			}
			n, err := vm.Run(fr.data)
			if err != nil {
				t.Fatalf("Compile(%q): kernel program: %v", expr, err)
			}
			if (n > 0) != want {
				t.Fatalf("Compile(%q) on % x (link type %d): kernel %v, Match %v", expr, fr.data, fr.linkType, n > 0, want)
			}
		}
	})
}

// FuzzMatch runs fixed filters on arbitrary frames of every supported link
// type. It must not panic, and optimizing must not change a verdict on a
// frame that holds every field the unoptimized program reads.
func FuzzMatch(f *testing.F) {
	filters := []filterPair{}
	for _, expr := range []string{
		"tcp port 80 or udp portrange 5000-6000", "host 10.0.0.1 or net 2001:db8::/32 or arp",
		"vlan and vlan 20 and not ip6 proto 44", "not (icmp or icmp6) and src and dst port 53",
		"ip proto 132 or sctp port 9 or portrange 0-1024 or ip6",
	} {
		pair, ok := compilePair(f, expr)
		if !ok {
			f.Fatalf("%q does not compile", expr)
		}
		filters = append(filters, pair)
	}
	f.Add(uint32(1), ethernet(etherTypeIPv4, ipv4TCP))
	f.Add(uint32(1), ethernet(etherTypeIPv6, ipv6FragmentUDP, 20, 20))
	f.Add(uint32(0), append(mustHex("02000000"), ipv4TCP...))
	f.Add(uint32(276), []byte{0x08})
	f.Add(uint32(229), ipv6UDP[:41])
	f.Fuzz(func(t *testing.T, linkType uint32, data []byte) {
		for _, pair := range filters {
			pair.check(t, linkType, data)
			pair.check(t, linkType%300, data)
		}
	})
}
