package dpi

import "bytes"

// rsync daemon protocol over TCP: the 12-byte greeting "@RSYNCD: nn\n".
type rsyncDissector struct{}

func (rsyncDissector) Name() string { return "RSYNC" }

var protoRSYNC = protoByName("RSYNC")

func (rsyncDissector) Dissect(p *Packet, st *State) Verdict {
	if len(p.Payload) == 12 && bytes.HasPrefix(p.Payload, []byte("@RSYNCD:")) {
		st.SetProtocol(protoRSYNC, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	// nDPI never rules rsync out.
	return NeedMore
}

func init() {
	register(Spec{Dissector: rsyncDissector{}, Transport: TCP, Proto: protoRSYNC, Order: orderOf("rsync")})
}
