package dpi

import (
	"bytes"
	"crypto/md5"
	_ "embed"
	"encoding/hex"
	"strconv"
	"strings"
)

// TLS over TCP and DTLS over UDP (RFC 8446, 5246, 6347, 9147).
//
// Records are reassembled per direction (in TCP sequence order) and the
// handshake messages inside them are read: the ClientHello gives the SNI,
// ALPN and JA3, the ServerHello JA3S and the negotiated version, the
// server's Certificate the subject and alternative names that identify the
// application when the SNI did not. Like nDPI, a ClientHello, a ServerHello,
// a well-formed Alert or an Application Data record that fills the buffer
// exactly identifies TLS; dissection goes on until the certificate was read
// (or TLS 1.3 hid it) or both sides sent application data, for at most 12
// more packets.

var (
	protoTLS   = protoByName("TLS")
	protoDTLS  = protoByName("DTLS")
	protoSMTPS = protoByName("SMTPS")
	protoIMAPS = protoByName("IMAPS")
	protoPOPS  = protoByName("POPS")
	protoQUIC  = protoByName("QUIC")
)

const (
	tlsMaxBuffer   = 1 << 16 // bytes kept per direction while a record is incomplete
	tlsExtraPacket = 12      // nDPI's extra packets after detection
)

// tlsFlow is the TLS/DTLS/QUIC handshake state of a flow.
type tlsFlow struct {
	ch     ClientHello
	sh     ServerHello
	haveCH bool
	haveSH bool

	buf     [2][]byte // per-direction bytes of an incomplete record
	nextSeq [2]uint32 // next expected TCP sequence number per direction (0 unset)

	version       uint16 // negotiated (D)TLS version as nDPI tracks it
	helloSeen     bool
	chDir         uint8
	certDone      bool
	appData       [2]bool
	subprotoFound bool // an application was found from a name
}

func (st *State) tlsState() *tlsFlow {
	if st.tls == nil {
		st.tls = new(tlsFlow)
	}
	return st.tls
}

type tlsDissector struct{}

func (tlsDissector) Name() string { return "TLS" }

func init() {
	register(Spec{Dissector: tlsDissector{}, Transport: TCPUDP, Proto: protoTLS, Order: orderOf("tls")})
}

func (tlsDissector) Dissect(p *Packet, st *State) Verdict {
	if p.Protocol == 17 {
		return dissectDTLS(p, st)
	}
	return dissectTLSTCP(p, st)
}

// tlsMaster is the lower protocol of a TLS flow: a mail protocol on its
// implicit-TLS port, DTLS over UDP, TLS otherwise.
func tlsMaster(st *State, udp bool) ProtoID {
	if st.master != ProtoUnknown {
		return st.master
	}
	if st.app != ProtoUnknown {
		return st.app
	}
	if udp {
		return protoDTLS
	}
	for _, port := range [2]uint16{st.ClientPort, st.ServerPort} {
		switch port {
		case 465, 587:
			return protoSMTPS
		case 993:
			return protoIMAPS
		case 995:
			return protoPOPS
		}
	}
	return protoTLS
}

// tlsDetected marks the flow as TLS (or its master) unless already known.
func tlsDetected(st *State, udp bool) {
	if st.app != ProtoUnknown || st.master != ProtoUnknown {
		return
	}
	m := tlsMaster(st, udp)
	st.SetProtocol(m, ProtoUnknown, ConfidenceDPI)
	st.SetExtraLimit(tlsExtraPacket)
}

// looksLikeTLS makes TLS the give-up guess of a flow with no port guess.
func looksLikeTLS(st *State, udp bool) {
	if st.portGuess == ProtoUnknown {
		st.portGuess = tlsMaster(st, udp)
	}
}

