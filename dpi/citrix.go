package dpi

import "bytes"

// Citrix ICA over TCP: the 6-byte "\x7f\x7fICA\x00" probe, the CGP
// header "\x1aCGP/01", or the TCP proxy service name.
type citrixDissector struct{}

func (citrixDissector) Name() string { return "Citrix" }

var protoCitrix = protoByName("Citrix")

func (citrixDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if string(b) == "\x7f\x7fICA\x00" ||
		len(b) > 22 && (bytes.HasPrefix(b, []byte("\x1aCGP/01")) || cContains(b, "Citrix.TcpProxyService")) {
		st.SetProtocol(protoCitrix, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: citrixDissector{}, Transport: TCP, Proto: protoCitrix, Order: orderOf("citrix")})
}
