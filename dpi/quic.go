package dpi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
)

// QUIC (RFC 9000/9001, QUIC v2 draft, IETF drafts, Facebook mvfst and
// Google QUIC Q0xx/T0xx). The client's first Initial packet identifies
// QUIC; its payload is decrypted with the version's Initial secrets (derived
// from the destination connection id) and the CRYPTO frames, reassembled
// when the ClientHello spans frames or datagrams, give the TLS ClientHello:
// SNI (QUIC.<App> through the host rules), JA3 and the Google user agent
// transport parameter. Old Google versions carry a plain CHLO message whose
// SNI and UAID tags are read instead.

type quicDissector struct{}

func (quicDissector) Name() string { return "QUIC" }

var quicID = register(Spec{Dissector: quicDissector{}, Transport: UDP, Proto: protoQUIC, Order: orderOf("quic")})

const (
	qQ024 = 0x51303234
	qQ025 = 0x51303235
	qQ030 = 0x51303330
	qQ033 = 0x51303333
	qQ034 = 0x51303334
	qQ035 = 0x51303335
	qQ037 = 0x51303337
	qQ039 = 0x51303339
	qQ043 = 0x51303433
	qQ046 = 0x51303436
	qQ050 = 0x51303530
	qT050 = 0x54303530
	qT051 = 0x54303531
	qMV22 = 0xfaceb001
	qMV27 = 0xfaceb002
	qMVEX = 0xfaceb00e
	qV2d  = 0x709a50c4
	qV1   = 0x00000001
)

func quicIsGoogle(v uint32) bool {
	switch v & 0xffffff00 {
	case 0x54303500, 0x51303500, 0x51303400, 0x51303300, 0x51303200:
		return true
	}
	return false
}

func quicIsIETF(v uint32) bool {
	return v == qV1 || v&0xffffff00 == 0xff000000 || v&0xfffff000 == 0xfaceb000 ||
		v&0x0f0f0f0f == 0x0a0a0a0a || v == qV2d
}

// quicDraft maps an IETF-style version to its draft number (v1 = 34, v2 = 100).
func quicDraft(v uint32) int {
	switch {
	case v>>8 == 0xff0000:
		return int(v & 0xff)
	case v == qV1:
		return 34
	case v == qMV22:
		return 22
	case v == qMV27 || v == qMVEX:
		return 27
	case v&0x0f0f0f0f == 0x0a0a0a0a:
		return 29
	case v == qV2d:
		return 100
	}
	return 0
}

func quicDraftAtMost(v uint32, n int) bool { d := quicDraft(v); return d != 0 && d <= n }

// quicGoogleNum returns 43 for Q043 and so on, 0 for other versions.
func quicGoogleNum(v uint32) int {
	if !quicIsGoogle(v) {
		return 0
	}
	a, b := byte(v>>8), byte(v)
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0
	}
	return int(a-'0')*10 + int(b-'0')
}

func quicGoogleAtMost(v uint32, n int) bool { g := quicGoogleNum(v); return g != 0 && g <= n }

func quicSupported(v uint32) bool {
	switch v {
	case qQ024, qQ025, qQ030, qQ033, qQ034, qQ035, qQ037, qQ039, qQ043, qQ046, qQ050, qT050, qT051, qMV22, qMV27, qMVEX:
		return true
	}
	return quicDraft(v) >= 23
}

func quicEncryptedHeader(v uint32) bool {
	return quicIsIETF(v) || v&0xffffff00 == 0x51303500 || v&0xffffff00 == 0x54303500
}

func quicWithTLS(v uint32) bool { return quicIsIETF(v) || v&0xffffff00 == 0x54303500 }

func quicIETFLongHeader(v uint32) bool {
	return quicIsIETF(v) || v&0xffffff00 == 0x51303500 || v&0xffffff00 == 0x54303500
}

func quicVarIntParams(v uint32) bool {
	return (quicIsIETF(v) && quicDraft(v) >= 27) || v == qT051
}

// quicVarint reads a variable-length integer; n is 0 when b is too short.
func quicVarint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v = uint64(b[0] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n
}

// quicState is kept for flows whose ClientHello spans several datagrams.
type quicState struct {
	zeroRTT bool
	reasm   []byte // CRYPTO stream bytes at their offsets (up to 4096)
	have    []bool
	last    int
}

func (s *quicState) pending() bool {
	return s != nil && s.reasm != nil && !(s.complete() && chComplete(s.reasm[:s.last]))
}

func (s *quicState) complete() bool {
	for i := 0; i < s.last; i++ {
		if !s.have[i] {
			return false
		}
	}
	return true
}

func chComplete(b []byte) bool { return len(b) >= 4 && 4+int(be24(b[1:])) == len(b) }

