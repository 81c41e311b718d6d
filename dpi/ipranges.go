package dpi

import (
	_ "embed"
	"encoding/binary"
	"net/netip"
)

// Address rules (data/ipranges.txt): IPv4 prefixes of services, matched by
// longest prefix. nDPI uses this guess only for IPv4.

//go:generate go test -run ^TestIPRangesTable$ -update-ipranges .

// ipRangesBin is data/ipranges.txt already parsed and flattened into sorted,
// disjoint address ranges, each labelled with its longest (innermost)
// prefix: n range starts, then n inclusive ends (uint32), then n protocol
// ids (uint16), all little-endian. A run searches it in place; parsing and
// sorting the 59,000 lines at the first lookup was about 80M instructions,
// most of the start-up of a DPI run. TestIPRangesTable rebuilds it from the
// text and fails when the two differ (go generate rewrites it).
//
//go:embed data/ipranges.bin
var ipRangesBin []byte

const ipRangeSize = 4 + 4 + 2

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// matchIP returns the application whose prefix holds a (IPv4 only).
func matchIP(a netip.Addr) ProtoID {
	if !a.Is4() && !a.Is4In6() {
		return ProtoUnknown
	}
	return matchIPTable(ipRangesBin, v4(a.Unmap()))
}

func matchIPTable(bin []byte, x uint32) ProtoID {
	n := len(bin) / ipRangeSize
	starts, ends, protos := bin[:4*n], bin[4*n:8*n], bin[8*n:10*n]
	// The last range starting at or before x is the only one that can hold it.
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if binary.LittleEndian.Uint32(starts[4*m:]) <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if i := lo - 1; i >= 0 && x <= binary.LittleEndian.Uint32(ends[4*i:]) {
		return ProtoID(binary.LittleEndian.Uint16(protos[2*i:]))
	}
	return ProtoUnknown
}
