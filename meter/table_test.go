package meter

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// frame6 builds an Ethernet/IPv6/UDP frame without payload.
func frame6(src, dst [16]byte) []byte {
	b := make([]byte, 14+40+8)
	binary.BigEndian.PutUint16(b[12:], 0x86dd)
	ip := b[14:]
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], 8)
	ip[6], ip[7] = 17, 64
	copy(ip[8:24], src[:])
	copy(ip[24:40], dst[:])
	binary.BigEndian.PutUint16(ip[40:], 5000)
	binary.BigEndian.PutUint16(ip[42:], 53)
	binary.BigEndian.PutUint16(ip[44:], 8)
	return b
}

// A flow must stay in the 240-byte allocation class: one field more moves
// every flow to the 256- or 288-byte class (docs/performance.md, memory per
// flow).
func TestFlowSize(t *testing.T) {
	if n := unsafe.Sizeof(Flow{}); n > 240 {
		t.Errorf("Flow is %d bytes, want at most 240", n)
	}
}

func chainKeys(n int) ([]Key, []*Flow) {
	keys := make([]Key, n)
	flows := make([]*Flow, n)
	for i := range keys {
		keys[i] = Key{LoPort: uint16(i), HiPort: 80, Proto: 6}
		keys[i].LoIP[15], keys[i].HiIP[15] = byte(i), 1
		flows[i] = &Flow{Key: keys[i]}
	}
	return keys, flows
}

// Every flow under one hash (the worst collision): lookups walk the chain
// and deletes at its head, middle and end leave exactly the others.
func TestTableCollidingHashes(t *testing.T) {
	tab := newTable()
	keys, flows := chainKeys(30)
	const h = 42
	for _, f := range flows {
		tab.putHash(h, f)
	}
	gone := map[int]bool{0: true, 29: true, 7: true, 8: true, 15: true}
	for _, i := range []int{29, 7, 0, 8, 15} { // 29 was put first: the chain's end
		tab.delHash(h, flows[i])
	}
	for i := range keys {
		want := flows[i]
		if gone[i] {
			want = nil
		}
		if got := tab.getHash(h, &keys[i]); got != want {
			t.Errorf("key %d: got %p, want %p", i, got, want)
		}
	}
	if tab.n != len(keys)-len(gone) || len(tab.m) != 1 {
		t.Errorf("n = %d, %d chains; want %d, 1", tab.n, len(tab.m), len(keys)-len(gone))
	}
	for i, f := range flows {
		if !gone[i] {
			tab.delHash(h, f)
		}
	}
	if tab.n != 0 || len(tab.m) != 0 {
		t.Errorf("emptied: n = %d, %d chains", tab.n, len(tab.m))
	}
}

func TestTableRealHash(t *testing.T) {
	tab := newTable()
	keys, flows := chainKeys(200)
	for _, f := range flows {
		tab.put(f)
	}
	for i, f := range flows {
		if i%3 == 0 {
			tab.del(f)
		}
	}
	for i := range keys {
		want := flows[i]
		if i%3 == 0 {
			want = nil
		}
		if got := tab.get(&keys[i]); got != want {
			t.Errorf("key %d: got %p, want %p", i, got, want)
		}
	}
}

// SrcIP and DstIP rebuild the first packet's addresses from the key exactly,
// in either key order and for both IP versions.
func TestFlowAddressesFromKey(t *testing.T) {
	mapped := netip.MustParseAddr("::ffff:10.0.0.1").As16()
	for _, fr := range [][]byte{
		frame(17, [4]byte{10, 0, 0, 2}, [4]byte{10, 0, 0, 1}, 5000, 53, 0),
		frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 5000, 53, 0),
		frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 1}, 53, 5000, 0),
		frame6(netip.MustParseAddr("2001:db8::9").As16(), netip.MustParseAddr("2001:db8::1").As16()),
		frame6(mapped, netip.MustParseAddr("2001:db8::1").As16()), // stays an IPv6 address
	} {
		var p Packet
		if !Decode(LinkEthernet, fr, uint32(len(fr)), DecodeOptions{}, &p) {
			t.Fatal("frame does not decode")
		}
		var f Flow
		initFlow(&f, keyOf(&p), &p, 0, nil, false)
		if f.SrcIP() != p.SrcIP || f.DstIP() != p.DstIP {
			t.Errorf("got %v → %v, want %v → %v", f.SrcIP(), f.DstIP(), p.SrcIP, p.DstIP)
		}
	}
	if (&Flow{}).SrcIP().IsValid() {
		t.Error("a zero flow has a source address")
	}
}

// A packet's direction is 0 exactly when its addresses and ports are the
// first packet's (netip equality: an IPv4 packet and an IPv4-mapped IPv6
// one are different sources).
func TestDirectionAgainstFirstPacket(t *testing.T) {
	a, b := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	ma, mb := netip.AddrFrom4(a).As16(), netip.AddrFrom4(b).As16()
	m6 := func(src, dst [16]byte, sport, dport uint16) []byte {
		fr := frame6(src, dst)
		binary.BigEndian.PutUint16(fr[54:], sport)
		binary.BigEndian.PutUint16(fr[56:], dport)
		return fr
	}
	frames := [][]byte{
		frame(17, a, b, 5000, 53, 0), frame(17, b, a, 53, 5000, 0), frame(17, a, b, 5000, 53, 0),
		frame(17, a, a, 53, 5000, 0), frame(17, a, a, 5000, 53, 0), frame(17, a, a, 53, 5000, 0),
		m6(ma, mb, 5000, 53), m6(mb, ma, 53, 5000), frame(17, b, a, 53, 5000, 0),
	}
	for first := range frames {
		var got, want []uint8
		var seen map[Key]Packet
		m := New(Config{IdleTimeoutMs: 1 << 40, ActiveTimeoutMs: 1 << 40, Hooks: []Hook{dirHook{&got}}})
		seen = map[Key]Packet{}
		order := append(append([][]byte{}, frames[first:]...), frames[:first]...)
		for _, fr := range order {
			var p Packet
			Decode(LinkEthernet, fr, uint32(len(fr)), DecodeOptions{}, &p)
			k := keyOf(&p)
			if f0, ok := seen[k]; ok {
				d := uint8(1)
				if f0.SrcIP == p.SrcIP && f0.DstIP == p.DstIP && f0.SrcPort == p.SrcPort && f0.DstPort == p.DstPort {
					d = 0
				}
				want = append(want, d)
			} else {
				seen[k] = p
				want = append(want, 0)
			}
			m.Process(LinkEthernet, fr, uint32(len(fr)), 1000)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("starting at frame %d, directions (-want +got):\n%s", first, d)
		}
	}
}

type dirHook struct{ dirs *[]uint8 }

func (h dirHook) Init(p *Packet, f *Flow)   { *h.dirs = append(*h.dirs, p.Direction) }
func (h dirHook) Update(p *Packet, f *Flow) { *h.dirs = append(*h.dirs, p.Direction) }
func (h dirHook) Expire(f *Flow)            {}
