package dpi

// NFS over ONC RPC (UDP, or TCP with the record marker): an RPC call
// (message type 0, RPC version 2) to the NFS (100003), mount (100005) or
// portmapper (100000) program, version ≤ 4.
type nfsDissector struct{}

func (nfsDissector) Name() string { return "NFS" }

var protoNFS = protoByName("NFS")

func (nfsDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	off := 0
	if p.Protocol == 6 {
		off = 4
	}
	if len(b) < 40+off || off == 4 && be32(b) != 0x80000000+uint32(len(b)-4) {
		return NotMine
	}
	prog := be32(b[12+off:])
	if be32(b[4+off:]) != 0 || be32(b[8+off:]) != 2 || prog != 100005 && prog != 100003 && prog != 100000 ||
		be32(b[16+off:]) > 4 {
		return NotMine
	}
	st.SetProtocol(protoNFS, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: nfsDissector{}, Transport: TCPUDP, Proto: protoNFS, Order: orderOf("nfs")})
}