func dissectTLSTCP(p *Packet, st *State) Verdict {
	if len(p.Payload) == 0 || st.retrans {
		return NeedMore
	}
	t := st.tlsState()
	d := p.Direction & 1

	// Append in sequence order (a packet that does not continue the buffer
	// is skipped, as nDPI does).
	seq, _, haveSeq := tcpSeqAck(p)
	data := p.Payload
	inOrder := !haveSeq || t.nextSeq[d] == 0 || seq == t.nextSeq[d]
	if haveSeq && inOrder {
		t.nextSeq[d] = seq + uint32(len(p.Payload))
	}
	if len(t.buf[d]) > 0 {
		if inOrder {
			if len(t.buf[d])+len(data) <= tlsMaxBuffer {
				t.buf[d] = append(t.buf[d], data...)
			}
		}
		data = t.buf[d]
	} else if !inOrder {
		return NeedMore
	}

	if len(data) == 0 {
		return NeedMore
	}
	if data[0] < 20 || data[0] > 26 {
		t.buf[d] = t.buf[d][:0]
		return tlsStop(st)
	}
	wrong := false
	for !wrong {
		if len(data) < 5 {
			break
		}
		n := int(be16(data[3:])) + 5
		if n > len(data) {
			break
		}
		ct := data[0]
		switch {
		case ct == 0x15: // alert
			if data[1] == 3 && data[2] <= 4 && int(be16(data[3:])) == len(data)-5 {
				tlsDetected(st, false)
			}
		}
		if n > 9 && ct != 0x17 && !t.certDone {
			off := 5
			for off+4 <= n {
				blk := data[off:]
				bl := int(be24(blk[1:]))
				if bl > n || blk[1] != 0 {
					wrong = true
					break
				}
				l := bl + 4
				if l > len(data) {
					l = len(data)
				}
				if off+l > n {
					wrong = true
					break
				}
				tlsBlock(st, t, blk[:l], d, false, 0)
				looksLikeTLS(st, false)
				off += l
			}
		} else if n > 5 && ct == 0x17 {
			bl := int(be16(data[3:]))
			if bl < 16384 {
				looksLikeTLS(st, false)
			}
			if data[1] == 3 && data[2] <= 4 && bl == len(data)-5 {
				tlsDetected(st, false)
			}
			t.appData[d] = true
			if t.appData[1-d] {
				t.certDone = true
			}
		}
		data = data[n:]
		if len(data) == 0 {
			break
		}
	}
	// Keep what is left for the next packet of this direction. After a
	// malformed record nDPI keeps the bytes too (and fails on them again),
	// but does not give up on TLS before detection.
	if len(data) > 0 {
		if len(t.buf[d]) > 0 {
			t.buf[d] = append(t.buf[d][:0], data...)
		} else {
			t.buf[d] = append(make([]byte, 0, len(data)+1024), data...)
		}
	} else {
		t.buf[d] = t.buf[d][:0]
	}
	// nDPI ends extra dissection here, but before detection it only stops
	// looking at this packet: later records may still identify TLS.
	if (t.certDone || wrong) && (st.app != ProtoUnknown || st.master != ProtoUnknown) {
		return tlsStop(st)
	}
	return NeedMore
}

// tlsStop ends TLS dissection: NotMine before detection, Done after.
func tlsStop(st *State) Verdict {
	if st.tls != nil {
		st.tls.buf = [2][]byte{}
	}
	if st.app == ProtoUnknown && st.master == ProtoUnknown {
		return NotMine
	}
	return Done
}

// tlsBlock handles one handshake message (type, 3-byte length, body; DTLS
// has 8 more header bytes).
func tlsBlock(st *State, t *tlsFlow, blk []byte, dir uint8, dtls bool, quicVersion uint32) {
	if len(blk) == 0 {
		return
	}
	switch blk[0] {
	case 1, 2:
		parseHello(st, t, blk, dtls, quicVersion)
		t.helloSeen = true
		if blk[0] == 1 {
			t.chDir = dir
		} else {
			t.chDir = 1 - dir
		}
		tlsDetected(st, dtls)
		if !dtls && blk[0] == 2 && t.version >= 0x0304 {
			t.certDone = true // TLS 1.3 encrypts the certificate
		}
	case 11:
		if t.helloSeen {
			if t.chDir != dir {
				parseCertificate(st, t, blk, dtls)
			}
			t.certDone = true
		}
	}
}

