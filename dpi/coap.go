package dpi

// CoAP (RFC 7252) on UDP 5683 or 61616-61631: version 1, a token of at
// most 7 bytes and a known request or response code.
type coapDissector struct{}

func (coapDissector) Name() string { return "COAP" }

var protoCoAP = protoByName("COAP")

func isCoAPPort(port uint16) bool { return port == 5683 || port >= 61616 && port <= 61631 }

func (coapDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 4 || !isCoAPPort(p.SrcPort) && !isCoAPPort(p.DstPort) {
		return NotMine
	}
	version, tokenLen, code := b[0]>>6, b[0]&0x0f, b[1]
	if version == 1 && tokenLen < 8 && (code <= 5 || code >= 65 && code <= 69 || code >= 128 && code <= 134 ||
		code >= 140 && code <= 143 || code >= 160 && code <= 165) {
		st.SetProtocol(protoCoAP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: coapDissector{}, Transport: UDP, Proto: protoCoAP, Order: orderOf("coap")})
}
