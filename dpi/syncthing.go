package dpi

// Syncthing local discovery over UDP: announcements start with the magic
// 2e a7 d9 0b.
type syncthingDissector struct{}

func (syncthingDissector) Name() string { return "Syncthing" }

var protoSyncthing = protoByName("Syncthing")

func (syncthingDissector) Dissect(p *Packet, st *State) Verdict {
	if len(p.Payload) > 4 && be32(p.Payload) == 0x2ea7d90b {
		st.SetProtocol(protoSyncthing, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: syncthingDissector{}, Transport: UDP, Proto: protoSyncthing, Order: orderOf("syncthing")})
}
