package dpi

import "bytes"

// SMB over TCP 445 (direct hosting): a 4-byte NetBIOS session header
// (type 0, 24-bit length) before an SMB1 ("\xffSMB") or SMB2/3
// ("\xfeSMB") header. nDPI reports them under NetBIOS; an SMB1 negotiate
// request alone does not decide (clients offer SMB1 dialects on the way to
// SMB2).
type smbDissector struct{}

func (smbDissector) Name() string { return "SMB" }

var protoSMBv23 = protoByName("SMBv23")

func (smbDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if !hasPort(p, 445) || len(b) <= 40 || b[0] != 0 || int(be24(b[1:])) < len(b)-4 {
		return NotMine
	}
	switch {
	case bytes.HasPrefix(b[4:], []byte("\xffSMB")):
		if b[8] == 0x72 { // SMB1 negotiate
			return NeedMore
		}
		st.SetProtocol(protoSMBv1, protoNetBIOS, ConfidenceDPI)
		return Done
	case bytes.HasPrefix(b[4:], []byte("\xfeSMB")):
		st.SetProtocol(protoSMBv23, protoNetBIOS, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	// Registered for SMBv1, the protocol nDPI guesses from port 445, so that
	// it runs first on such flows.
	register(Spec{Dissector: smbDissector{}, Transport: TCP, Proto: protoSMBv1, Order: orderOf("smb")})
}
