package dpi

// AVAST SecureDNS: DNSCrypt-like queries whose first packet carries, at
// offset 11, the bytes 00 01 32 09 followed by the name "securedns".
type avastSecureDNSDissector struct{}

func (avastSecureDNSDissector) Name() string { return "AVASTSecureDNS" }

var protoAvastSecureDNS = protoByName("AVASTSecureDNS")

func (avastSecureDNSDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 34 || be32(b[11:]) != 0x00013209 || payloadCounter(st) > 1 {
		return NotMine
	}
	if !equalFoldASCII(b[15:24], "securedns") {
		return NotMine
	}
	st.SetProtocol(protoAvastSecureDNS, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: avastSecureDNSDissector{}, Transport: UDP, Proto: protoAvastSecureDNS, Order: orderOf("avast_securedns")})
}
