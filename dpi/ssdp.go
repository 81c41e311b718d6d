package dpi

import "bytes"

// SSDP (UPnP discovery): HTTP-like messages over UDP. A search, a notify or
// a "200 OK" answer makes the flow SSDP; the Host line (usually the
// multicast group "239.255.255.250:1900") becomes the server name.
type ssdpDissector struct{}

func (ssdpDissector) Name() string { return "SSDP" }

var protoSSDP = protoByName("SSDP")

func (ssdpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 19 || !(bytes.HasPrefix(b, []byte("M-SEARCH * HTTP/1.1")) ||
		bytes.HasPrefix(b, []byte("NOTIFY * HTTP/1.1")) ||
		bytes.HasPrefix(b, []byte("HTTP/1.1 200 OK\r\n"))) {
		return NotMine
	}
	// nDPI also keeps the User-Agent line, but NFStream reports user agents
	// for HTTP and TLS flows only.
	if host, ok := textHeader(b, "Host:", 6); ok && len(host) > 0 {
		st.setCServerName(host)
	}
	st.SetProtocol(protoSSDP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: ssdpDissector{}, Transport: UDP, Proto: protoSSDP, Order: orderOf("ssdp")})
}
