package dpi

// WebSocket frames over TCP (after an upgrade nDPI did not see): a final
// or continued text, binary, close, ping or pong frame whose 7-bit length
// plus a 2-byte header is the packet. (nDPI compares the mask bit with 1,
// so it never counts the 4-byte masking key; kept as is.)
type websocketDissector struct{}

func (websocketDissector) Name() string { return "WebSocket" }

var protoWebSocket = protoByName("WebSocket")

func (websocketDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 10 || len(b) < 2 || len(b) != 2+int(b[1]&0x7f) {
		return NotMine
	}
	switch b[0] &^ 0x80 {
	case 0x01, 0x02, 0x08, 0x09, 0x0a:
		st.SetProtocol(protoWebSocket, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: websocketDissector{}, Transport: TCP, Proto: protoWebSocket, Order: orderOf("websocket")})
}
