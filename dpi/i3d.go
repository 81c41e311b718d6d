package dpi

// i3D (i3D.net dedicated game servers, UDP): two fixed header patterns of
// packets of at least 74 bytes, one with a 0x0003cfa8 word at offset 4, the
// other with 0x0003cfa9 and 0xbede0003 at offsets 8 and 12.
type i3dDissector struct{}

func (i3dDissector) Name() string { return "i3D" }

var protoI3D = protoByName("i3D")

func (i3dDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 74 {
		return NotMine
	}
	w0 := be32(b)
	h0 := be16(b)
	if (w0 == 0x00010046 || w0 == 0x00020046) && be32(b[4:]) == 0x0003cfa8 ||
		(h0 == 0x9078 || h0 == 0x9067) && be32(b[8:]) == 0x0003cfa9 && be32(b[12:]) == 0xbede0003 {
		st.SetProtocol(protoI3D, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: i3dDissector{}, Transport: UDP, Proto: protoI3D, Order: orderOf("i3d")})
}
