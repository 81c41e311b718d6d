package dpi

// Microsoft SQL Server's TDS: an 8-byte packet header (type, status,
// length of the whole packet, channel, packet number, window 0). Port 102
// is left alone: ISO TPKT looks the same.
type mssqlTDSDissector struct{}

func (mssqlTDSDissector) Name() string { return "MsSQL-TDS" }

var protoMsSQLTDS = protoByName("MsSQL-TDS")

func (mssqlTDSDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 8 || p.DstPort == 102 {
		return NotMine
	}
	typ, status := b[0], b[1]
	if (typ >= 1 && typ <= 8 || typ >= 14 && typ <= 18) &&
		(status <= 2 || status == 4 || status == 8 || status == 9 || status == 0x10) &&
		int(be16(b[2:])) == len(b) && b[7] == 0 {
		st.SetProtocol(protoMsSQLTDS, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: mssqlTDSDissector{}, Transport: TCP, Proto: protoMsSQLTDS, Order: orderOf("mssql_tds")})
}
