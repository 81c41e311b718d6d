package meter

import (
	"encoding/binary"
	"math/rand/v2"
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

// occupied counts the table's used slots.
func occupied(t *table) int {
	n := 0
	for _, s := range t.slots {
		if s.flow != nil {
			n++
		}
	}
	return n
}

// Every flow under one hash (the worst collision), placed where its probe
// run wraps round the end of the slots: lookups walk the run, and deletes
// at its head, middle and end leave exactly the others.
func TestTableCollidingHashes(t *testing.T) {
	tab := newTable()
	keys, flows := chainKeys(30)
	h := uint64(len(tab.slots) - 10)
	for _, f := range flows {
		tab.putHash(h, f)
	}
	gone := map[int]bool{0: true, 29: true, 7: true, 8: true, 15: true}
	for _, i := range []int{29, 7, 0, 8, 15} {
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
	if tab.n != len(keys)-len(gone) || occupied(&tab) != tab.n {
		t.Errorf("n = %d, %d slots used; want %d", tab.n, occupied(&tab), len(keys)-len(gone))
	}
	for i, f := range flows {
		if !gone[i] {
			tab.delHash(h, f)
		}
	}
	if tab.n != 0 || occupied(&tab) != 0 {
		t.Errorf("emptied: n = %d, %d slots used", tab.n, occupied(&tab))
	}
}

// Random puts and deletes under a handful of hashes near the end of the
// slots (long, overlapping probe runs that wrap) and enough flows to grow
// the table twice: after every step each key must find exactly what a Go
// map says, and the slots hold exactly the live flows.
func TestTableAgainstMap(t *testing.T) {
	tab := newTable()
	rng := rand.New(rand.NewPCG(1, 2))
	keys, flows := chainKeys(5000)
	hashOf := func(i int) uint64 {
		if i%2 == 0 {
			return uint64(tableMinSlots - 1 - i%7) // colliding, near the end
		}
		return uint64(i) * 0x9e3779b97f4a7c15
	}
	want := map[int]*Flow{}
	for step := range 20000 {
		i := rng.IntN(len(keys))
		if want[i] != nil {
			tab.delHash(hashOf(i), flows[i])
			delete(want, i)
		} else {
			tab.putHash(hashOf(i), flows[i])
			want[i] = flows[i]
		}
		if step%97 != 0 {
			continue
		}
		for j := range keys {
			if got := tab.getHash(hashOf(j), &keys[j]); got != want[j] {
				t.Fatalf("step %d, key %d: got %p, want %p", step, j, got, want[j])
			}
		}
		if tab.n != len(want) || occupied(&tab) != len(want) {
			t.Fatalf("step %d: n = %d, %d slots used, want %d", step, tab.n, occupied(&tab), len(want))
		}
	}
	if len(tab.slots) < 4*tableMinSlots {
		t.Errorf("the table never grew twice: %d slots", len(tab.slots))
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
