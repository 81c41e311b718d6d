package dpi

import (
	_ "embed"
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Address rules (data/ipranges.txt): IPv4 prefixes of services, matched by
// longest prefix. nDPI uses this guess only for IPv4.

//go:embed data/ipranges.txt
var ipRangesTxt string

// ipTable holds the prefixes flattened into sorted, disjoint address
// ranges, each labelled with its longest (innermost) prefix: a lookup is a
// binary search instead of a map probe per prefix length.
type ipTable struct {
	starts []uint32 // range starts, ascending
	ends   []uint32 // inclusive range ends
	protos []ProtoID
}

type ipPrefixRule struct {
	start, end uint32
	bits       int
	proto      ProtoID
}

var ipRules = loadIPRules(ipRangesTxt)

func loadIPRules(txt string) *ipTable {
	var rules []ipPrefixRule
	seen := map[[2]uint32]bool{}
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
		start := v4(p.Masked().Addr())
		key := [2]uint32{start, uint32(p.Bits())}
		if seen[key] { // the first rule for a prefix wins
			continue
		}
		seen[key] = true
		end := start | uint32(uint64(1)<<(32-p.Bits())-1)
		rules = append(rules, ipPrefixRule{start: start, end: end, bits: p.Bits(), proto: protoByName(name)})
	}
	return flattenPrefixes(rules)
}

// flattenPrefixes turns nested prefixes (any two are disjoint or one holds
// the other) into disjoint ranges labelled by the innermost prefix.
func flattenPrefixes(rules []ipPrefixRule) *ipTable {
	sort.Slice(rules, func(i, j int) bool {
		if rules[i].start != rules[j].start {
			return rules[i].start < rules[j].start
		}
		return rules[i].bits < rules[j].bits
	})
	t := &ipTable{}
	emit := func(from, to uint64, proto ProtoID) {
		if from > to {
			return
		}
		t.starts = append(t.starts, uint32(from))
		t.ends = append(t.ends, uint32(to))
		t.protos = append(t.protos, proto)
	}
	var stack []ipPrefixRule
	var cursor uint64
	closeUntil := func(limit uint64) {
		for len(stack) > 0 && uint64(stack[len(stack)-1].end) < limit {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			emit(cursor, uint64(top.end), top.proto)
			cursor = uint64(top.end) + 1
		}
	}
	for _, r := range rules {
		closeUntil(uint64(r.start))
		if len(stack) > 0 {
			emit(cursor, uint64(r.start)-1, stack[len(stack)-1].proto)
		}
		cursor = uint64(r.start)
		stack = append(stack, r)
	}
	closeUntil(1 << 33)
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
	t := ipRules
	i := sort.Search(len(t.starts), func(i int) bool { return t.starts[i] > x }) - 1
	if i >= 0 && x <= t.ends[i] {
		return t.protos[i]
	}
	return ProtoUnknown
}
