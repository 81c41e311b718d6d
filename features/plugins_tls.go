package features

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A strict TLS ClientHello/ServerHello reader and the JA4/JA4S
// fingerprints of the JA4 specification (FoxIO, technical_details/JA4.md
// and JA4S.md), used by the ja4 plugin with spec=true.

// TLS extension types the fingerprints look into.
const (
	tlsExtServerName          = 0x0000
	tlsExtSignatureAlgorithms = 0x000d
	tlsExtALPN                = 0x0010
	tlsExtSupportedVersions   = 0x002b
)

// tlsHello is what JA4/JA4S need from a hello.
type tlsHello struct {
	client        bool
	legacyVersion uint16
	// ciphers offered (client) or the one chosen (server).
	ciphers    []uint16
	extensions []uint16 // types in order, duplicates kept
	// supportedVersions offered (client) or the one selected (server).
	supportedVersions []uint16
	hasVersions       bool
	// alpn lists the protocols offered (client) or chosen (server).
	alpn    [][]byte
	sigAlgs []uint16
	hasSNI  bool
}

var errTLSShort = errors.New("truncated")

// tlsReader reads big-endian fields and fails with the field's name.
type tlsReader struct {
	b   []byte
	err error
}

func (r *tlsReader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = fmt.Errorf("%s: want %d bytes, have %d: %w", what, n, len(r.b), errTLSShort)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *tlsReader) u8(what string) int {
	if b := r.bytes(1, what); b != nil {
		return int(b[0])
	}
	return 0
}

func (r *tlsReader) u16(what string) int {
	if b := r.bytes(2, what); b != nil {
		return int(binary.BigEndian.Uint16(b))
	}
	return 0
}

func (r *tlsReader) u24(what string) int {
	if b := r.bytes(3, what); b != nil {
		return int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	}
	return 0
}

// vector reads a length-prefixed field (lenBytes 1 or 2).
func (r *tlsReader) vector(lenBytes int, what string) []byte {
	var n int
	if lenBytes == 1 {
		n = r.u8(what + " length")
	} else {
		n = r.u16(what + " length")
	}
	return r.bytes(n, what)
}

