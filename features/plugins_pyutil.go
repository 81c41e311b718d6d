package features

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Helpers shared by the bundled plugins to read packets the way NFStream's
// Python plugins do (through dpkt) and to print values the way Python's
// str() does, so the text columns equal NFStream's byte for byte.

var errDpktShort = errors.New("truncated")

// dpktIPv4 reads ipPacket as dpkt.ip.IP does: whatever the version nibble,
// as an IPv4 header; the payload is cut at the total length (when it is not
// zero); fragments with a non-zero offset keep their payload unparsed
// (reported by fragment).
func dpktIPv4(ipPacket []byte) (proto uint8, payload []byte, fragment bool, err error) {
	if len(ipPacket) < 20 {
		return 0, nil, false, fmt.Errorf("IPv4 header: %w", errDpktShort)
	}
	headerLen := int(ipPacket[0]&0x0f) * 4
	if headerLen < 20 {
		return 0, nil, false, fmt.Errorf("IPv4 header length %d < 20", headerLen)
	}
	end := len(ipPacket)
	if total := int(binary.BigEndian.Uint16(ipPacket[2:4])); total != 0 && total < end {
		end = total
	}
	if headerLen < end {
		payload = ipPacket[headerLen:end]
	}
	offset := binary.BigEndian.Uint16(ipPacket[6:8]) & 0x1fff
	return ipPacket[9], payload, offset != 0, nil
}

// dpktUDPPayload returns the data of a UDP datagram as dpkt.udp.UDP does:
// everything after the 8-byte header, whatever the length field says.
func dpktUDPPayload(segment []byte) ([]byte, error) {
	if len(segment) < 8 {
		return nil, fmt.Errorf("UDP header: %w", errDpktShort)
	}
	return segment[8:], nil
}

// pythonUTF8Replace decodes b like Python's bytes.decode("utf-8",
// errors="replace"): each maximal invalid subpart becomes one U+FFFD.
func pythonUTF8Replace(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError || size > 1 {
			sb.WriteRune(r)
			b = b[size:]
			continue
		}
		sb.WriteRune(utf8.RuneError)
		b = b[maximalInvalidSubpart(b):]
	}
	return sb.String()
}

// maximalInvalidSubpart returns how many bytes of b (which does not start
// with a valid UTF-8 sequence) form one maximal subpart of an ill-formed
// sequence (Unicode §3.9, the rule Python follows).
func maximalInvalidSubpart(b []byte) int {
	lead := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xbf)
	switch {
	case lead >= 0xc2 && lead <= 0xdf:
		need = 1
	case lead == 0xe0:
		need, lo = 2, 0xa0
	case lead >= 0xe1 && lead <= 0xec, lead == 0xee, lead == 0xef:
		need = 2
	case lead == 0xed:
		need, hi = 2, 0x9f
	case lead == 0xf0:
		need, lo = 3, 0x90
	case lead >= 0xf1 && lead <= 0xf3:
		need = 3
	case lead == 0xf4:
		need, hi = 3, 0x8f
	default:
		return 1
	}
	n := 1
	for i := 1; i <= need && i < len(b); i++ {
		c := b[i]
		if i == 1 {
			if c < lo || c > hi {
				break
			}
		} else if c < 0x80 || c > 0xbf {
			break
		}
		n++
	}
	return n
}

// pythonStrRepr renders s as Python's repr() of a str: single quotes unless
// s contains ' and no ", backslash escapes for the quote, \\, \t, \n, \r and
// non-printable characters.
func pythonStrRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, r)
		case r < 0x80 || pythonPrintable(r):
			sb.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&sb, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&sb, `\u%04x`, r)
		default:
			fmt.Fprintf(&sb, `\U%08x`, r)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}

// pythonPrintable approximates str.isprintable for one non-ASCII rune:
// not a control, format, surrogate, private-use, unassigned or separator
// character.
func pythonPrintable(r rune) bool {
	if r == utf8.RuneError {
		return true // U+FFFD is a printable symbol
	}
	return unicode.IsPrint(r) && !unicode.Is(unicode.Co, r)
}

// pythonStrListRepr renders a list of strings as Python's str() of a list:
// ['a', 'b'].
func pythonStrListRepr(items []string) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(pythonStrRepr(s))
	}
	sb.WriteByte(']')
	return sb.String()
}