func (quicDissector) Dissect(p *Packet, st *State) Verdict {
	qs, _ := st.Data(quicID).(*quicState)
	if st.app != ProtoUnknown || st.master != ProtoUnknown {
		// Extra dissection: only while a ClientHello is being reassembled.
		if qs.pending() {
			quicSearch(p, st, qs)
			if qs.pending() {
				return NeedMore
			}
		}
		return Done
	}
	return quicSearch(p, st, qs)
}

func quicSearch(p *Packet, st *State, qs *quicState) Verdict {
	pl := p.Payload
	version, initial := quicMayBeInitial(pl)
	if !initial {
		if !qs.pending() {
			if quicMayBe0RTT(pl) {
				if qs == nil {
					qs = &quicState{}
					st.SetData(quicID, qs)
				}
				qs.zeroRTT = true
				if st.PayloadPackets[0]+st.PayloadPackets[1] >= 3 {
					st.SetProtocol(protoQUIC, ProtoUnknown, ConfidenceDPI)
					return Done
				}
				return NeedMore
			} else if qs != nil && qs.zeroRTT {
				st.SetProtocol(protoQUIC, ProtoUnknown, ConfidenceDPI)
				return Done
			}
		}
		return NotMine
	}
	if st.app == ProtoUnknown && st.master == ProtoUnknown {
		st.SetProtocol(protoQUIC, ProtoUnknown, ConfidenceDPI)
	}
	if !quicSupported(version) {
		return Done
	}
	clear := quicClearPayload(pl, version)
	if clear == nil {
		return Done
	}
	crypto := quicCryptoData(st, &qs, version, clear)
	if crypto != nil {
		if !quicWithTLS(version) {
			quicCHLO(st, crypto)
		} else {
			t := st.tlsState()
			if len(crypto) > 0 && crypto[0] == 1 {
				parseHello(st, t, crypto, false, version)
				t.helloSeen = true
			}
			t.version = 0x0304
			if len(t.ch.ALPN) > 0 && len(t.ch.ALPN[0]) >= 3 && t.ch.ALPN[0][:3] == "doq" {
				st.SetProtocol(protoByName("DoH_DoT"), protoQUIC, ConfidenceDPI)
			}
		}
	}
	if qs.pending() {
		st.SetExtraLimit(24)
		return NeedMore
	}
	return Done
}

func quicMayBe0RTT(pl []byte) bool {
	if len(pl) < 6 {
		return false
	}
	b := pl[0]
	v := binary.BigEndian.Uint32(pl[1:])
	if !quicIsIETF(v) || b&0xc0 != 0xc0 {
		return false
	}
	t := (b >> 4) & 3
	if v != qV2d && t != 1 {
		return false
	}
	if v == qV2d && t != 2 {
		return false
	}
	dcil := int(pl[5])
	if len(pl) <= 6+dcil {
		return false
	}
	scil := int(pl[6+dcil])
	if len(pl) <= 7+dcil+scil {
		return false
	}
	return dcil <= 20 && scil <= 20
}

func quicMayBeInitial(pl []byte) (uint32, bool) {
	if len(pl) < 1200 {
		return 0, false
	}
	b := pl[0]
	bit := func(m byte) bool { return b&m != 0 }
	var v uint32
	if bit(0x80) {
		v = binary.BigEndian.Uint32(pl[1:])
	} else if bit(0x08) && !bit(0x40) {
		if bit(0x01) {
			v = binary.BigEndian.Uint32(pl[9:])
		}
	}
	if !quicIsGoogle(v) && !quicIsIETF(v) {
		return v, false
	}
	if quicGoogleAtMost(v, 43) && (!bit(0x08) || bit(0x20) || bit(0x10)) {
		return v, false
	}
	if v == qQ046 && (!bit(0x02) || !bit(0x01)) {
		return v, false
	}
	if ((quicIsIETF(v) && v != qV2d) || v == qQ046 || v == qQ050) && (bit(0x20) || bit(0x10)) {
		return v, false
	}
	if v == qV2d && (bit(0x20) || !bit(0x10)) {
		return v, false
	}
	if v&0x0f0f0f0f == 0x0a0a0a0a && !(bit(0x80) && bit(0x40)) {
		return v, false
	}
	if quicIETFLongHeader(v) {
		dcil := int(pl[5])
		if 6+dcil >= len(pl) {
			return v, false
		}
		scil := int(pl[6+dcil])
		if dcil > 20 || scil > 20 {
			return v, false
		}
	}
	return v, true
}

