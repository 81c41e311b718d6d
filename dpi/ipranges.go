package dpi

import (
	_ "embed"
	"fmt"
	"net/netip"
	"strings"
)

// Address rules (data/ipranges.txt): IPv4 prefixes of services, matched by
// longest prefix. nDPI uses this guess only for IPv4.

//go:embed data/ipranges.txt
var ipRangesTxt string

type ipTable struct {
	byLen [33]map[uint32]ProtoID
	lens  []int // prefix lengths present, longest first
}

var ipRules = loadIPRules(ipRangesTxt)

func loadIPRules(txt string) *ipTable {
	t := &ipTable{}
	for n, line := range strings.Split(txt, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		pfx, name, ok := strings.Cut(line, "\t")
		if !ok {
			panic(fmt.Sprintf("dpi: data/ipranges.txt:%d: want prefix<TAB>application", n+1))
		}
		p, err := netip.ParsePrefix(pfx)
		if err != nil || !p.Addr().Is4() {
			panic(fmt.Sprintf("dpi: data/ipranges.txt:%d: %q: not an IPv4 prefix", n+1, pfx))
		}
		l := p.Bits()
		if t.byLen[l] == nil {
			t.byLen[l] = map[uint32]ProtoID{}
		}
		key := v4(p.Masked().Addr())
		if _, dup := t.byLen[l][key]; !dup {
			t.byLen[l][key] = protoByName(name)
		}
	}
	for l := 32; l >= 0; l-- {
		if t.byLen[l] != nil {
			t.lens = append(t.lens, l)
		}
	}
	return t
}

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// matchIP returns the application whose prefix holds a (IPv4 only).
func matchIP(a netip.Addr) ProtoID {
	if !a.Is4() && !a.Is4In6() {
		return ProtoUnknown
	}
	x := v4(a.Unmap())
	for _, l := range ipRules.lens {
		mask := ^uint32(0)
		if l < 32 {
			mask = ^(^uint32(0) >> uint(l))
		}
		if l == 0 {
			mask = 0
		}
		if p, ok := ipRules.byLen[l][x&mask]; ok {
			return p
		}
	}
	return ProtoUnknown
}
