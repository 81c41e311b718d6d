package dpi

import (
	"cmp"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	_ "embed"
)

// The parser of data/ipranges.txt runs only here: TestIPRangesTable turns
// the text into data/ipranges.bin (with -update-ipranges, which go generate
// passes) or checks that the committed table is what the text gives.

//go:embed data/ipranges.txt
var ipRangesTxt string

var updateIPRanges = flag.Bool("update-ipranges", false, "rewrite data/ipranges.bin from data/ipranges.txt")

// ipTable is the flattened form of the rules: sorted, disjoint ranges, each
// labelled with its innermost prefix.
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

// encode lays the table out as ipRangesBin expects.
func (t *ipTable) encode() []byte {
	b := make([]byte, 0, len(t.starts)*ipRangeSize)
	for _, s := range t.starts {
		b = binary.LittleEndian.AppendUint32(b, s)
	}
	for _, e := range t.ends {
		b = binary.LittleEndian.AppendUint32(b, e)
	}
	for _, p := range t.protos {
		b = binary.LittleEndian.AppendUint16(b, uint16(p))
	}
	return b
}

func TestIPRangesTable(t *testing.T) {
	want := loadIPRules(ipRangesTxt).encode()
	if *updateIPRanges {
		if err := os.WriteFile("data/ipranges.bin", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if len(ipRangesBin)%ipRangeSize != 0 || len(ipRangesBin) != len(want) {
		t.Fatalf("data/ipranges.bin has %d bytes, data/ipranges.txt gives %d: run go generate ./dpi", len(ipRangesBin), len(want))
	}
	for i := range want {
		if ipRangesBin[i] != want[i] {
			t.Fatalf("data/ipranges.bin differs from data/ipranges.txt at byte %d: run go generate ./dpi", i)
		}
	}
}

func loadIPRules(txt string) *ipTable {
	// Each rule becomes one sortable word, start<<32 | bits<<26 | rule
	// number: sorted, equal prefixes sit together with the first rule of the
	// file first, which wins.
	var keys []uint64
	var protos []ProtoID
	lastName, lastProto := "", ProtoUnknown
	for n := 1; len(txt) > 0; n++ {
		line := txt
		if i := strings.IndexByte(txt, '\n'); i >= 0 {
			line, txt = txt[:i], txt[i+1:]
		} else {
			txt = ""
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		pfx, name, ok := strings.Cut(line, "\t")
		if !ok {
			panic(fmt.Sprintf("dpi: data/ipranges.txt:%d: want prefix<TAB>application", n))
		}
		start, bits, ok := parseV4Prefix(pfx)
		if !ok {
			panic(fmt.Sprintf("dpi: data/ipranges.txt:%d: %q: not an IPv4 prefix", n, pfx))
		}
		if name != lastName || len(protos) == 0 { // the file is grouped by application
			lastName, lastProto = name, protoByName(name)
		}
		if len(protos) >= 1<<26 {
			panic("dpi: data/ipranges.txt: too many rules")
		}
		keys = append(keys, uint64(start)<<32|uint64(bits)<<26|uint64(len(protos)))
		protos = append(protos, lastProto)
	}
	slices.Sort(keys)
	rules := make([]ipPrefixRule, 0, len(keys))
	for i, k := range keys {
		if i > 0 && k>>26 == keys[i-1]>>26 { // the first rule for a prefix wins
			continue
		}
		start, bits := uint32(k>>32), int(k>>26&63)
		end := start | uint32(uint64(1)<<(32-bits)-1)
		rules = append(rules, ipPrefixRule{start: start, end: end, bits: bits, proto: protos[k&(1<<26-1)]})
	}
	return flattenPrefixes(rules)
}

// parseV4Prefix reads "a.b.c.d/n" (decimal, no leading zeros, as
// netip.ParsePrefix accepts them) and returns the masked start address.
func parseV4Prefix(s string) (start uint32, bits int, ok bool) {
	var addr uint32
	i := 0
	for part := range 5 {
		v, from := 0, i
		for i < len(s) && s[i]-'0' <= 9 && i-from < 3 {
			v = v*10 + int(s[i]-'0')
			i++
		}
		if i == from || v > 255 || (s[from] == '0' && i-from > 1) {
			return 0, 0, false
		}
		switch {
		case part < 3 && i < len(s) && s[i] == '.', part == 3 && i < len(s) && s[i] == '/':
			addr = addr<<8 | uint32(v)
			i++
		case part == 4 && i == len(s) && v <= 32:
			bits = v
		default:
			return 0, 0, false
		}
	}
	mask := ^uint32(uint64(1)<<(32-bits) - 1)
	return addr & mask, bits, true
}

// flattenPrefixes turns nested prefixes (any two are disjoint or one holds
// the other) into disjoint ranges labelled by the innermost prefix.
func flattenPrefixes(rules []ipPrefixRule) *ipTable {
	slices.SortFunc(rules, func(a, b ipPrefixRule) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.bits, b.bits)
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
