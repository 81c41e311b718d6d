package dpi

// AMQP 0-9-1 over TCP: a frame header (type 0..3, channel, 32-bit size)
// whose size covers the packet, then a method frame's class (10
// connection .. 110 tunnel) and method (≤ 120).
type amqpDissector struct{}

func (amqpDissector) Name() string { return "AMQP" }

var protoAMQP = protoByName("AMQP")

func (amqpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 11 && b[0] <= 3 {
		size := be32(b[3:])
		class, method := be16(b[7:]), be16(b[9:])
		if uint64(size)+8 >= uint64(len(b)) && size < 32768 && class >= 10 && class <= 110 && method <= 120 {
			st.SetProtocol(protoAMQP, ProtoUnknown, ConfidenceDPI)
			return Done
		}
	}
	// nDPI never rules AMQP out: it keeps looking at later packets.
	return NeedMore
}

func init() {
	register(Spec{Dissector: amqpDissector{}, Transport: TCP, Proto: protoAMQP, Order: orderOf("amqp")})
}
