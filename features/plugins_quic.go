package features

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// QUIC Initial packets (RFC 9000, 9001; version 2: RFC 9369) are encrypted
// with keys derived from the client's first destination connection id, so
// a passive reader can open them and read the TLS hellos carried in their
// CRYPTO frames. Used by the ja4 plugin with spec=true.

// quicVersionInfo gives the initial salt, the key labels and the Initial
// packet type of a QUIC version.
type quicVersionInfo struct {
	salt        []byte
	labelPrefix string // "quic " (v1 and drafts) or "quicv2 "
	initialType byte   // long-header type bits of Initial packets
}

func mustHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		fmt.Sscanf(s[2*i:2*i+2], "%02x", &b[i])
	}
	return b
}

var (
	quicSaltV1      = mustHex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
	quicSaltV2      = mustHex("0dede3def700a6db819381be6e269dcbf9bd2ed9")
	quicSaltDraft29 = mustHex("afbfec289993d24c9e9786f19c6111e04390a899")
	quicSaltDraft23 = mustHex("c3eef712c72ebb5a11a7d2432bb46365bef9f502")
)

func quicVersion(v uint32) (quicVersionInfo, bool) {
	switch {
	case v == 0x00000001:
		return quicVersionInfo{salt: quicSaltV1, labelPrefix: "quic ", initialType: 0}, true
	case v == 0x6b3343cf:
		return quicVersionInfo{salt: quicSaltV2, labelPrefix: "quicv2 ", initialType: 1}, true
	case v >= 0xff00001d && v <= 0xff000020: // drafts 29–32
		return quicVersionInfo{salt: quicSaltDraft29, labelPrefix: "quic ", initialType: 0}, true
	case v >= 0xff000017 && v <= 0xff00001c: // drafts 23–28
		return quicVersionInfo{salt: quicSaltDraft23, labelPrefix: "quic ", initialType: 0}, true
	}
	return quicVersionInfo{}, false
}

// hkdfExpandLabel is TLS 1.3's HKDF-Expand-Label with an empty context.
func hkdfExpandLabel(secret []byte, label string, length int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(length))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	return hkdf.Expand(sha256.New, secret, string(info), length)
}

// quicKeys are one direction's Initial packet protection keys.
type quicKeys struct {
	aead cipher.AEAD
	iv   []byte
	hp   cipher.Block
}

// quicInitialKeys derives the client's (server false) or the server's
// Initial keys from the client's original destination connection id.
func quicInitialKeys(info quicVersionInfo, dcid []byte, server bool) (*quicKeys, error) {
	initial, err := hkdf.Extract(sha256.New, dcid, info.salt)
	if err != nil {
		return nil, err
	}
	label := "client in"
	if server {
		label = "server in"
	}
	secret, err := hkdfExpandLabel(initial, label, 32)
	if err != nil {
		return nil, err
	}
	key, err := hkdfExpandLabel(secret, info.labelPrefix+"key", 16)
	if err != nil {
		return nil, err
	}
	iv, err := hkdfExpandLabel(secret, info.labelPrefix+"iv", 12)
	if err != nil {
		return nil, err
	}
	hpKey, err := hkdfExpandLabel(secret, info.labelPrefix+"hp", 16)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	hp, err := aes.NewCipher(hpKey)
	if err != nil {
		return nil, err
	}
	return &quicKeys{aead: aead, iv: iv, hp: hp}, nil
}

// quicVarint reads a variable-length integer (RFC 9000 §16).
func quicVarint(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, errors.New("varint: truncated")
	}
	n := 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0, errors.New("varint: truncated")
	}
	v := uint64(b[0] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n, nil
}

// quicInitial is one Initial packet found in a datagram.
type quicInitial struct {
	version uint32
	dcid    []byte
	// header is the packet up to the packet number; body the rest of the
	// packet (protected packet number, then ciphertext).
	header, body []byte
}

// quicInitials lists the Initial packets of a UDP datagram (coalesced
// packets are walked; a short-header packet ends the datagram).
func quicInitials(d []byte) ([]quicInitial, error) {
	var out []quicInitial
	for len(d) > 0 {
		if d[0]&0x80 == 0 {
			break // short header: nothing after it is ours
		}
		if len(d) < 7 {
			return out, errors.New("long header: truncated")
		}
		version := binary.BigEndian.Uint32(d[1:5])
		info, known := quicVersion(version)
		if !known {
			return out, fmt.Errorf("QUIC version %#08x not supported", version)
		}
		off := 5
		dcidLen := int(d[off])
		off++
		if dcidLen > 20 || off+dcidLen+1 > len(d) {
			return out, errors.New("destination connection id: truncated")
		}
		dcid := d[off : off+dcidLen]
		off += dcidLen
		scidLen := int(d[off])
		off++
		if scidLen > 20 || off+scidLen > len(d) {
			return out, errors.New("source connection id: truncated")
		}
		off += scidLen
		typ := (d[0] >> 4) & 3
		retry := (info.initialType + 3) & 3 // Retry is the type before Initial
		if typ == retry {
			break
		}
		if typ == info.initialType {
			tokenLen, n, err := quicVarint(d[off:])
			if err != nil {
				return out, fmt.Errorf("token length: %w", err)
			}
			off += n
			if uint64(len(d)-off) < tokenLen {
				return out, errors.New("token: truncated")
			}
			off += int(tokenLen)
		}
		length, n, err := quicVarint(d[off:])
		if err != nil {
			return out, fmt.Errorf("length: %w", err)
		}
		off += n
		if uint64(len(d)-off) < length {
			return out, errors.New("packet: truncated")
		}
		end := off + int(length)
		if typ == info.initialType {
			out = append(out, quicInitial{version: version, dcid: dcid, header: d[:off], body: d[off:end]})
		}
		d = d[end:]
	}
	return out, nil
}

