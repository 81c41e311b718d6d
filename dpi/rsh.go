package dpi

import "bytes"

// RSH (BSD remote shell, TCP 514). The client first sends its stderr port
// as decimal digits and a NUL, then "client-user\0server-user\0command\0".
// Midstream flows on port 514 are taken on a newline-terminated packet
// once more than five payload packets went by.
type rshDissector struct{}

func (rshDissector) Name() string { return "RSH" }

var protoRSH = protoByName("RSH")

const rshPort = 514

func (rshDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	n := payloadCounter(st)
	if hasPort(p, rshPort) && b[len(b)-1] == '\n' {
		if n > 5 {
			st.SetProtocol(protoRSH, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		return NeedMore
	}
	switch n {
	case 1: // the stderr port
		if len(b) < 2 || len(b) > 6 {
			return NotMine
		}
		for _, c := range b[:len(b)-1] {
			if c < '0' || c > '9' {
				return NotMine
			}
		}
		return NeedMore
	case 2:
		if len(b) < 3 || b[len(b)-1] != 0 {
			return NotMine
		}
		// Two printable NUL-terminated user names; the first may not end
		// the packet (a command must follow).
		a := bytes.IndexByte(b, 0)
		if a < 0 || !printable(b[:a]) || a >= len(b)-1 {
			return NotMine
		}
		c := bytes.IndexByte(b[a+1:], 0)
		if c < 0 || !printable(b[a+1:a+1+c]) {
			return NotMine
		}
		st.SetProtocol(protoRSH, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: rshDissector{}, Transport: TCP, Proto: protoRSH, Order: orderOf("rsh")})
}
