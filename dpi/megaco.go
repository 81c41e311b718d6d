package dpi

import "bytes"

// Megaco/H.248 text encoding over UDP: "!/1 [" or "!/1 <" (short form) or
// "MEGACO/1 [" at the start.
type megacoDissector struct{}

func (megacoDissector) Name() string { return "Megaco" }

var protoMegaco = protoByName("Megaco")

func (megacoDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 4 && bytes.HasPrefix(b, []byte("!/1 ")) && (b[4] == '[' || b[4] == '<') ||
		len(b) > 9 && bytes.HasPrefix(b, []byte("MEGACO/1 [")) {
		st.SetProtocol(protoMegaco, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: megacoDissector{}, Transport: UDP, Proto: protoMegaco, Order: orderOf("megaco")})
}
