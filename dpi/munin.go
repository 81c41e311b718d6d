package dpi

import "bytes"

// Munin over TCP: the node's banner "# munin node at <host>\n"; the host
// becomes the server name.
type muninDissector struct{}

func (muninDissector) Name() string { return "Munin" }

var protoMunin = protoByName("Munin")

const muninBanner = "# munin node at "

func (muninDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if !bytes.HasPrefix(b, []byte(muninBanner)) {
		return NotMine
	}
	st.SetProtocol(protoMunin, ProtoUnknown, ConfidenceDPI)
	if b[len(b)-1] == '\n' && len(b) > len(muninBanner)+1 {
		st.setCServerName(b[len(muninBanner) : len(b)-1])
	}
	return Done
}

func init() {
	register(Spec{Dissector: muninDissector{}, Transport: TCP, Proto: protoMunin, Order: orderOf("munin")})
}