func isGREASE(b []byte) bool { return b[0] == b[1] && b[0]&0x0f == 0x0a }

// parseHello reads a ClientHello or ServerHello handshake message (with its
// 4-byte header, 12 for DTLS) and fills the hellos, JA3/JA3S, SNI and ALPN.
func parseHello(st *State, t *tlsFlow, m []byte, dtls bool, quicVersion uint32) {
	if len(m) < 4 || m[1] != 0 || int(be24(m[1:])) > len(m) {
		return
	}
	total := len(m)
	base, verOff := 38, 4
	if dtls {
		base, verOff = 46, 12
	}
	if base >= total || verOff+1 >= total {
		return
	}
	sidLen := int(m[base])
	version := be16(m[verOff:])
	if m[0] == 2 {
		parseServerHello(st, t, m, base, sidLen, version, dtls, quicVersion)
		return
	}
	parseClientHello(st, t, m, base, sidLen, version, dtls, quicVersion)
}

func parseServerHello(st *State, t *tlsFlow, m []byte, base, sidLen int, version uint16, dtls bool, quicVersion uint32) {
	total := len(m)
	off := base + sidLen + 1
	if off+3 > total {
		return
	}
	sh := &t.sh
	*sh = ServerHello{Version: version, QUIC: quicVersion != 0, DTLS: dtls, Extensions: sh.Extensions[:0]}
	sh.Cipher = be16(m[off:])
	off += 3
	extLen := 0
	if off+1 < total {
		extLen = int(be16(m[off:]))
	}
	off += 2
	for i := 0; i < extLen; {
		if off+4 > total {
			break
		}
		id := be16(m[off:])
		l := int(be16(m[off+2:]))
		if off+4+l > total {
			break
		}
		sh.Extensions = append(sh.Extensions, id)
		body := m[off+4 : off+4+l]
		switch id {
		case 43:
			if l >= 2 {
				sh.SupportedVersion = be16(body)
				t.version = sh.SupportedVersion
			}
		case 16:
			if len(body) > 3 {
				n := int(body[2])
				if 3+n <= len(body) {
					sh.ALPN = string(body[3 : 3+n])
				}
			}
		}
		i += 4 + l
		off += 4 + l
	}
	if t.version == 0 {
		t.version = version
	}
	t.haveSH = true

	var buf [512]byte
	s := strconv.AppendUint(buf[:0], uint64(version), 10)
	s = append(s, ',')
	s = strconv.AppendUint(s, uint64(sh.Cipher), 10)
	s = append(s, ',')
	for i, e := range sh.Extensions {
		if i > 0 {
			s = append(s, '-')
		}
		s = strconv.AppendUint(s, uint64(e), 10)
	}
	st.Meta().ServerFingerprint = md5Hex(s)
}

func md5Hex(s []byte) string {
	sum := md5.Sum(s)
	return hex.EncodeToString(sum[:])
}

