package dpi

import "bytes"

// Database protocols over TCP.
//
// MySQL: the server greeting (3-byte little-endian length of the rest,
// sequence 0, protocol 10, a version "5.…"/"8.…", and an authentication
// plugin name "mysql_…" 22 bytes before the end).
type mysqlDissector struct{}

func (mysqlDissector) Name() string { return "MySQL" }

var protoMySQL = protoByName("MySQL")

func (mysqlDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 38 && int(b[2])<<16|int(b[1])<<8|int(b[0]) == len(b)-4 && b[2] == 0 && b[3] == 0 &&
		b[5] > 0x30 && b[5] < 0x39 && b[6] == '.' && bytes.HasPrefix(b[len(b)-22:], []byte("mysql_")) {
		st.SetProtocol(protoMySQL, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

// PostgreSQL: a startup, SSL or GSS-encryption request (32-bit length of
// the packet, then a protocol version or the 1234/5679-5680 request codes)
// answered from the other side by 'S'/'N'/'G' or an authentication
// request ('R').
type postgresDissector struct{}

func (postgresDissector) Name() string { return "PostgreSQL" }

var protoPostgreSQL = protoByName("PostgreSQL")

// pgFlow is nDPI's postgres_stage: 1/2 SSL request, 3/4 startup, 5/6 GSS
// request, sent in nDPI direction 0/1.
type pgFlow struct{ stage uint8 }

var pgID DissectorID

func (postgresDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	dir := ndpiDirection(p)
	s, _ := st.Data(pgID).(*pgFlow)
	if s == nil || s.stage == 0 {
		if len(b) <= 7 || int(be32(b)) != len(b) {
			return NotMine
		}
		stage := uint8(0)
		switch {
		case be32(b[4:]) == 0x04d2162f: // SSLRequest
			stage = 1
		case be32(b[4:]) < 0x00040000: // StartupMessage, protocol 3.x and older
			stage = 3
		case be32(b[4:]) == 0x04d21630: // GSSENCRequest
			stage = 5
		default:
			return NotMine
		}
		st.SetData(pgID, &pgFlow{stage: stage + dir})
		return NeedMore
	}
	found := false
	switch s.stage {
	case 2 - dir: // SSL answer
		found = len(b) == 1 && (b[0] == 'S' || b[0] == 'N')
	case 4 - dir: // authentication request
		found = len(b) > 8 && b[0] == 'R' && (be32(b[5:]) < 10 && int(be32(b[1:])) == len(b)-1 ||
			be32(b[5:]) == 0 && be32(b[1:]) == 8)
	case 6 - dir: // GSS answer
		found = len(b) == 1 && (b[0] == 'G' || b[0] == 'N')
	}
	if !found {
		return NotMine
	}
	st.SetProtocol(protoPostgreSQL, ProtoUnknown, ConfidenceDPI)
	return Done
}

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
	register(Spec{Dissector: mysqlDissector{}, Transport: TCP, Proto: protoMySQL, Order: orderOf("mysql")})
	pgID = register(Spec{Dissector: postgresDissector{}, Transport: TCP, Proto: protoPostgreSQL, Order: orderOf("postgres")})
	redisID = register(Spec{Dissector: redisDissector{}, Transport: TCP, Proto: protoRedis, Order: orderOf("redis")})
}
