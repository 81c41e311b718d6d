package dpi

// MerakiCloud: Cisco Meraki devices' tunnel to their cloud controller, UDP
// on port 7351 with a fixed 4-byte magic at the start of every packet.
// nDPI has no default port for it, so the port is only checked here.
type merakicloudDissector struct{}

func (merakicloudDissector) Name() string { return "MerakiCloud" }

var protoMerakiCloud = protoByName("MerakiCloud")

const merakiPort = 7351

func (merakicloudDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if (st.ClientPort == merakiPort || st.ServerPort == merakiPort) && len(b) > 4 && be32(b) == 0xfef72891 {
		st.SetProtocol(protoMerakiCloud, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: merakicloudDissector{}, Transport: UDP, Proto: protoMerakiCloud, Order: orderOf("merakicloud")})
}
