package dpi

// SOCKS over TCP: a SOCKS4 CONNECT/BIND request (version 4, command 1/2,
// NUL-terminated user id) answered from the other side by an 8-byte reply
// with status 0x5a-0x5d, or a SOCKS5 greeting offering "no
// authentication" (05 01 00) answered by 05 00.
type socksDissector struct{}

func (socksDissector) Name() string { return "SOCKS" }

var protoSOCKS = protoByName("SOCKS")

// socksFlow holds 1+nDPI direction of a pending v4 and v5 request.
type socksFlow struct{ v4, v5 uint8 }

var socksID DissectorID

func (socksDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 20 {
		return NotMine
	}
	dir := ndpiDirection(p)
	var scratch socksFlow
	s, stored := loadState(st, socksID, &scratch)
	defer keepState(st, socksID, s, stored)
	// SOCKS4
	if s.v4 == 0 {
		if len(b) >= 9 && b[0] == 4 && (b[1] == 1 || b[1] == 2) && b[len(b)-1] == 0 {
			s.v4 = dir + 1
		}
	} else if s.v4-dir != 1 {
		if len(b) == 8 && b[0] == 0 && b[1] >= 0x5a && b[1] <= 0x5d {
			return socksFound(st)
		}
		s.v4 = 0
	}
	// SOCKS5
	if s.v5 == 0 {
		if len(b) == 3 && b[0] == 5 && b[1] == 1 && b[2] == 0 {
			s.v5 = dir + 1
		}
	} else if s.v5-dir != 1 {
		if len(b) == 2 && b[0] == 5 && b[1] == 0 {
			return socksFound(st)
		}
		s.v5 = 0
	}
	return NeedMore
}

func socksFound(st *State) Verdict {
	st.SetProtocol(protoSOCKS, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	socksID = register(Spec{Dissector: socksDissector{}, Transport: TCP, Proto: protoSOCKS, Order: orderOf("socks")})
}
