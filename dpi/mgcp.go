package dpi

import "bytes"

// MGCP (RFC 3435) over UDP: a newline-terminated command "<VERB> <txid>
// <endpoint> MGCP <version>" with one of the nine verbs; the endpoint's
// domain (after '@', else the whole endpoint) becomes the server name.
type mgcpDissector struct{}

func (mgcpDissector) Name() string { return "MGCP" }

var protoMGCP = protoByName("MGCP")

var mgcpVerbs = [...]string{"AUEP ", "AUCX ", "CRCX ", "DLCX ", "EPCF ", "MDCX ", "NTFY ", "RQNT ", "RSIP "}

func (mgcpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 8 || b[len(b)-1] != '\n' {
		return NotMine
	}
	verb := false
	for _, v := range mgcpVerbs {
		if bytes.HasPrefix(b, []byte(v)) {
			verb = true
			break
		}
	}
	if !verb {
		return NotMine
	}
	// The searches stop at a NUL, as nDPI's C-string search does.
	text := b
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	sp := bytes.IndexByte(text[min(5, len(text)):], ' ')
	if sp < 0 {
		return NotMine
	}
	endpoint := 5 + sp + 1
	sp = bytes.IndexByte(text[endpoint:], ' ')
	if sp < 0 {
		return NotMine
	}
	mgcp := endpoint + sp + 1
	if !bytes.HasPrefix([]byte("MGCP "), text[mgcp:min(mgcp+5, len(text))]) {
		return NotMine
	}
	st.SetProtocol(protoMGCP, ProtoUnknown, ConfidenceDPI)
	host := endpoint
	if at := bytes.IndexByte(text[endpoint:mgcp], '@'); at >= 0 {
		host = endpoint + at + 1
	}
	st.setCServerName(b[host : mgcp-1])
	return Done
}

func init() {
	register(Spec{Dissector: mgcpDissector{}, Transport: UDP, Proto: protoMGCP, Order: orderOf("mgcp")})
}
