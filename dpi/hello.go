package dpi

// ClientHello holds the parsed fields of a TLS (or QUIC/DTLS) ClientHello,
// kept for fingerprint plugins such as JA4. Slices are owned by the flow.
type ClientHello struct {
	Version             uint16   // legacy_version of the hello
	Ciphers             []uint16 // in wire order, GREASE included
	Extensions          []uint16 // extension types in wire order, GREASE included
	SupportedGroups     []uint16
	ECPointFormats      []uint8
	SignatureAlgorithms []uint16
	SupportedVersions   []uint16
	ALPN                []string
	SNI                 string
	QUIC, DTLS          bool
}

// ServerHello holds the parsed fields of a TLS ServerHello.
type ServerHello struct {
	Version          uint16 // legacy_version
	Cipher           uint16
	Extensions       []uint16
	SupportedVersion uint16 // from supported_versions, 0 when absent
	ALPN             string
	QUIC, DTLS       bool
}

// ClientHello returns the flow's parsed ClientHello, or nil.
func (f *Flow) ClientHello() *ClientHello {
	if f.st.tls == nil || !f.st.tls.haveCH {
		return nil
	}
	return &f.st.tls.ch
}

// ServerHello returns the flow's parsed ServerHello, or nil.
func (f *Flow) ServerHello() *ServerHello {
	if f.st.tls == nil || !f.st.tls.haveSH {
		return nil
	}
	return &f.st.tls.sh
}
