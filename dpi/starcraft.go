package dpi

import (
	"bytes"
	"net/netip"
)

// StarCraft II (Battle.net port 1119): the TCP login to one of Blizzard's
// regional logon servers opens with a fixed 10-byte message; the UDP game
// traffic is recognised by its packet sizes (20, 20, 75|85, 20, 548 ×3,
// 484), which tells it from other Blizzard games on the same port.
type starcraftDissector struct{}

func (starcraftDissector) Name() string { return "Starcraft" }

var protoStarcraft = protoByName("Starcraft")

// starcraftLogons are the regional logon portals (EU, US, KR, SG, beta).
var starcraftLogons = [...]netip.Addr{
	netip.AddrFrom4([4]byte{213, 248, 127, 130}), netip.AddrFrom4([4]byte{12, 129, 206, 130}),
	netip.AddrFrom4([4]byte{121, 254, 200, 130}), netip.AddrFrom4([4]byte{202, 9, 66, 76}),
	netip.AddrFrom4([4]byte{12, 129, 236, 254}),
}

// starcraftSizes: the UDP size sequence; stage i waits for a packet whose
// size is one of starcraftSizes[i].
var starcraftSizes = [...][2]int{{20, 20}, {20, 20}, {75, 85}, {20, 20}, {548, 548}, {548, 548}, {548, 548}, {484, 484}}

type starcraftFlow struct{ stage uint8 }

var starcraftID DissectorID

func isStarcraftLogon(a netip.Addr) bool {
	for _, l := range starcraftLogons {
		if a == l {
			return true
		}
	}
	return false
}

func (starcraftDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 {
		if p.IPVersion == 4 && (isStarcraftLogon(p.SrcIP) || isStarcraftLogon(p.DstIP)) && p.DstPort == 1119 &&
			(bytes.HasPrefix(b, []byte("\x4a\x00\x00\x0a\x66\x02\x0a\xed\x2d\x66")) ||
				bytes.HasPrefix(b, []byte("\x49\x00\x00\x0a\x66\x02\x0a\xed\x2d\x66"))) {
			st.SetProtocol(protoStarcraft, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		return NotMine
	}
	if !hasPort(p, 1119) {
		return NotMine
	}
	s, _ := st.Data(starcraftID).(*starcraftFlow)
	if s == nil {
		s = &starcraftFlow{}
		st.SetData(starcraftID, s)
	}
	if int(s.stage) < len(starcraftSizes) {
		if want := starcraftSizes[s.stage]; len(b) == want[0] || len(b) == want[1] {
			if s.stage == 7 {
				st.SetProtocol(protoStarcraft, ProtoUnknown, ConfidenceDPI)
				return Done
			}
			s.stage++
		}
	}
	return NeedMore
}

func init() {
	starcraftID = register(Spec{Dissector: starcraftDissector{}, Transport: TCPUDP, Proto: protoStarcraft, Order: orderOf("starcraft")})
}
