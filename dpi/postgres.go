package dpi

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

func init() {
	pgID = register(Spec{Dissector: postgresDissector{}, Transport: TCP, Proto: protoPostgreSQL, Order: orderOf("postgres")})
}
