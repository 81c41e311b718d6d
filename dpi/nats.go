package dpi

// NATS: its text protocol opens with an upper-case verb ("INFO {",
// "CONNECT {", "PUB ", "SUB ", "UNSUB ", "MSG ", "PING", "PONG") and a
// CRLF somewhere in the packet.
type natsDissector struct{}

func (natsDissector) Name() string { return "Nats" }

var protoNats = protoByName("Nats")

var natsVerbs = [...]string{"INFO {", "CONNECT {", "PUB ", "SUB ", "UNSUB ", "MSG ", "PING", "PONG"}

func (natsDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) <= 4 {
		return NeedMore
	}
	for _, v := range natsVerbs {
		n := min(len(v), len(b))
		if string(b[:n]) == v[:n] && cContains(b, "\r\n") {
			st.SetProtocol(protoNats, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: natsDissector{}, Transport: TCP, Proto: protoNats, Order: orderOf("nats")})
}
