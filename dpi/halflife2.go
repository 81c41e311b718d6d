package dpi

// Half-Life 2 and Source mods over UDP: a 0xFFFFFFFF-prefixed message
// ending in "000\0" (at least 20 bytes) from each side in turn.
type halflife2Dissector struct{}

func (halflife2Dissector) Name() string { return "HalfLife2" }

var protoHalfLife2 = protoByName("HalfLife2")

type hl2Flow struct{ stage uint8 }

var hl2ID DissectorID

func isHL2Message(b []byte) bool {
	return len(b) >= 20 && be32(b) == 0xffffffff && be32(b[len(b)-4:]) == 0x30303000
}

func (halflife2Dissector) Dissect(p *Packet, st *State) Verdict {
	dir := ndpiDirection(p)
	s, _ := st.Data(hl2ID).(*hl2Flow)
	switch {
	case s == nil:
		if isHL2Message(p.Payload) {
			st.SetData(hl2ID, &hl2Flow{stage: 1 + dir})
			return NeedMore
		}
	case s.stage == 2-dir:
		if isHL2Message(p.Payload) {
			st.SetProtocol(protoHalfLife2, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

func init() {
	hl2ID = register(Spec{Dissector: halflife2Dissector{}, Transport: UDP, Proto: protoHalfLife2, Order: orderOf("halflife2")})
}
