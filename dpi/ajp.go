package dpi

// AJP13 (Apache JServ Protocol) over TCP: packets from the web server
// start 0x1234 (forward request, shutdown, ping, CPing), packets from the
// container "AB" (body chunk, headers, end, get body, CPong), then a
// non-zero length.
type ajpDissector struct{}

func (ajpDissector) Name() string { return "AJP" }

var protoAJP = protoByName("AJP")

func (ajpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 5 || be16(b[2:]) == 0 {
		return NotMine
	}
	code := b[4]
	ok := false
	switch be16(b) {
	case 0x1234:
		ok = code == 2 || code == 7 || code == 8 || code == 10
	case 0x4142:
		ok = code == 3 || code == 4 || code == 5 || code == 6 || code == 9
	}
	if !ok {
		return NotMine
	}
	st.SetProtocol(protoAJP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: ajpDissector{}, Transport: TCP, Proto: protoAJP, Order: orderOf("ajp")})
}
