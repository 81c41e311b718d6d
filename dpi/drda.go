package dpi

// DRDA (IBM DB2's Distributed Relational Database Architecture) over TCP:
// a chain of DSS headers (length, magic 0xD0, format, correlation id, then
// a DDM length six below the DSS length) that exactly fills the packet.
type drdaDissector struct{}

func (drdaDissector) Name() string { return "DRDA" }

var protoDRDA = protoByName("DRDA")

const drdaHeaderLen = 10

func isDRDAHeader(b []byte) (int, bool) {
	n := int(be16(b))
	return n, b[2] == 0xd0 && n == int(be16(b[6:]))+6
}

func (drdaDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < drdaHeaderLen {
		return NotMine
	}
	n, ok := isDRDAHeader(b)
	if !ok {
		return NotMine
	}
	if len(b) > n {
		off := n
		for off+drdaHeaderLen < len(b) {
			m, ok := isDRDAHeader(b[off:])
			if !ok {
				return NotMine
			}
			off += m
			if m == 0 {
				return NotMine // nDPI would spin here; a zero length cannot be DRDA
			}
		}
		if off != len(b) {
			return NotMine
		}
	}
	st.SetProtocol(protoDRDA, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: drdaDissector{}, Transport: TCP, Proto: protoDRDA, Order: orderOf("drda")})
}