func u16List(b []byte, what string) ([]uint16, error) {
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("%s: odd length %d", what, len(b))
	}
	out := make([]uint16, len(b)/2)
	for i := range out {
		out[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return out, nil
}

// parseTLSHello reads one handshake message (type, 24-bit length, body)
// holding a ClientHello or a ServerHello. Trailing bytes after the message
// are ignored.
func parseTLSHello(msg []byte) (tlsHello, error) { return parseHello(msg, false) }

// parseHello reads a TLS hello, or a DTLS one (dtls: the ClientHello has a
// cookie after the session id; msg is the message with DTLS's extra
// handshake fields already removed).
func parseHello(msg []byte, dtls bool) (tlsHello, error) {
	r := &tlsReader{b: msg}
	typ := r.u8("handshake type")
	body := r.bytes(r.u24("handshake length"), "hello body")
	if r.err != nil {
		return tlsHello{}, r.err
	}
	var h tlsHello
	switch typ {
	case 1:
		h.client = true
	case 2:
	default:
		return tlsHello{}, fmt.Errorf("handshake type %d is not a hello", typ)
	}
	r = &tlsReader{b: body}
	h.legacyVersion = uint16(r.u16("version"))
	r.bytes(32, "random")
	r.vector(1, "session id")
	if h.client && dtls {
		r.vector(1, "cookie")
	}
	if h.client {
		cs := r.vector(2, "cipher suites")
		r.vector(1, "compression methods")
		if r.err == nil {
			var err error
			if h.ciphers, err = u16List(cs, "cipher suites"); err != nil {
				return tlsHello{}, err
			}
		}
	} else {
		h.ciphers = []uint16{uint16(r.u16("cipher suite"))}
		r.u8("compression method")
	}
	if r.err != nil {
		return tlsHello{}, r.err
	}
	if len(r.b) == 0 {
		return h, nil // no extensions
	}
	exts := &tlsReader{b: r.vector(2, "extensions")}
	if r.err != nil {
		return tlsHello{}, r.err
	}
	for len(exts.b) > 0 {
		typ := uint16(exts.u16("extension type"))
		data := exts.vector(2, "extension "+strconv.Itoa(int(typ)))
		if exts.err != nil {
			return tlsHello{}, exts.err
		}
		h.extensions = append(h.extensions, typ)
		if err := h.readExtension(typ, data); err != nil {
			return tlsHello{}, fmt.Errorf("extension %#04x: %w", typ, err)
		}
	}
	return h, nil
}

func (h *tlsHello) readExtension(typ uint16, data []byte) error {
	r := &tlsReader{b: data}
	var err error
	switch typ {
	case tlsExtServerName:
		h.hasSNI = true
	case tlsExtALPN:
		list := &tlsReader{b: r.vector(2, "protocol list")}
		for r.err == nil && len(list.b) > 0 {
			p := list.vector(1, "protocol")
			if list.err != nil {
				return list.err
			}
			h.alpn = append(h.alpn, p)
		}
	case tlsExtSupportedVersions:
		h.hasVersions = true
		if h.client {
			if v := r.vector(1, "versions"); r.err == nil {
				h.supportedVersions, err = u16List(v, "versions")
			}
		} else {
			h.supportedVersions = []uint16{uint16(r.u16("selected version"))}
		}
	case tlsExtSignatureAlgorithms:
		if v := r.vector(2, "algorithms"); r.err == nil {
			h.sigAlgs, err = u16List(v, "algorithms")
		}
	}
	if r.err != nil {
		return r.err
	}
	return err
}

// isGREASE reports RFC 8701's reserved values 0x0a0a, 0x1a1a … 0xfafa.
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

func withoutGREASE(list []uint16) []uint16 {
	out := make([]uint16, 0, len(list))
	for _, v := range list {
		if !isGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

// ja4Version maps a version as the specification lists them.
func ja4Version(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// helloVersion is the highest non-GREASE supported version (client), the
// selected one (server), or the hello's own version without the extension.
// DTLS versions count down (0xfefd is 1.2, 0xfefc 1.3): the highest is the
// smallest.
func (h *tlsHello) helloVersion() uint16 {
	if versions := withoutGREASE(h.supportedVersions); h.hasVersions && len(versions) > 0 {
		if slices.Min(versions) >= 0xfe00 {
			return slices.Min(versions)
		}
		return slices.Max(versions)
	}
	return h.legacyVersion
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// ja4ALPN is the first and last character of the first ALPN value, or of
// its hex text when either byte is not alphanumeric; "00" without one.
func ja4ALPN(alpn [][]byte) string {
	if len(alpn) == 0 || len(alpn[0]) == 0 {
		return "00"
	}
	v := alpn[0]
	first, last := v[0], v[len(v)-1]
	if isASCIIAlnum(first) && isASCIIAlnum(last) {
		return string([]byte{first, last})
	}
	h := hex.EncodeToString(v)
	return string([]byte{h[0], h[len(h)-1]})
}

func twoDigits(n int) string {
	n = min(n, 99)
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func hexJoin(list []uint16) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = fmt.Sprintf("%04x", v)
	}
	return strings.Join(parts, ",")
}

// truncatedSHA256 is the first 12 hex digits of SHA-256, or 12 zeros for
// an empty list.
func truncatedSHA256(s string) string {
	if s == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// ja4Fingerprint is JA4 of a ClientHello; proto is 't' (TCP), 'q' (QUIC)
// or 'd' (DTLS).
func ja4Fingerprint(h *tlsHello, proto byte) string {
	ciphers := withoutGREASE(h.ciphers)
	exts := withoutGREASE(h.extensions)
	sni := byte('i')
	if h.hasSNI {
		sni = 'd'
	}
	a := string(proto) + ja4Version(h.helloVersion()) + string(sni) +
		twoDigits(len(ciphers)) + twoDigits(len(exts)) + ja4ALPN(h.alpn)

	slices.Sort(ciphers)
	b := truncatedSHA256(hexJoin(ciphers))

	sorted := make([]uint16, 0, len(exts))
	for _, e := range exts {
		if e != tlsExtServerName && e != tlsExtALPN {
			sorted = append(sorted, e)
		}
	}
	slices.Sort(sorted)
	c := "000000000000"
	if len(sorted) > 0 {
		text := hexJoin(sorted)
		if algs := withoutGREASE(h.sigAlgs); len(algs) > 0 {
			text += "_" + hexJoin(algs)
		}
		c = truncatedSHA256(text)
	}
	return a + "_" + b + "_" + c
}

// ja4sFingerprint is JA4S of a ServerHello.
func ja4sFingerprint(h *tlsHello, proto byte) string {
	exts := withoutGREASE(h.extensions)
	a := string(proto) + ja4Version(h.helloVersion()) + twoDigits(len(exts)) + ja4ALPN(h.alpn)
	cipher := uint16(0)
	if len(h.ciphers) > 0 {
		cipher = h.ciphers[0]
	}
	return a + "_" + fmt.Sprintf("%04x", cipher) + "_" + truncatedSHA256(hexJoin(exts))
}
