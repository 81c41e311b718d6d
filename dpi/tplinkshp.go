package dpi

// TP-Link Smart Home Protocol: JSON obfuscated with an autokey XOR
// (initial key 171, then each cipher byte keys the next); the first two
// plain bytes must read `{}` or `{"`. TCP messages carry a 4-byte length
// first.
type tplinkSHPDissector struct{}

func (tplinkSHPDissector) Name() string { return "TPLINK_SHP" }

var protoTPLinkSHP = protoByName("TPLINK_SHP")

func (tplinkSHPDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 {
		if len(b) < 4 {
			return NotMine
		}
		b = b[4:]
	}
	if len(b) < 2 {
		return NotMine
	}
	first, second := b[0]^171, b[1]^b[0]
	if first != '{' || second != '}' && second != '"' {
		return NotMine
	}
	st.SetProtocol(protoTPLinkSHP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: tplinkSHPDissector{}, Transport: TCPUDP, Proto: protoTPLinkSHP, Order: orderOf("tplink_shp")})
}
