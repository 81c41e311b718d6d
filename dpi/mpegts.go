package dpi

// MPEG transport stream over UDP: whole 188-byte packets, each starting
// with the sync byte 0x47.
type mpegtsDissector struct{}

func (mpegtsDissector) Name() string { return "MPEG_TS" }

var protoMPEGTS = protoByName("MPEG_TS")

func (mpegtsDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b)%188 != 0 {
		return NotMine
	}
	for off := 0; off < len(b); off += 188 {
		if b[off] != 0x47 {
			return NotMine
		}
	}
	st.SetProtocol(protoMPEGTS, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: mpegtsDissector{}, Transport: UDP, Proto: protoMPEGTS, Order: orderOf("mpegts")})
}
