package dpi

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// SSH: the version banners ("SSH-2.0-…") of both sides make the flow SSH;
// the dissector then keeps reading (up to 12 more packets) for the two
// KEXINIT messages, from which it computes the HASSH fingerprints: the MD5
// of "kex;ciphers;macs;compression" as each side offers them (the client's
// client-to-server lists, the server's server-to-client lists). nDPI tells
// client from server by its port-based packet direction, not by who spoke
// first.
type sshDissector struct{}

func (sshDissector) Name() string { return "SSH" }

var protoSSH = protoByName("SSH")

// sshFlow is nDPI's ssh_stage: 0 nothing yet, 1/2 the first banner came in
// nDPI direction 0/1, 3 both banners seen.
type sshFlow struct{ stage uint8 }

var sshID DissectorID

const sshMaxExtraPackets = 12

func (sshDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	dir := ndpiDirection(p)
	s, _ := st.Data(sshID).(*sshFlow)
	stage := uint8(0)
	if s != nil {
		stage = s.stage
	}
	switch {
	case stage == 0:
		if len(b) > 7 && bytes.HasPrefix(b, []byte("SSH-")) {
			st.SetData(sshID, &sshFlow{stage: 1 + dir})
			st.SetProtocol(protoSSH, ProtoUnknown, ConfidenceDPI)
			st.SetExtraLimit(sshMaxExtraPackets)
			return NeedMore
		}
		return NotMine
	case stage == 2-dir:
		if len(b) > 7 && len(b) < 500 && bytes.HasPrefix(b, []byte("SSH-")) {
			s.stage = 3
		}
		return NeedMore
	case len(b) > 5 && b[5] == 20: // SSH_MSG_KEXINIT
		sum := md5.Sum(hasshString(b, dir == 0))
		// nDPI prints HASSH in upper-case hex (NFStream 6.6.0 live:
		// 7B3F76E5…), unlike the lower-case JA3/JA4 hashes.
		fp := strings.ToUpper(hex.EncodeToString(sum[:]))
		if dir == 0 {
			st.Meta().ClientFingerprint = fp
		} else {
			st.Meta().ServerFingerprint = fp
		}
	}
	if st.Reported().ClientFingerprint != "" && st.Reported().ServerFingerprint != "" {
		return Done
	}
	return NeedMore
}

// hasshString builds the HASSH input from a KEXINIT packet (4-byte length,
// padding length, message code, 16-byte cookie, then name-lists), keeping
// nDPI's quirks: a malformed packet yields the empty string, and each list
// is copied as a C string (bytes after a NUL become zeros).
func hasshString(b []byte, client bool) []byte {
	const maxListLen = 65565
	limit := len(b) - 4
	off := 22
	out := make([]byte, 0, len(b))
	// list reads the name-list at off; keep says whether it is part of this
	// side's HASSH and sep whether a ';' follows it.
	list := func(keep, sep bool) bool {
		if off >= limit {
			return false
		}
		n := int(be32(b[off:]))
		off += 4
		if keep {
			if off >= len(b) || n >= len(b)-off-1 {
				return false
			}
			out = appendCString(out, b[off:off+n])
			if sep {
				out = append(out, ';')
			}
		}
		if n > maxListLen {
			return false
		}
		off += n
		return true
	}
	ok := list(true, true) && // kex algorithms
		list(false, false) && // server host key algorithms
		list(client, true) && list(!client, true) && // ciphers c2s, s2c
		list(client, true) && list(!client, true) && // MACs c2s, s2c
		list(client, false) && list(!client, false) // compression c2s, s2c
	if !ok {
		return nil
	}
	return out
}

// appendCString appends v as strncpy would copy it: up to its first NUL,
// then zeros for the rest of its length.
func appendCString(out, v []byte) []byte {
	n := bytes.IndexByte(v, 0)
	if n < 0 {
		return append(out, v...)
	}
	out = append(out, v[:n]...)
	for range len(v) - n {
		out = append(out, 0)
	}
	return out
}

func init() {
	sshID = register(Spec{Dissector: sshDissector{}, Transport: TCP, Proto: protoSSH, Order: orderOf("ssh")})
}
