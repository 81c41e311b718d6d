package dpi

// WHOIS (TCP 43) and DAS (4343): a CRLF-terminated line; a query's text
// (to the server port) becomes the server name.
type whoisDASDissector struct{}

func (whoisDASDissector) Name() string { return "Whois-DAS" }

var protoWhoisDAS = protoByName("Whois-DAS")

func (whoisDASDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	n := len(b)
	if !(hasPort(p, 43) || hasPort(p, 4343)) || n <= 2 || b[n-2] != '\r' || b[n-1] != '\n' {
		return NotMine
	}
	st.SetProtocol(protoWhoisDAS, ProtoUnknown, ConfidenceDPI)
	if p.DstPort == 43 || p.DstPort == 4343 {
		st.setCServerName(b[:n-2])
	}
	return Done
}

func init() {
	register(Spec{Dissector: whoisDASDissector{}, Transport: TCP, Proto: protoWhoisDAS, Order: orderOf("whois_das")})
}
