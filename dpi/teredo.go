package dpi

// Teredo (RFC 4380): IPv6 tunnelled in UDP over IPv4 port 3544, to a
// unicast address, with room for an IPv6 header.
type teredoDissector struct{}

func (teredoDissector) Name() string { return "Teredo" }

var protoTeredo = protoByName("Teredo")

func (teredoDissector) Dissect(p *Packet, st *State) Verdict {
	if p.IPVersion != 4 {
		// nDPI runs this dissector on IPv4 packets only.
		return NeedMore
	}
	if p.DstIP.As4()[0]&0xf0 != 0xe0 && hasPort(p, 3544) && len(p.Payload) >= 40 {
		st.SetProtocol(protoTeredo, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: teredoDissector{}, Transport: UDP, Proto: protoTeredo, Order: orderOf("teredo")})
}
