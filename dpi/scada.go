package dpi

// Industrial protocols over TCP (S7comm at the end of the file).
//
// DNP3: link-layer frames start with 05 64.
// IEC 60870-5-104: a chain of APDUs, each 0x68 then its length, that
// exactly fills the packet.
type dnp3Dissector struct{}

func (dnp3Dissector) Name() string { return "DNP3" }

var protoDNP3 = protoByName("DNP3")

func (dnp3Dissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 10 && b[0] == 0x05 && b[1] == 0x64 {
		st.SetProtocol(protoDNP3, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

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
	register(Spec{Dissector: dnp3Dissector{}, Transport: TCP, Proto: protoDNP3, Order: orderOf("dnp3")})
	register(Spec{Dissector: iec104Dissector{}, Transport: TCP, Proto: protoIEC60870, Order: orderOf("104")})
}

// S7comm (Siemens S7 over ISO-TSAP, TCP 102): a TPKT header 03 00.
type s7commDissector struct{}

func (s7commDissector) Name() string { return "s7comm" }

var protoS7comm = protoByName("s7comm")

func (s7commDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) >= 2 && b[0] == 0x03 && b[1] == 0x00 && hasPort(p, 102) {
		st.SetProtocol(protoS7comm, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: s7commDissector{}, Transport: TCP, Proto: protoS7comm, Order: orderOf("s7comm")})
}
