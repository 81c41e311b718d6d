package dpi

// H.323 (ITU-T video/voice signalling). Over TCP (not port 102, left to
// ISO-TSAP): TPKT-framed messages whose length is the packet; two of them
// make the flow H323, unless the first is an X.224 connection request or
// confirm, which is RDP. Over UDP: RAS messages on port 1719 and the
// broadcast shapes nDPI knows.
type h323Dissector struct{}

func (h323Dissector) Name() string { return "H323" }

var protoH323 = protoByName("H323")

type h323Flow struct{ valid uint8 }

var h323ID DissectorID

func (h323Dissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 {
		if p.DstPort != 102 && len(b) > 5 && b[0] == 3 && b[1] == 0 {
			if int(be16(b[2:])) != len(b) {
				return NotMine
			}
			if int(b[4]) == len(b)-5 && (b[5] == 0xe0 || b[5] == 0xd0) {
				st.SetProtocol(protoRDP, ProtoUnknown, ConfidenceDPI)
				return Done
			}
			s, _ := st.Data(h323ID).(*h323Flow)
			if s == nil {
				s = &h323Flow{}
				st.SetData(h323ID, s)
			}
			if s.valid++; s.valid >= 2 {
				return h323Found(st)
			}
		}
	} else {
		if len(b) >= 6 && b[0] == 0x80 && b[1] == 0x08 && (b[2] == 0xe7 || b[2] == 0x26) && b[4] == 0 && b[5] == 0 {
			return h323Found(st)
		}
		if hasPort(p, 1719) {
			if len(b) > 5 && b[0] == 0x16 && b[1] == 0x80 && b[4] == 0x06 && b[5] == 0 || len(b) >= 20 && len(b) <= 117 {
				return h323Found(st)
			}
			return NotMine
		}
	}
	if payloadCounter(st) > 5 {
		return NotMine
	}
	return NeedMore
}

func h323Found(st *State) Verdict {
	st.SetProtocol(protoH323, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	h323ID = register(Spec{Dissector: h323Dissector{}, Transport: TCPUDP, Proto: protoH323, Order: orderOf("h323")})
}
