package dpi

// IEC 60870-5-104 over TCP: a chain of APDUs, each 0x68 then its
// length, that exactly fills the packet.
type iec104Dissector struct{}

func (iec104Dissector) Name() string { return "IEC60870" }

var protoIEC60870 = protoByName("IEC60870")

func (iec104Dissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	for off := 0; off+1 < len(b) && b[off] == 0x68 && b[off+1] != 0; {
		next := off + 2 + int(b[off+1])
		if next == len(b) {
			st.SetProtocol(protoIEC60870, ProtoUnknown, ConfidenceDPI)
			return Done
		}
		off = next
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: iec104Dissector{}, Transport: TCP, Proto: protoIEC60870, Order: orderOf("104")})
}
