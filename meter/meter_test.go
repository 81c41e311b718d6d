package meter

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// frame builds an Ethernet/IPv4/UDP or TCP frame with the given payload.
func frame(proto uint8, src, dst [4]byte, sport, dport uint16, payload int) []byte {
	l4 := 8
	if proto == 6 {
		l4 = 20
	}
	b := make([]byte, 14+20+l4+payload)
	copy(b[0:6], []byte{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb})
	copy(b[6:12], []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55})
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+l4+payload))
	ip[8] = 64
	ip[9] = proto
	copy(ip[12:16], src[:])
	copy(ip[16:20], dst[:])
	l := ip[20:]
	binary.BigEndian.PutUint16(l[0:], sport)
	binary.BigEndian.PutUint16(l[2:], dport)
	if proto == 6 {
		l[12] = 5 << 4
		l[13] = 0x18 // PSH ACK
	} else {
		binary.BigEndian.PutUint16(l[4:], uint16(8+payload))
	}
	return b
}

func TestDecodeSizes(t *testing.T) {
	var p Packet
	fr := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 100)
	if !Decode(LinkEthernet, fr, uint32(len(fr)), DecodeOptions{Tunnels: true}, &p) {
		t.Fatal("frame ignored")
	}
	type sizes struct {
		Raw, IP, Transport, Payload uint16
		Src, Dst                    netip.Addr
		SPort, DPort                uint16
		Flags                       uint8
	}
	got := sizes{p.RawSize, p.IPSize, p.TransportSize, p.PayloadSize, p.SrcIP, p.DstIP, p.SrcPort, p.DstPort, p.Flags}
	want := sizes{154, 140, 120, 100, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), 1234, 80, FlagPSH | FlagACK}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
		t.Errorf("decoded sizes (-want +got):\n%s", d)
	}
	if got := len(p.Payload()); got != 100 {
		t.Errorf("payload %d bytes, want 100", got)
	}
}

func TestDecodeIgnores(t *testing.T) {
	fr := frame(17, [4]byte{1, 1, 1, 1}, [4]byte{2, 2, 2, 2}, 1, 2, 10)
	arp := append([]byte(nil), fr...)
	binary.BigEndian.PutUint16(arp[12:], 0x0806)
	arp[14] = 0x00 // not an IP version nibble
	frag := append([]byte(nil), fr...)
	binary.BigEndian.PutUint16(frag[14+6:], 0x0010) // offset 16×8
	for _, c := range []struct {
		name string
		link uint32
		data []byte
	}{
		{"short", LinkEthernet, fr[:27]},
		{"arp", LinkEthernet, arp},
		{"non-first fragment", LinkEthernet, frag},
		{"unknown link type", 147, fr},
		{"linux sll2 by default", LinkLinuxSLL2, fr},
	} {
		var p Packet
		if Decode(c.link, c.data, uint32(len(c.data)), DecodeOptions{Tunnels: true}, &p) {
			t.Errorf("%s: decoded, want ignored", c.name)
		}
	}
}

type countingHook struct{ init, update, expire int }

func (c *countingHook) Init(*Packet, *Flow)   { c.init++ }
func (c *countingHook) Update(*Packet, *Flow) { c.update++ }
func (c *countingHook) Expire(*Flow)          { c.expire++ }

func TestMeterTimeouts(t *testing.T) {
	// Packets of one UDP conversation 5 s apart; idle 5 s expires on ≥.
	var emitted []Flow
	h := &countingHook{}
	m := New(Config{IdleTimeoutMs: 5000, ActiveTimeoutMs: 1800_000, Hooks: []Hook{h}, Emit: func(f *Flow) { emitted = append(emitted, *f) }})
	a := frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1000, 53, 0)
	b := frame(17, [4]byte{10, 0, 0, 2}, [4]byte{10, 0, 0, 1}, 53, 1000, 0)
	m.Process(LinkEthernet, a, uint32(len(a)), 1000)
	m.Process(LinkEthernet, b, uint32(len(b)), 1500)
	m.Process(LinkEthernet, a, uint32(len(a)), 6500) // exactly idle later: new flow
	m.Flush()
	if len(emitted) != 2 {
		t.Fatalf("%d flows, want 2", len(emitted))
	}
	if f := emitted[0]; f.Packets != 2 || f.Dst2Src.Packets != 1 || f.LastSeen-f.FirstSeen != 500 {
		t.Errorf("first flow: %+v", f)
	}
	if h.init != 2 || h.update != 1 || h.expire != 2 {
		t.Errorf("hook calls init=%d update=%d expire=%d, want 2 1 2", h.init, h.update, h.expire)
	}
}

// TestMeterNoAllocs pins the hot path: once a flow exists, metering its
// packets allocates nothing.
func TestMeterNoAllocs(t *testing.T) {
	m := New(Config{IdleTimeoutMs: 120_000, ActiveTimeoutMs: 1800_000})
	fr := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 100)
	ts := uint64(1000)
	m.Process(LinkEthernet, fr, uint32(len(fr)), ts)
	allocs := testing.AllocsPerRun(1000, func() {
		ts++
		m.Process(LinkEthernet, fr, uint32(len(fr)), ts)
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per packet, want 0", allocs)
	}
}

func BenchmarkDecode(b *testing.B) {
	fr := frame(6, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 80, 100)
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(fr)))
	for b.Loop() {
		Decode(LinkEthernet, fr, uint32(len(fr)), DecodeOptions{Tunnels: true}, &p)
	}
}

// BenchmarkMeter meters packets spread over 4096 concurrent flows.
func BenchmarkMeter(b *testing.B) {
	const nflows = 4096
	frames := make([][]byte, nflows)
	for i := range frames {
		frames[i] = frame(6, [4]byte{10, 0, byte(i >> 8), byte(i)}, [4]byte{10, 1, 0, 1}, uint16(1024+i), 443, 100)
	}
	m := New(Config{IdleTimeoutMs: 120_000, ActiveTimeoutMs: 1800_000})
	ts := uint64(1000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		fr := frames[i%nflows]
		i++
		ts++
		m.Process(LinkEthernet, fr, uint32(len(fr)), ts)
	}
}
