package dpi

// tlsFlow is the TLS/DTLS/QUIC handshake state of a flow.
type tlsFlow struct {
	ch     ClientHello
	sh     ServerHello
	haveCH bool
	haveSH bool
	buf    [2][]byte // per-direction reassembly of handshake records
}