func quicClearPayload(pl []byte, v uint32) []byte {
	switch {
	case quicGoogleAtMost(v, 43):
		if len(pl) < 27 {
			return nil
		}
		c := pl[26:]
		if quicGoogleAtMost(v, 33) {
			c = c[1:]
		}
		return c
	case v == qQ046:
		if len(pl) < 31 || pl[5] != 0x50 {
			return nil
		}
		return pl[30:]
	}
	dcil := int(pl[5])
	if dcil == 0 || 6+dcil >= len(pl) {
		return nil
	}
	scil := int(pl[6+dcil])
	return quicDecryptInitial(pl, pl[6:6+dcil], scil, v)
}

var (
	saltD22 = []byte{0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a}
	saltD23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	saltD29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltQ50 = []byte{0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94, 0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45}
	saltT50 = []byte{0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10}
	saltT51 = []byte{0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d}
	saltV1  = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2d = []byte{0xa7, 0x07, 0xc2, 0x03, 0xa5, 0x9b, 0x47, 0x18, 0x4a, 0x1d, 0x62, 0xca, 0x57, 0x04, 0x06, 0xea, 0x7a, 0xe3, 0xe5, 0xd3}
)

func quicSalt(v uint32) []byte {
	switch {
	case v == qQ050:
		return saltQ50
	case v == qT050:
		return saltT50
	case v == qT051:
		return saltT51
	case quicDraftAtMost(v, 22):
		return saltD22
	case quicDraftAtMost(v, 28):
		return saltD23
	case quicDraftAtMost(v, 32):
		return saltD29
	case quicDraftAtMost(v, 34):
		return saltV1
	}
	return saltV2d
}