func parseClientHello(st *State, t *tlsFlow, m []byte, base, sidLen int, version uint16, dtls bool, quicVersion uint32) {
	total := len(m)
	ch := &t.ch
	*ch = ClientHello{
		Version: version, QUIC: quicVersion != 0, DTLS: dtls,
		Ciphers: ch.Ciphers[:0], Extensions: ch.Extensions[:0], SupportedGroups: ch.SupportedGroups[:0],
		ECPointFormats: ch.ECPointFormats[:0], SignatureAlgorithms: ch.SignatureAlgorithms[:0],
		SupportedVersions: ch.SupportedVersions[:0], ALPN: ch.ALPN[:0],
	}
	t.haveCH = true
	if t.version == 0 || !t.haveSH {
		t.version = version
	}
	if sidLen+base+3 > total {
		return
	}
	var cipherLen, cipherOff, cookieLen int
	if !dtls {
		cipherLen = int(be16(m[base+sidLen+1:]))
		cipherOff = base + sidLen + 3
	} else {
		cookieLen = int(m[base+sidLen+1])
		if sidLen+base+cookieLen+4 > total {
			return
		}
		cipherLen = int(be16(m[base+sidLen+cookieLen+2:]))
		cipherOff = base + sidLen + cookieLen + 4
	}
	validJA3 := true
	// JA3 lists (GREASE values removed).
	var ja3Ciphers, ja3Ext, ja3Groups [512]uint16 // nDPI keeps at most 512 of each
	var ja3PF [512]uint8
	nc, ne, ng, npf := 0, 0, 0, 0
	if cipherOff+cipherLen <= total-1 {
		for i := 0; i+1 < cipherLen && cipherOff+i+1 < total; i += 2 {
			b := m[cipherOff+i:]
			id := be16(b)
			ch.Ciphers = append(ch.Ciphers, id)
			if !isGREASE(b) {
				if nc < len(ja3Ciphers) {
					ja3Ciphers[nc] = id
					nc++
				} else {
					validJA3 = false
				}
			}
		}
	} else {
		validJA3 = false
	}
	off := base + sidLen + cookieLen + cipherLen + 2
	if !dtls {
		off++
	} else {
		off += 2
	}
	if off >= total {
		return
	}
	compLen := int(m[off])
	off += 1 + compLen
	haveExt := false
	if off+1 < total {
		extLen := int(be16(m[off:]))
		off += 2
		if extLen+off <= total {
			haveExt = true
			for eo := 0; eo < extLen && off+eo+4 <= total; {
				start := off + eo
				id := be16(m[start:])
				l := int(be16(m[start+2:]))
				eo += 4
				if start+4+l > total {
					break
				}
				ch.Extensions = append(ch.Extensions, id)
				if id == 0 || !isGREASE(m[start:]) {
					if ne < len(ja3Ext) {
						ja3Ext[ne] = id
						ne++
					} else {
						validJA3 = false
					}
				}
				body := m[start+4 : start+4+l]
				switch id {
				case 0: // server_name: list length, type, name length, name
					if len(body) >= 5 {
						n := int(be16(body[3:]))
						if 5+n <= len(body) {
							name := body[5 : 5+n]
							ch.SNI = string(name)
							st.SetServerName(name)
							master := tlsMaster(st, dtls)
							if quicVersion != 0 {
								master = protoQUIC
							}
							if st.MatchHost(master, st.Reported().ServerName) {
								t.subprotoFound = true
							}
						}
					}
				case 10: // supported_groups
					for i := 2; i+1 < len(body); i += 2 {
						g := be16(body[i:])
						ch.SupportedGroups = append(ch.SupportedGroups, g)
						if g == 0 || !isGREASE(body[i:]) {
							if ng < len(ja3Groups) {
								ja3Groups[ng] = g
								ng++
							} else {
								validJA3 = false
							}
						}
					}
				case 11: // ec_point_formats
					for i := 1; i < len(body); i++ {
						ch.ECPointFormats = append(ch.ECPointFormats, body[i])
						if npf < len(ja3PF) {
							ja3PF[npf] = body[i]
							npf++
						} else {
							validJA3 = false
						}
					}
				case 13: // signature_algorithms
					for i := 2; i+1 < len(body); i += 2 {
						ch.SignatureAlgorithms = append(ch.SignatureAlgorithms, be16(body[i:]))
					}
				case 16: // ALPN
					if len(body) >= 2 {
						end := 2 + int(be16(body))
						if end > len(body) {
							end = len(body)
						}
						for i := 2; i < end; {
							n := int(body[i])
							i++
							if i+n > end {
								break
							}
							ch.ALPN = append(ch.ALPN, string(body[i:i+n]))
							i += n
						}
						if !t.subprotoFound && len(ch.ALPN) > 0 && len(ch.ALPN[0]) > 8 && ch.ALPN[0][:8] == "anydesk/" {
							st.SetProtocol(protoByName("AnyDesk"), tlsMaster(st, dtls), ConfidenceDPI)
							t.subprotoFound = true
						}
					}
				case 43: // supported_versions
					if len(body) >= 1 && int(body[0]) == l-1 {
						for i := 1; i+1 < len(body); i += 2 {
							ch.SupportedVersions = append(ch.SupportedVersions, be16(body[i:]))
						}
					}
				case 57, 0xffa5: // QUIC transport parameters
					if quicVersion != 0 {
						quicTransportParams(st, body, id == 57 || quicVarIntParams(quicVersion))
					}
				}
				eo += l
			}
		}
	}
	if !haveExt && off != total {
		return
	}
	if !validJA3 {
		return
	}
	// nDPI prints JA3 into a 1024-byte buffer and stops a list at the first
	// element that does not fit; the MD5 covers the C string left there.
	var j ja3Writer
	j.write(append(strconv.AppendUint(j.piece[:0], uint64(version), 10), ','))
	list := func(n int, at func(int) uint64) {
		for i := 0; i < n; i++ {
			p := j.piece[:0]
			if i > 0 {
				p = append(p, '-')
			}
			if !j.write(strconv.AppendUint(p, at(i), 10)) {
				break
			}
		}
	}
	list(nc, func(i int) uint64 { return uint64(ja3Ciphers[i]) })
	j.write([]byte{','})
	list(ne, func(i int) uint64 { return uint64(ja3Ext[i]) })
	j.write([]byte{','})
	list(ng, func(i int) uint64 { return uint64(ja3Groups[i]) })
	j.write([]byte{','})
	list(npf, func(i int) uint64 { return uint64(ja3PF[i]) })
	s := j.cstring()
	st.Meta().ClientFingerprint = md5Hex(s)
}

