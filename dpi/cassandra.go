package dpi

// Cassandra's native protocol (CQL) over TCP: a 9-byte frame header with a
// request/response version 1..4, flags in the low nibble, a known opcode
// and a body length covering the rest. nDPI waits for the fourth packet
// with payload before deciding.
type cassandraDissector struct{}

func (cassandraDissector) Name() string { return "Cassandra" }

var protoCassandra = protoByName("Cassandra")

func (cassandraDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 9 {
		return NotMine
	}
	v := b[0] &^ 0x80
	body := be32(b[5:])
	if v < 1 || v > 4 || b[1]&0xf0 != 0 || b[4] > 0x10 || b[4] == 0x04 ||
		body > 256<<20 || uint64(body) < uint64(len(b)-9) {
		return NotMine
	}
	if payloadCounter(st) > 3 {
		st.SetProtocol(protoCassandra, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NeedMore
}

func init() {
	register(Spec{Dissector: cassandraDissector{}, Transport: TCP, Proto: protoCassandra, Order: orderOf("cassandra")})
}