// open removes header protection and decrypts an Initial packet, returning
// its frames.
func (k *quicKeys) open(p quicInitial) ([]byte, error) {
	if len(p.body) < 4+16 {
		return nil, errors.New("packet too short for a header protection sample")
	}
	var mask [16]byte
	k.hp.Encrypt(mask[:], p.body[4:20])
	first := p.header[0] ^ (mask[0] & 0x0f)
	pnLen := int(first&3) + 1
	header := make([]byte, 0, len(p.header)+pnLen)
	header = append(header, p.header...)
	header[0] = first
	nonce := bytes.Clone(k.iv)
	for i := 0; i < pnLen; i++ {
		b := p.body[i] ^ mask[1+i]
		header = append(header, b)
		nonce[len(nonce)-pnLen+i] ^= b
	}
	plain, err := k.aead.Open(nil, nonce, p.body[pnLen:], header)
	if err != nil {
		return nil, fmt.Errorf("decrypting Initial: %w", err)
	}
	return plain, nil
}

// cryptoStream reassembles the CRYPTO frames of one direction's Initial
// packets, which may come in any order and split across packets.
type cryptoStream struct {
	chunks []cryptoChunk
	size   int
}

type cryptoChunk struct {
	offset int
	data   []byte
}

// maxCryptoBytes bounds what one flow direction may buffer.
const maxCryptoBytes = 64 << 10

func (s *cryptoStream) reset() { s.chunks, s.size = s.chunks[:0], 0 }

// addFrames walks decrypted frames and keeps CRYPTO data; unknown frame
// types end the walk (their length is unknown).
func (s *cryptoStream) addFrames(f []byte) error {
	for len(f) > 0 {
		typ := f[0]
		switch {
		case typ == 0x00 || typ == 0x01: // PADDING, PING
			f = f[1:]
		case typ == 0x02 || typ == 0x03: // ACK
			f = f[1:]
			fields := 4
			var rangeCount uint64
			for i := 0; i < fields; i++ {
				v, n, err := quicVarint(f)
				if err != nil {
					return fmt.Errorf("ACK frame: %w", err)
				}
				f = f[n:]
				if i == 2 {
					rangeCount = v
				}
			}
			extra := rangeCount * 2
			if typ == 0x03 {
				extra += 3
			}
			if extra > uint64(len(f)) {
				return errors.New("ACK frame: truncated")
			}
			for i := uint64(0); i < extra; i++ {
				_, n, err := quicVarint(f)
				if err != nil {
					return fmt.Errorf("ACK frame: %w", err)
				}
				f = f[n:]
			}
		case typ == 0x06: // CRYPTO
			offset, n, err := quicVarint(f[1:])
			if err != nil {
				return fmt.Errorf("CRYPTO offset: %w", err)
			}
			f = f[1+n:]
			length, n, err := quicVarint(f)
			if err != nil {
				return fmt.Errorf("CRYPTO length: %w", err)
			}
			f = f[n:]
			if length > uint64(len(f)) {
				return errors.New("CRYPTO data: truncated")
			}
			if offset+length > maxCryptoBytes || s.size+int(length) > maxCryptoBytes {
				return errors.New("CRYPTO data beyond the reassembly limit")
			}
			s.chunks = append(s.chunks, cryptoChunk{offset: int(offset), data: bytes.Clone(f[:length])})
			s.size += int(length)
			f = f[length:]
		default:
			return nil
		}
	}
	return nil
}

// contiguous returns the bytes from offset 0 up to the first gap.
func (s *cryptoStream) contiguous() []byte {
	sort.SliceStable(s.chunks, func(i, j int) bool { return s.chunks[i].offset < s.chunks[j].offset })
	var out []byte
	for _, c := range s.chunks {
		if c.offset > len(out) {
			break
		}
		if end := c.offset + len(c.data); end > len(out) {
			out = append(out, c.data[len(out)-c.offset:]...)
		}
	}
	return out
}

// handshakeMessage returns the first complete handshake message of data.
func handshakeMessage(data []byte) ([]byte, bool) {
	if len(data) < 4 {
		return nil, false
	}
	n := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
	if len(data) < 4+n {
		return nil, false
	}
	return data[:4+n], true
}
