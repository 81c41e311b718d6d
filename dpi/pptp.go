package dpi

// PPTP's control connection (TCP): the first payload packet must be a
// Start-Control-Connection-Request, a control message whose 16-bit length
// field is the whole payload and which carries PPTP's magic cookie.
// Anything else rules PPTP out, as nDPI does after one look.
type pptpDissector struct{}

func (pptpDissector) Name() string { return "PPTP" }

var protoPPTP = protoByName("PPTP")

const (
	pptpControlMessage = 1
	pptpMagicCookie    = 0x1a2b3c4d
	pptpStartRequest   = 1
)

func (pptpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 10 && int(be16(b)) == len(b) && be16(b[2:]) == pptpControlMessage &&
		be32(b[4:]) == pptpMagicCookie && be16(b[8:]) == pptpStartRequest {
		st.SetProtocol(protoPPTP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: pptpDissector{}, Transport: TCP, Proto: protoPPTP, Order: orderOf("pptp")})
}
