package dpi

// Modbus/TCP on port 502: the MBAP header's length field (unit id plus
// PDU) matches the packet.
type modbusDissector struct{}

func (modbusDissector) Name() string { return "Modbus" }

var protoModbus = protoByName("Modbus")

func (modbusDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 8 && hasPort(p, 502) && int(be16(b[4:]))-1 == len(b)-7 {
		st.SetProtocol(protoModbus, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: modbusDissector{}, Transport: TCP, Proto: protoModbus, Order: orderOf("modbus")})
}
