package dpi

import "encoding/binary"

// Cisco Skinny (SCCP) on TCP 2000: little-endian data length (the packet
// less 8), a known protocol version and a plausible message id.
type skinnyDissector struct{}

func (skinnyDissector) Name() string { return "CiscoSkinny" }

var protoSkinny = protoByName("CiscoSkinny")

func (skinnyDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if !hasPort(p, 2000) || len(b) < 12 {
		return NotMine
	}
	le := binary.LittleEndian
	n, version, op := le.Uint32(b), le.Uint32(b[4:]), le.Uint32(b[8:])
	versionOK := version == 0 || version == 0x0a || version == 0x0b || version >= 0x0f && version <= 0x16
	opOK := op <= 0x9f || op >= 0x100 && op <= 0x160 || op == 0x8000 || op == 0x8100 || op == 0x8101
	if uint64(n)+8 == uint64(len(b)) && versionOK && opOK {
		st.SetProtocol(protoSkinny, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: skinnyDissector{}, Transport: TCP, Proto: protoSkinny, Order: orderOf("skinny")})
}
