package dpi

// Oracle TNS over TCP: on port 1521, a 07 ff 00 marker or a large packet
// with a TNS header (length, zero checksum); anywhere, the 213-byte
// connect packet 00 d5 00 00.
type oracleDissector struct{}

func (oracleDissector) Name() string { return "Oracle" }

var protoOracle = protoByName("Oracle")

func (oracleDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	found := hasPort(p, 1521) && (len(b) >= 3 && b[0] == 0x07 && b[1] == 0xff && b[2] == 0 ||
		len(b) >= 232 && (b[0] == 0 || b[0] == 1) && b[1] != 0 && b[2] == 0 && b[3] == 0) ||
		len(b) == 213 && b[0] == 0 && b[1] == 0xd5 && b[2] == 0 && b[3] == 0
	if found {
		st.SetProtocol(protoOracle, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	// nDPI never rules Oracle out.
	return NeedMore
}

func init() {
	register(Spec{Dissector: oracleDissector{}, Transport: TCP, Proto: protoOracle, Order: orderOf("oracle")})
}
