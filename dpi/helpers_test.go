package dpi

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"testing"
)

// unhex decodes a payload constant of corpus_payloads_test.go.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// conv builds the packets of one synthetic conversation around real
// payloads: IPv4 headers, TCP sequence numbers that follow the bytes sent.
type conv struct {
	proto            uint8
	cli, srv         netip.Addr
	cport, sport     uint16
	seq              [2]uint32
	time             uint64
	handshakeStarted bool
}

func newConv(proto uint8, cport, sport uint16) *conv {
	return &conv{proto: proto, cli: netip.MustParseAddr("10.0.0.1"), srv: netip.MustParseAddr("10.0.0.2"),
		cport: cport, sport: sport, seq: [2]uint32{1000, 5000}, time: 1_600_000_000_000}
}

// packet returns the next packet in direction dir (0 client→server).
func (c *conv) packet(dir uint8, flags uint8, payload []byte) *Packet {
	l4 := 8
	if c.proto == 6 {
		l4 = 20
	}
	ip := make([]byte, 20+l4+len(payload))
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	ip[8] = 64
	ip[9] = c.proto
	src, dst, sp, dp := c.cli, c.srv, c.cport, c.sport
	if dir == 1 {
		src, dst, sp, dp = c.srv, c.cli, c.sport, c.cport
	}
	s4, d4 := src.As4(), dst.As4()
	copy(ip[12:], s4[:])
	copy(ip[16:], d4[:])
	h := ip[20:]
	binary.BigEndian.PutUint16(h[0:], sp)
	binary.BigEndian.PutUint16(h[2:], dp)
	if c.proto == 6 {
		binary.BigEndian.PutUint32(h[4:], c.seq[dir])
		binary.BigEndian.PutUint32(h[8:], c.seq[1-dir])
		h[12] = 5 << 4
		h[13] = flags
		c.seq[dir] += uint32(len(payload))
		if flags&FlagSYN != 0 {
			c.seq[dir]++
		}
	} else {
		binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	}
	copy(ip[20+l4:], payload)
	c.time += 10
	return &Packet{IP: ip, Payload: ip[20+l4:], Direction: dir, Protocol: c.proto, IPVersion: 4,
		SrcIP: src, DstIP: dst, SrcPort: sp, DstPort: dp, TCPFlags: flags, TimeMs: c.time}
}

// handshake returns the three packets of a TCP handshake.
func (c *conv) handshake() []*Packet {
	return []*Packet{c.packet(0, FlagSYN, nil), c.packet(1, FlagSYN|FlagACK, nil), c.packet(0, FlagACK, nil)}
}

// feed runs packets through a new Flow the way NFStream does (at most 20,
// giving up at the end) and returns it.
func feed(pkts []*Packet) *Flow {
	f := new(Flow)
	want := true
	for i, p := range pkts {
		if i > 0 && f.Detected() && !want {
			break
		}
		want = f.Feed(p)
		if i == 19 {
			break
		}
	}
	if !f.Detected() {
		f.GiveUp()
	}
	return f
}
