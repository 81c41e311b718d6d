package dpi

// HP_VIRTGRP (HP Virtual Machine Group Management): the first TCP payload
// is a 0x16 byte, a 16-bit length equal to the whole payload, then a zero
// byte. Only the flow's first payload packet is looked at.
type hpvirtgrpDissector struct{}

func (hpvirtgrpDissector) Name() string { return "HP_VIRTGRP" }

var protoHPVirtGrp = protoByName("HP_VIRTGRP")

func (hpvirtgrpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) == 1 && len(b) >= 4 && int(be16(b[1:])) == len(b) && b[0] == 0x16 && b[3] == 0 {
		st.SetProtocol(protoHPVirtGrp, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: hpvirtgrpDissector{}, Transport: TCP, Proto: protoHPVirtGrp, Order: orderOf("hpvirtgrp")})
}
