package dpi

// TiVo Connect discovery beacons (UDP/TCP 2190): "tivoconnect=" key-value
// lines. (nDPI also reads the identity, machine and platform, which
// NFStream does not report.)
type tivoConnectDissector struct{}

func (tivoConnectDissector) Name() string { return "TiVoConnect" }

var protoTiVoConnect = protoByName("TiVoConnect")

func (tivoConnectDissector) Dissect(p *Packet, st *State) Verdict {
	if hasFoldPrefix(p.Payload, "TIVOCONNECT=") {
		st.SetProtocol(protoTiVoConnect, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: tivoConnectDissector{}, Transport: TCPUDP, Proto: protoTiVoConnect, Order: orderOf("tivoconnect")})
}
