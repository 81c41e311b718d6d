package dpi

// LISP (Locator/ID Separation Protocol): UDP between ports 4341 or between
// 4342; over TCP 4342, a message whose length covers the packet and that
// ends with the 9f ac ad e9 end marker.
type lispDissector struct{}

func (lispDissector) Name() string { return "LISP" }

var protoLISP = protoByName("LISP")

func (lispDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	found := false
	if p.Protocol == 17 {
		found = p.SrcPort == 4341 && p.DstPort == 4341 || p.SrcPort == 4342 && p.DstPort == 4342
	} else if hasPort(p, 4342) && len(b) >= 8 {
		n := len(b)
		found = int(be16(b[2:])) >= n && b[n-1] == 0xe9 && b[n-2] == 0xad && b[n-3] == 0xac && b[n-4] == 0x9f
	}
	if !found {
		return NotMine
	}
	st.SetProtocol(protoLISP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: lispDissector{}, Transport: TCPUDP, Proto: protoLISP, Order: orderOf("lisp")})
}
