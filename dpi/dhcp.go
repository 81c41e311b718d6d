package dpi

import "strconv"

// DHCP (RFC 2131) over IPv4 between ports 67 and 68: the BOOTP header,
// the magic cookie 63 82 53 63 at offset 236, then options. A valid
// message-type option (53) makes the flow DHCP; the parameter request list
// (55) becomes the client fingerprint ("1,3,6,42") and the host name
// option (12) the server name. As in nDPI, only the options from the
// message type on are read for these fields.
type dhcpDissector struct{}

func (dhcpDissector) Name() string { return "DHCP" }

var protoDHCP = protoByName("DHCP")

const (
	dhcpOptionsOffset = 240
	dhcpMaxOptions    = 308 // BOOTP's vendor area as nDPI sizes it
	dhcpFingerprintSz = 48  // nDPI's fingerprint buffer, NUL included
)

func isDHCPPort(port uint16) bool { return port == 67 || port == 68 }

func (dhcpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.IPVersion != 4 || len(b) < 244 || !isDHCPPort(p.SrcPort) || !isDHCPPort(p.DstPort) ||
		be32(b[236:]) != 0x63825363 {
		// nDPI neither accepts nor rejects such packets.
		return NeedMore
	}
	opts := b[dhcpOptionsOffset:]
	if len(opts) > dhcpMaxOptions {
		opts = opts[:dhcpMaxOptions]
	}
	// First pass: the message type.
	i, found := 0, false
	for i+1 < len(opts) && opts[i] != 0xff {
		n := dhcpOptionLen(opts, i)
		if n == 0 {
			break
		}
		if opts[i] == 53 && opts[i+2] <= 8 {
			found = true
			break
		}
		i += n + 2
	}
	if !found {
		return NotMine
	}
	st.SetProtocol(protoDHCP, ProtoUnknown, ConfidenceDPI)
	// Second pass, from the message type on: fingerprint and host name.
	for i+1 < len(opts) && opts[i] != 0xff {
		n := dhcpOptionLen(opts, i)
		if n == 0 {
			break
		}
		v := opts[i+2 : i+2+n]
		switch opts[i] {
		case 55:
			st.Meta().ClientFingerprint = dhcpFingerprint(v)
		case 12:
			st.setCServerName(v)
		}
		i += n + 2
	}
	return Done
}

// dhcpOptionLen is the option's length clipped to the bytes present.
func dhcpOptionLen(opts []byte, i int) int {
	return min(int(opts[i+1]), len(opts)-(i+2))
}

// dhcpFingerprint formats the parameter request list as nDPI does: decimal
// codes joined by commas, cut to its 47-character buffer.
func dhcpFingerprint(list []byte) string {
	var buf [dhcpFingerprintSz + 4]byte
	out := buf[:0]
	for i, c := range list {
		if len(out) >= dhcpFingerprintSz-2 {
			break
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendUint(out, uint64(c), 10)
	}
	if len(out) > dhcpFingerprintSz-1 {
		out = out[:dhcpFingerprintSz-1]
	}
	return string(out)
}

func init() {
	register(Spec{Dissector: dhcpDissector{}, Transport: UDP, Proto: protoDHCP, Order: orderOf("dhcp")})
}
