package dpi

import "bytes"

// Dropbox LAN sync discovery: UDP broadcasts between port 17500 and 17500
// carrying a JSON object with "host_int", or packets to 17500 carrying the
// "Bus17Cmd" command.
type dropboxDissector struct{}

func (dropboxDissector) Name() string { return "Dropbox" }

var protoDropbox = protoByName("Dropbox")

const dropboxLANSyncPort = 17500

func (dropboxDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol != 17 || p.DstPort != dropboxLANSyncPort || len(b) <= 10 {
		return NotMine
	}
	marker := []byte("Bus17Cmd")
	if p.SrcPort == dropboxLANSyncPort {
		marker = []byte(`"host_int"`)
	}
	// nDPI searches the payload as a C string: stop at the first NUL.
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if !bytes.Contains(b, marker) {
		return NotMine
	}
	st.SetProtocol(protoDropbox, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: dropboxDissector{}, Transport: UDP, Proto: protoDropbox, Order: orderOf("dropbox")})
}
