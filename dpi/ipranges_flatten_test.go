package dpi

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// longestPrefix is the reference: try every rule, keep the longest match
// (the first rule of equal prefixes).
func longestPrefix(rules []ipPrefixRule, x uint32) ProtoID {
	best, bits := ProtoUnknown, -1
	for _, r := range rules {
		if r.start <= x && x <= r.end && r.bits > bits {
			best, bits = r.proto, r.bits
		}
	}
	return best
}

func TestFlattenPrefixesMatchesLongestPrefix(t *testing.T) {
	var rules []ipPrefixRule
	seen := map[[2]uint32]bool{}
	for _, line := range strings.Split(ipRangesTxt, "\n") {
		pfx, name, ok := strings.Cut(strings.TrimRight(line, "\r"), "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		p := netip.MustParsePrefix(pfx)
		start := v4(p.Masked().Addr())
		if seen[[2]uint32{start, uint32(p.Bits())}] {
			continue
		}
		seen[[2]uint32{start, uint32(p.Bits())}] = true
		end := start | uint32(uint64(1)<<(32-p.Bits())-1)
		rules = append(rules, ipPrefixRule{start: start, end: end, bits: p.Bits(), proto: protoByName(name)})
	}
	if len(rules) < 1000 {
		t.Fatalf("only %d rules", len(rules))
	}
	// Probe every prefix's first, last and neighbouring addresses, plus
	// random ones, against a brute-force longest-prefix match.
	var probes []uint32
	for _, r := range rules {
		probes = append(probes, r.start, r.end, r.start-1, r.end+1, r.start+(r.end-r.start)/2)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		probes = append(probes, rng.Uint32())
	}
	if testing.Short() {
		probes = probes[:2000]
	}
	sub := rules
	for i, x := range probes {
		if i%7 != 0 && i > 4000 { // keep the brute force affordable
			continue
		}
		b := [4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}
		if got, want := matchIP(netip.AddrFrom4(b)), longestPrefix(sub, x); got != want {
			t.Fatalf("%v: got %v, want %v", netip.AddrFrom4(b), got, want)
		}
	}
	// Hand-made nesting: /8 holding a /16 holding a /24, and a sibling.
	tab := flattenPrefixes([]ipPrefixRule{
		{start: 0x0A000000, end: 0x0AFFFFFF, bits: 8, proto: 1},
		{start: 0x0A010000, end: 0x0A01FFFF, bits: 16, proto: 2},
		{start: 0x0A010100, end: 0x0A0101FF, bits: 24, proto: 3},
		{start: 0x0B000000, end: 0x0B0000FF, bits: 24, proto: 4},
	})
	want := []struct {
		s, e uint32
		p    ProtoID
	}{
		{0x0A000000, 0x0A00FFFF, 1}, {0x0A010000, 0x0A0100FF, 2}, {0x0A010100, 0x0A0101FF, 3},
		{0x0A010200, 0x0A01FFFF, 2}, {0x0A020000, 0x0AFFFFFF, 1}, {0x0B000000, 0x0B0000FF, 4},
	}
	if len(tab.starts) != len(want) {
		t.Fatalf("%d ranges, want %d: %x %x", len(tab.starts), len(want), tab.starts, tab.ends)
	}
	for i, w := range want {
		if tab.starts[i] != w.s || tab.ends[i] != w.e || tab.protos[i] != w.p {
			t.Errorf("range %d: %x-%x %v, want %x-%x %v", i, tab.starts[i], tab.ends[i], tab.protos[i], w.s, w.e, w.p)
		}
	}
}

// parseV4Prefix must accept exactly what netip.ParsePrefix accepts as an
// IPv4 prefix, and give its masked start.
func TestParseV4PrefixAgreesWithNetip(t *testing.T) {
	for _, s := range []string{
		"10.1.2.3/8", "0.0.0.0/0", "255.255.255.255/32", "192.168.1.0/24", "1.2.3.4/33",
		"01.2.3.4/8", "1.2.3/8", "1.2.3.4", "1.2.3.4/", "256.1.1.1/8", "1.2.3.4/08",
		"1.2.3.4/8x", "a.b.c.d/8", "", "1..2.3/8", "1.2.3.4/-1", "::1/128", "1.2.3.4.5/8",
	} {
		start, bits, ok := parseV4Prefix(s)
		p, err := netip.ParsePrefix(s)
		wantOK := err == nil && p.Addr().Is4()
		if ok != wantOK {
			t.Errorf("%q: ok %v, netip %v (%v)", s, ok, wantOK, err)
			continue
		}
		if ok && (start != v4(p.Masked().Addr()) || bits != p.Bits()) {
			t.Errorf("%q: %x/%d, netip %v", s, start, bits, p.Masked())
		}
	}
}

func TestLoadIPRulesFirstRuleForAPrefixWins(t *testing.T) {
	tab := loadIPRules("# comment\n10.0.0.0/8\tSoundCloud\r\n10.9.9.9/8\tInstagram\n10.1.0.0/16\tInstagram\n")
	for _, c := range []struct {
		addr string
		want ProtoID
	}{{"10.200.0.1", protoByName("SoundCloud")}, {"10.1.2.3", protoByName("Instagram")}, {"11.0.0.1", ProtoUnknown}} {
		if got := matchIPTable(tab.encode(), v4(netip.MustParseAddr(c.addr))); got != c.want {
			t.Errorf("%s: %v, want %v", c.addr, got, c.want)
		}
	}
}
