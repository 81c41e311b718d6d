package dpi

// Redis: RESP arrays ('*') answered by simple strings ('+') or integers
// (':'), the first bytes of the two sides' latest packets.
type redisDissector struct{}

func (redisDissector) Name() string { return "Redis" }

var protoRedis = protoByName("Redis")

type redisFlow struct{ first [2]byte }

var redisID DissectorID

func (redisDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 20 {
		return NotMine
	}
	s, _ := st.Data(redisID).(*redisFlow)
	if s == nil {
		s = &redisFlow{}
		st.SetData(redisID, s)
	}
	s.first[ndpiDirection(p)] = b[0]
	a, c := s.first[0], s.first[1]
	if a == 0 || c == 0 {
		return NeedMore
	}
	if a == '*' && (c == '+' || c == ':') || c == '*' && (a == '+' || a == ':') {
		st.SetProtocol(protoRedis, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	redisID = register(Spec{Dissector: redisDissector{}, Transport: TCP, Proto: protoRedis, Order: orderOf("redis")})
}
