package dpi

// RX, the RPC transport of AFS: a 28-byte header (epoch, connection id,
// call, sequence and serial numbers, type, flags, status, security index,
// checksum, service id). Plausible type, flags and security on both sides
// with the same epoch and connection id make the flow RX.
type rxDissector struct{}

func (rxDissector) Name() string { return "RX" }

var protoRX = protoByName("RX")

type rxFlow struct{ epoch, conn uint32 }

var rxID DissectorID

func (rxDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 28 {
		return NotMine
	}
	typ, flags, security := b[20], b[21], b[23]
	if typ < 1 || typ > 13 || typ == 12 { // 12 (params 4) is not an RX packet type nDPI accepts
		return NotMine
	}
	switch flags {
	case 0, 1, 2, 3, 4, 5, 6, 9, 33, 34:
	default:
		return NotMine
	}
	if security > 3 {
		return NotMine
	}
	epoch, conn := be32(b), be32(b[4:])
	if st.Packets[1-p.Direction&1] == 0 {
		if s, _ := st.Data(rxID).(*rxFlow); s != nil {
			s.epoch, s.conn = epoch, conn
		} else {
			st.SetData(rxID, &rxFlow{epoch, conn})
		}
		return NeedMore
	}
	if s, _ := st.Data(rxID).(*rxFlow); s != nil && s.epoch == epoch && s.conn == conn {
		st.SetProtocol(protoRX, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	rxID = register(Spec{Dissector: rxDissector{}, Transport: UDP, Proto: protoRX, Order: orderOf("rx")})
}
