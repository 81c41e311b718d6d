package dpi

// Tuya LAN protocol (smart-home devices) over UDP: frames between the
// 00 00 55 aa prefix and the 00 00 aa 55 suffix, whose length field fits
// the packet.
type tuyaLPDissector struct{}

func (tuyaLPDissector) Name() string { return "TuyaLP" }

var protoTuyaLP = protoByName("TuyaLP")

func (tuyaLPDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	n := len(b)
	if n < 16 || be32(b) != 0x000055aa || uint64(n) < uint64(be32(b[4:])) || be32(b[n-4:]) != 0x0000aa55 {
		return NotMine
	}
	st.SetProtocol(protoTuyaLP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: tuyaLPDissector{}, Transport: UDP, Proto: protoTuyaLP, Order: orderOf("tuya_lp")})
}
