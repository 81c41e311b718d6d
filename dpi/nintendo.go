package dpi

import "bytes"

// Nintendo Switch online play: UDP packets longer than 48 bytes opening
// with 32 ab 98 64 02.
type nintendoDissector struct{}

func (nintendoDissector) Name() string { return "Nintendo" }

var protoNintendo = protoByName("Nintendo")

func (nintendoDissector) Dissect(p *Packet, st *State) Verdict {
	if len(p.Payload) > 48 && bytes.HasPrefix(p.Payload, []byte{0x32, 0xab, 0x98, 0x64, 0x02}) {
		st.SetProtocol(protoNintendo, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: nintendoDissector{}, Transport: UDP, Proto: protoNintendo, Order: orderOf("nintendo")})
}
