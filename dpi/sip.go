package dpi

// SIP (RFC 3261): a request line "<METHOD> sip:" (or tel: for some
// methods) or a status line "SIP/2.0 ", in upper or lower case, possibly
// behind a 4-byte TURN ChannelData header. UDP flows get 20 packets to
// show one.
type sipDissector struct{}

func (sipDissector) Name() string { return "SIP" }

var protoSIP = protoByName("SIP")

// sipMethods: request methods and whether a tel: URI is accepted too.
var sipMethods = [...]struct {
	name string
	tel  bool
}{
	{"NOTIFY ", false}, {"REGISTER ", false}, {"INVITE ", false}, {"BYE ", false}, {"ACK ", true},
	{"CANCEL ", true}, {"PUBLISH ", false}, {"SUBSCRIBE ", false}, {"MESSAGE ", false},
	{"OPTIONS ", true}, {"REFER ", false}, {"PRACK ", false}, {"INFO ", false},
}

func (sipDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 4 && int(be16(b[2:])) == len(b)-4 {
		b = b[4:] // TURN ChannelData
	}
	if len(b) >= 14 && isSIPStart(b) {
		st.SetProtocol(protoSIP, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	if p.Protocol == 17 && payloadCounter(st) < 20 {
		return NeedMore
	}
	if len(b) == 4 && be32(b) == 0 { // keep-alive
		return NeedMore
	}
	return NotMine
}

// isSIPStart matches the start of a SIP message in one case: all upper or
// all lower (b has at least 14 bytes).
func isSIPStart(b []byte) bool {
	if caseEq(b[:8], "SIP/2.0 ") {
		return true
	}
	for _, m := range sipMethods {
		if !caseEq(b[:len(m.name)], m.name) {
			continue
		}
		uri := b[len(m.name) : len(m.name)+4]
		return caseEq(uri, "SIP:") || m.tel && caseEq(uri, "TEL:")
	}
	return false
}

// caseEq compares b with upper-case s as nDPI does: b equal to s, or to s
// in lower case (not mixed case).
func caseEq(b []byte, s string) bool {
	if string(b) == s {
		return true
	}
	if len(b) != len(s) {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if b[i] != c {
			return false
		}
	}
	return true
}

func init() {
	register(Spec{Dissector: sipDissector{}, Transport: TCPUDP, Proto: protoSIP, Order: orderOf("sip")})
}