//go:embed data/certs.txt
var certsTxt string

type certRule struct {
	fragment string
	app      ProtoID
}

var certRules = loadCertRules(certsTxt)

func loadCertRules(txt string) []certRule {
	var out []certRule
	for _, line := range strings.Split(txt, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		frag, app, ok := strings.Cut(line, "\t")
		if !ok {
			panic("dpi: data/certs.txt: want fragment<TAB>application: " + line)
		}
		out = append(out, certRule{frag, protoByName(app)})
	}
	return out
}

// parseCertificate reads the server's Certificate message: the subject of
// the first certificate (matched against certs.txt) and its DNS alternative
// names (matched against the host rules) when the SNI gave no application.
func parseCertificate(st *State, t *tlsFlow, m []byte, dtls bool) {
	hdr := 4
	if dtls {
		hdr = 12
	}
	if len(m) < 4 {
		return
	}
	length := int(be24(m[1:]))
	certsOff := hdr + 3
	if len(m) != length+hdr || m[1] != 0 || certsOff >= len(m) {
		return
	}
	certsLen := int(be24(m[certsOff-3:]))
	if m[certsOff-3] != 0 || certsLen+3 != length {
		return
	}
	// Only the first certificate is the server's own.
	off := certsOff
	if off+3 > len(m) {
		return
	}
	cl := int(be24(m[off:]))
	if cl == 0 || m[off] != 0 || off+cl > hdr+certsLen {
		return
	}
	off += 3
	certElements(st, t, m, off, cl)
}

