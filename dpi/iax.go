package dpi

// IAX2 (Asterisk) on UDP 4569: a full frame (high bit of the source call
// number) opening a call (outbound sequence 0, inbound 0 or 1, frame type
// 6 = IAX control, subclass ≤ 15) whose information elements end exactly
// at the packet end (at most 15 of them).
type iaxDissector struct{}

func (iaxDissector) Name() string { return "IAX" }

var protoIAX = protoByName("IAX")

func (iaxDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if hasPort(p, 4569) && len(b) >= 12 && b[0]&0x80 != 0 && b[8] == 0 && b[9] <= 1 && b[10] == 0x06 && b[11] <= 15 {
		if len(b) == 12 {
			return iaxFound(st)
		}
		n := 12
		for range 15 {
			if n+1 >= len(b) {
				break
			}
			n += 2 + int(b[n+1])
			if n == len(b) {
				return iaxFound(st)
			}
		}
	}
	return NotMine
}

func iaxFound(st *State) Verdict {
	st.SetProtocol(protoIAX, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: iaxDissector{}, Transport: UDP, Proto: protoIAX, Order: orderOf("iax")})
}
