package dpi

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Test helpers of the long-tail dissectors: packets built from payload hex
// dumps of corpus flows, fed through the whole engine as NFStream would.

// pkt describes one packet of a test flow; dir 1 is the reverse direction.
type pkt struct {
	dir   uint8
	flags uint8 // TCP flags
	hex   string
}

// flowSpec is a test flow's first-packet 5-tuple.
type flowSpec struct {
	proto            uint8 // 6 or 17
	src, dst         string
	srcPort, dstPort uint16
	maxPackets       int // NFStream's n_dissections, 20 when 0
	noGiveUp         bool
	timeMs           uint64 // capture time of every packet
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// runFlow feeds the packets the way NFStream drives nDPI (at most
// maxPackets, give-up at the end) and returns the result.
func runFlow(t testing.TB, fs flowSpec, pkts ...pkt) Result {
	t.Helper()
	payloads := make([][]byte, len(pkts))
	for i, p := range pkts {
		payloads[i] = mustHex(t, p.hex)
	}
	return runPayloads(fs, pkts, payloads)
}

func runPayloads(fs flowSpec, pkts []pkt, payloads [][]byte) Result {
	src, dst := netip.MustParseAddr(fs.src), netip.MustParseAddr(fs.dst)
	ver := uint8(4)
	if src.Is6() {
		ver = 6
	}
	limit := fs.maxPackets
	if limit == 0 {
		limit = 20
	}
	var f Flow
	var seq [2]uint32
	seq[1] = 0x10000000
	for i := range payloads {
		if i >= limit {
			break
		}
		d := pkts[i].dir & 1
		p := Packet{Payload: payloads[i], Direction: d, Protocol: fs.proto, IPVersion: ver,
			SrcIP: src, DstIP: dst, SrcPort: fs.srcPort, DstPort: fs.dstPort, TCPFlags: pkts[i].flags, TimeMs: fs.timeMs}
		if d == 1 {
			p.SrcIP, p.DstIP, p.SrcPort, p.DstPort = dst, src, fs.dstPort, fs.srcPort
		}
		if fs.proto == 6 && p.TCPFlags == 0 {
			p.TCPFlags = FlagACK | FlagPSH
		}
		buildIP(&p, seq[d], seq[1-d])
		seq[d] += uint32(len(payloads[i]))
		if p.TCPFlags&FlagSYN != 0 {
			seq[d]++
		}
		if !f.Feed(&p) {
			break
		}
	}
	if !fs.noGiveUp && !f.Detected() {
		f.GiveUp()
	}
	return f.Result()
}

// fuzzFlow feeds arbitrary payloads to every dissector through the engine;
// it only checks that nothing panics.
func fuzzFlow(proto uint8, sport, dport uint16, payloads ...[]byte) Result {
	pkts := make([]pkt, len(payloads))
	for i := range pkts {
		pkts[i].dir = uint8(i & 1)
	}
	return runPayloads(flowSpec{proto: proto, src: "192.168.1.2", dst: "10.1.2.3", srcPort: sport, dstPort: dport}, pkts, payloads)
}

// splitFuzz cuts fuzz input into up to 4 packets at 0xff 0x00 markers.
func splitFuzz(b []byte) [][]byte {
	var out [][]byte
	for len(out) < 3 {
		i := strings.Index(string(b), "\xff\x00")
		if i < 0 {
			break
		}
		out = append(out, b[:i])
		b = b[i+2:]
	}
	return append(out, b)
}

// buildIP gives p the IP and transport headers nDPI's packet checks want
// (Packet.IP), with p.Payload pointing into it.
func buildIP(p *Packet, seq, ack uint32) {
	var l4 []byte
	switch p.Protocol {
	case 6:
		l4 = make([]byte, 20)
		l4[12] = 5 << 4
		l4[13] = p.TCPFlags
		put32(l4[4:], seq)
		put32(l4[8:], ack)
	case 17:
		l4 = make([]byte, 8)
		put16(l4[4:], uint16(8+len(p.Payload)))
	default:
		l4 = make([]byte, 8)
	}
	if p.Protocol == 6 || p.Protocol == 17 {
		put16(l4[0:], p.SrcPort)
		put16(l4[2:], p.DstPort)
	}
	var ip []byte
	if p.IPVersion == 6 {
		ip = make([]byte, 40)
		ip[0] = 0x60
		put16(ip[4:], uint16(len(l4)+len(p.Payload)))
		ip[6] = p.Protocol
		ip[7] = 64
		s, d := p.SrcIP.As16(), p.DstIP.As16()
		copy(ip[8:], s[:])
		copy(ip[24:], d[:])
	} else {
		ip = make([]byte, 20)
		ip[0] = 0x45
		put16(ip[2:], uint16(20+len(l4)+len(p.Payload)))
		ip[8] = 64
		ip[9] = p.Protocol
		s, d := p.SrcIP.As4(), p.DstIP.As4()
		copy(ip[12:], s[:])
		copy(ip[16:], d[:])
	}
	full := append(append(ip, l4...), p.Payload...)
	p.IP = full
	p.Payload = full[len(ip)+len(l4):]
}

func put16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }
func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

// flowCase is one row of a dissector's table test.
type flowCase struct {
	name string
	fs   flowSpec
	pkts []pkt
	want Result
}

func runCases(t *testing.T, cases []flowCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runFlow(t, c.fs, c.pkts...)
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("result (-want +got):\n%s", d)
			}
		})
	}
}

// hexOf returns the hex form of a text payload (for pkt.hex).
func hexOf(s string) string { return hex.EncodeToString([]byte(s)) }