// certElements scans a DER certificate for the attribute OIDs nDPI looks
// at (as nDPI does, by pattern rather than by decoding the ASN.1 tree): the
// names before the validity are the issuer's, those after the subject's.
func certElements(st *State, t *tlsFlow, m []byte, start, certLen int) {
	var dn [512]byte
	subject := dn[:0]
	afterValidity := false
	end := certLen - 2 // nDPI's bound
	if end > len(m)-2 {
		end = len(m) - 2
	}
	// Only a 0x55 or the validity's 30 1e 17 can start a pattern: jump
	// between them (the next of each, searched again once passed) instead
	// of testing each byte of the keys and signatures in between.
	next55, nextValidity := -1, -1
	for i := start; i < end; i++ {
		if next55 < i {
			next55 = end
			if j := bytes.IndexByte(m[i:end], 0x55); j >= 0 {
				next55 = i + j
			}
		}
		if nextValidity < i {
			// A pattern starting before end may run two bytes past it.
			nextValidity = end
			if j := bytes.Index(m[i:end+2], []byte{0x30, 0x1e, 0x17}); j >= 0 && i+j < end {
				nextValidity = i + j
			}
		}
		if i = min(next55, nextValidity); i >= end {
			break
		}
		if m[i] == 0x55 && m[i+1] == 0x04 {
			var label string
			switch m[i+2] {
			case 0x03:
				label = "CN"
			case 0x06:
				label = "C"
			case 0x07:
				label = "L"
			case 0x08:
				label = "ST"
			case 0x0a:
				label = "O"
			case 0x0b:
				label = "OU"
			default:
				continue
			}
			if i+4 >= len(m) {
				break
			}
			n := int(m[i+4])
			if i+4+n >= len(m) {
				break
			}
			if afterValidity && printable(m[i+5:i+5+n]) {
				if len(subject) > 0 {
					subject = append(subject, ", "...)
				}
				subject = append(subject, label...)
				subject = append(subject, '=')
				v := m[i+5 : i+5+n]
				if len(v) > 63 {
					v = v[:63]
				}
				subject = append(subject, v...)
			}
			continue
		}
		if m[i] == 0x30 && m[i+1] == 0x1e && m[i+2] == 0x17 {
			afterValidity = true
			continue
		}
		if m[i] == 0x55 && m[i+1] == 0x1d && m[i+2] == 0x11 {
			i = certAltNames(st, t, m, i)
		}
	}
	if len(subject) > 0 && st.master == ProtoUnknown {
		s := string(subject)
		for _, r := range certRules {
			if strings.Contains(s, r.fragment) {
				st.SetProtocol(r.app, tlsMaster(st, t.ch.DTLS), ConfidenceDPI)
				st.category = ""
				break
			}
		}
	}
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// certAltNames walks a subjectAltName extension starting at its OID (at i)
// and returns the index where the scan resumes.
func certAltNames(st *State, t *tlsFlow, m []byte, i int) int {
	n := len(m)
	i += 3
	if i >= n {
		return i
	}
	if m[i] == 0x04 {
		i++
	} else {
		i += 4
	}
	if i >= n {
		return i
	}
	if m[i]&0x80 != 0 {
		i += int(m[i] & 0x7f)
	}
	if i >= n {
		return i
	}
	i += 2
	if i >= n {
		return i
	}
	if m[i]&0x80 != 0 {
		i += int(m[i] & 0x7f)
	}
	i++
	for i < n {
		typ := m[i]
		if typ != 0x81 && typ != 0x82 && typ != 0x87 {
			break
		}
		if i >= n-1 || i+int(m[i+1])+2 >= n {
			break
		}
		l := int(m[i+1])
		i += 2
		if l == 0 || i+l > n {
			break
		}
		if typ == 0x82 && !t.subprotoFound {
			name := m[i : i+l]
			if len(name) > 2 && name[0] == '*' && name[1] == '.' {
				name = name[1:]
			}
			if st.MatchHost(tlsMaster(st, t.ch.DTLS), string(name)) {
				t.subprotoFound = true
			}
		}
		i += l
	}
	return i
}

// ja3Writer reproduces nDPI's bounded JA3 string: each piece is written as
// snprintf would at the current length (truncated, NUL-terminated) and the
// length advances only when the whole piece fit.
type ja3Writer struct {
	buf   [1024]byte
	n     int // accepted length
	end   int // strlen of the buffer after the last write
	piece [32]byte
}

// write stores one piece, reporting whether it fit whole.
func (j *ja3Writer) write(piece []byte) bool {
	w := min(len(piece), len(j.buf)-j.n-1)
	copy(j.buf[j.n:], piece[:w])
	j.end = j.n + w
	if j.n+len(piece) < len(j.buf) {
		j.n += len(piece)
		return true
	}
	return false
}

// cstring is the string C would see in the buffer.
func (j *ja3Writer) cstring() []byte { return j.buf[:j.end] }
