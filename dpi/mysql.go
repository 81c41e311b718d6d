package dpi

import "bytes"

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

func init() {
	register(Spec{Dissector: mysqlDissector{}, Transport: TCP, Proto: protoMySQL, Order: orderOf("mysql")})
}