// hkdfLabel is TLS 1.3's HKDF-Expand-Label with an empty context.
func hkdfLabel(secret []byte, label string, n int) []byte {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = append(info, byte(n>>8), byte(n), byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	if err != nil {
		return nil
	}
	return out
}

// quicDecryptInitial removes header protection from the first (Initial)
// packet of the datagram and decrypts its payload; nil on any failure.
func quicDecryptInitial(pl, dcid []byte, scil int, v uint32) []byte {
	initial, err := hkdf.Extract(sha256.New, dcid, quicSalt(v))
	if err != nil {
		return nil
	}
	client := hkdfLabel(initial, "client in", 32)
	kl, il, hl := "quic key", "quic iv", "quic hp"
	if !(quicGoogleNum(v) >= 50 || quicDraftAtMost(v, 34)) {
		kl, il, hl = "quicv2 key", "quicv2 iv", "quicv2 hp"
	}
	key, iv, hp := hkdfLabel(client, kl, 16), hkdfLabel(client, il, 12), hkdfLabel(client, hl, 16)
	if key == nil || iv == nil || hp == nil {
		return nil
	}
	pn := 1 + 4 + 1 + len(dcid) + 1 + scil
	if pn >= len(pl) {
		return nil
	}
	tokLen, n := quicVarint(pl[pn:])
	if n == 0 {
		return nil
	}
	pn += n
	if tokLen > uint64(len(pl)) {
		return nil
	}
	pn += int(tokLen)
	if pn+8+20 >= len(pl) {
		return nil
	}
	payLen, n := quicVarint(pl[pn:])
	if n == 0 {
		return nil
	}
	pn += n
	if uint64(pn)+payLen > uint64(len(pl)) {
		return nil
	}
	hpc, err := aes.NewCipher(hp)
	if err != nil {
		return nil
	}
	var mask [16]byte
	hpc.Encrypt(mask[:], pl[pn+4:pn+20])
	first := pl[0] ^ (mask[0] & 0x0f)
	pnLen := int(first&3) + 1
	hdr := make([]byte, pn+pnLen)
	copy(hdr, pl[:pn+pnLen])
	hdr[0] = first
	var pnum uint64
	for i := 0; i < pnLen; i++ {
		hdr[pn+i] ^= mask[1+i]
		pnum = pnum<<8 | uint64(hdr[pn+i])
	}
	end := pn + int(payLen)
	off := pn + pnLen
	if end < off+16 {
		return nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil
	}
	var nonce [12]byte
	copy(nonce[:], iv)
	for i := 0; i < 8; i++ {
		nonce[11-i] ^= byte(pnum >> (8 * i))
	}
	out, err := aead.Open(nil, nonce[:], pl[off:end], hdr)
	if err != nil || len(out) == 0 {
		return nil
	}
	return out
}

// quicCryptoData extracts the ClientHello bytes (or CHLO) from a clear
// Initial payload; nil when not (yet) complete.
func quicCryptoData(st *State, qsp **quicState, v uint32, c []byte) []byte {
	i := 0
	for i < len(c) && c[i] == 0 {
		i++
	}
	if i >= len(c) {
		return nil
	}
	fb := c[i]
	switch {
	case quicGoogleAtMost(v, 46):
		if fb == 0x40 || fb == 0x60 {
			if fb == 0x40 {
				i += 6
			} else {
				i += 9
			}
			if i >= len(c) {
				return nil
			}
			fb = c[i]
		}
		if fb != 0xa0 && fb != 0xa4 {
			return nil
		}
		ol := int(fb&0x1c) >> 2
		if ol > 0 {
			ol++
		}
		if i+2+ol+2 > len(c) || c[i+1] != 0x01 {
			return nil
		}
		i += 2 + ol
		var n int
		if v >= qQ039 {
			n = int(binary.BigEndian.Uint16(c[i:]))
		} else {
			n = int(binary.LittleEndian.Uint16(c[i:]))
		}
		i += 2
		if i+n > len(c) {
			return nil
		}
		return c[i : i+n]
	case v == qQ050 || v == qT050 || v == qT051:
		if fb == 0x40 || fb == 0x60 {
			if fb == 0x40 {
				i += 6
			} else {
				i += 9
			}
			if i >= len(c) {
				return nil
			}
			fb = c[i]
		}
		if fb != 0x08 {
			return nil
		}
		i++
		if i+16 >= len(c) {
			return nil
		}
		_, n := quicVarint(c[i:])
		i += n
		l, n := quicVarint(c[i:])
		i += n
		if n == 0 || uint64(i)+l > uint64(len(c)) {
			return nil
		}
		return c[i : i+int(l)]
	}
	for i < len(c) {
		switch c[i] {
		case 0x00:
			for i < len(c) && c[i] == 0 {
				i++
			}
		case 0x01:
			i++
		case 0x06:
			i++
			off, n := quicVarint(c[i:])
			if n == 0 || i+n >= len(c) {
				return nil
			}
			i += n
			l, n := quicVarint(c[i:])
			if n == 0 || i+n >= len(c) {
				return nil
			}
			i += n
			if uint64(i)+l > uint64(len(c)) {
				return nil
			}
			frag := c[i : i+int(l)]
			if off == 0 && chComplete(frag) {
				return frag
			}
			qs := *qsp
			if qs == nil {
				qs = &quicState{}
				*qsp = qs
				st.SetData(quicID, qs)
			}
			if qs.reasm == nil {
				qs.reasm = make([]byte, 4096)
				qs.have = make([]bool, 4096)
			}
			if off+l <= 4096 {
				copy(qs.reasm[off:], frag)
				for k := off; k < off+l; k++ {
					qs.have[k] = true
				}
				if int(off+l) > qs.last {
					qs.last = int(off + l)
				}
				if qs.complete() && chComplete(qs.reasm[:qs.last]) {
					return qs.reasm[:qs.last]
				}
			}
			i += int(l)
		default:
			return nil
		}
	}
	return nil
}

// quicCHLO reads the SNI and UAID tags of a Google QUIC CHLO message.
func quicCHLO(st *State, b []byte) {
	if len(b) < 6 || string(b[:4]) != "CHLO" {
		return
	}
	num := int(binary.LittleEndian.Uint16(b[4:]))
	start := 8 + 8*num
	prev := 0
	sni, ua := false, false
	for i := 0; i < num; i++ {
		if 8+8*i+8 >= len(b) {
			break
		}
		tag := b[8+8*i : 8+8*i+4]
		off := int(binary.LittleEndian.Uint32(b[8+8*i+4:]))
		if prev > off || start+off > len(b) {
			break
		}
		val := b[start+prev : start+off]
		switch string(tag) {
		case "SNI\x00":
			st.SetServerName(val)
			st.MatchHost(protoQUIC, st.Reported().ServerName)
			sni = true
		case "UAID":
			setUserAgent(st, val)
			ua = true
		}
		if sni && ua {
			return
		}
		prev = off
	}
}

// quicTransportParams reads the Google user agent parameter (0x3129).
func quicTransportParams(st *State, b []byte, varint bool) {
	i := 0
	if !varint {
		if len(b) < 2 {
			return
		}
		i = 2
	}
	for i < len(b) {
		var typ, l uint64
		if varint {
			var n int
			typ, n = quicVarint(b[i:])
			if n == 0 {
				return
			}
			i += n
			l, n = quicVarint(b[i:])
			if n == 0 {
				return
			}
			i += n
		} else {
			if i+4 > len(b) {
				return
			}
			typ, l = uint64(be16(b[i:])), uint64(be16(b[i+2:]))
			i += 4
		}
		if uint64(i)+l > uint64(len(b)) {
			return
		}
		if typ == 0x3129 {
			setUserAgent(st, b[i:i+int(l)])
		}
		i += int(l)
	}
}

// setUserAgent stores the first user agent of a flow (nDPI keeps the first).
func setUserAgent(st *State, ua []byte) {
	if st.Reported().UserAgent != "" || len(ua) == 0 {
		return
	}
	st.Meta().UserAgent = string(ua)
}
