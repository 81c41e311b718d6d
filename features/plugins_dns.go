package features

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// A DNS message reader with dpkt.dns.DNS's acceptance rules, for the mdns
// plugin: the whole message (questions and every resource record of the
// three sections) must decode, or the packet is skipped, exactly where
// NFStream's MDNS plugin catches dpkt's errors. Where dpkt would raise an
// error NFStream does not catch (a struct.error on a short field, a name
// that is not UTF-8), NFStream's meter dies; we skip the packet or decode
// with replacement characters instead.

// DNS record types that dpkt decodes; any other type makes dpkt reject the
// whole message ("RR type … is not supported").
const (
	dnsTypeA     = 1
	dnsTypeNS    = 2
	dnsTypeCNAME = 5
	dnsTypeSOA   = 6
	dnsTypeNULL  = 10
	dnsTypePTR   = 12
	dnsTypeHINFO = 13
	dnsTypeMX    = 15
	dnsTypeTXT   = 16
	dnsTypeAAAA  = 28
	dnsTypeSRV   = 33
	dnsTypeOPT   = 41
)

var errDNSPointer = errors.New("invalid label compression pointer")

// dnsAnswerPTRs decodes msg and appends the names of the PTR records of
// its answer section to dst, in message order.
func dnsAnswerPTRs(msg []byte, dst []string) ([]string, error) {
	if len(msg) < 12 {
		return dst, fmt.Errorf("DNS header: %w", errDpktShort)
	}
	questions := int(binary.BigEndian.Uint16(msg[4:6]))
	counts := [3]int{
		int(binary.BigEndian.Uint16(msg[6:8])),
		int(binary.BigEndian.Uint16(msg[8:10])),
		int(binary.BigEndian.Uint16(msg[10:12])),
	}
	off := 12
	var err error
	for i := 0; i < questions; i++ {
		if _, off, err = dnsName(msg, off, false); err != nil {
			return dst, fmt.Errorf("question %d: %w", i, err)
		}
		if off+4 > len(msg) {
			return dst, fmt.Errorf("question %d type/class: %w", i, errDpktShort)
		}
		off += 4
	}
	keep := len(dst)
	for section, n := range counts {
		for i := 0; i < n; i++ {
			var name string
			var isPTR bool
			name, isPTR, off, err = dnsRecord(msg, off, section == 0)
			if err != nil {
				return dst[:keep], fmt.Errorf("section %d record %d: %w", section, i, err)
			}
			if isPTR {
				dst = append(dst, name)
			}
		}
	}
	return dst, nil
}

// dnsRecord decodes one resource record at off and returns the offset of the
// next. For a PTR record of the answer section (answer set) it returns the
// name it points to and isPTR.
func dnsRecord(msg []byte, off int, answer bool) (ptr string, isPTR bool, next int, err error) {
	if _, off, err = dnsName(msg, off, false); err != nil {
		return "", false, 0, err
	}
	if off+10 > len(msg) {
		return "", false, 0, fmt.Errorf("record header: %w", errDpktShort)
	}
	typ := binary.BigEndian.Uint16(msg[off:])
	rdLen := int(binary.BigEndian.Uint16(msg[off+8:]))
	off += 10
	rdata := msg[min(off, len(msg)):min(off+rdLen, len(msg))]
	switch typ {
	case dnsTypeA, dnsTypeAAAA, dnsTypeNULL, dnsTypeOPT:
	case dnsTypeNS, dnsTypeCNAME:
		if _, _, err = dnsName(msg, off, false); err != nil {
			return "", false, 0, err
		}
	case dnsTypePTR:
		var name string
		if name, _, err = dnsName(msg, off, answer); err != nil {
			return "", false, 0, err
		}
		ptr, isPTR = name, answer
	case dnsTypeSOA:
		next := off
		for range 2 {
			if _, next, err = dnsName(msg, next, false); err != nil {
				return "", false, 0, err
			}
		}
		if next+20 > len(msg) {
			return "", false, 0, fmt.Errorf("SOA numbers: %w", errDpktShort)
		}
	case dnsTypeMX:
		if len(rdata) < 2 {
			return "", false, 0, fmt.Errorf("MX preference: %w", errDpktShort)
		}
		if _, _, err = dnsName(msg, off+2, false); err != nil {
			return "", false, 0, err
		}
	case dnsTypeSRV:
		if len(rdata) < 6 {
			return "", false, 0, fmt.Errorf("SRV header: %w", errDpktShort)
		}
		if _, _, err = dnsName(msg, off+6, false); err != nil {
			return "", false, 0, err
		}
	case dnsTypeTXT, dnsTypeHINFO:
		// dpkt decodes each character-string as strict UTF-8.
		for b := rdata; len(b) > 0; {
			n := int(b[0])
			s := b[1:min(1+n, len(b))]
			if !utf8.Valid(s) {
				return "", false, 0, errors.New("TXT string is not UTF-8")
			}
			b = b[min(1+n, len(b)):]
		}
	default:
		return "", false, 0, fmt.Errorf("record type %d is not supported", typ)
	}
	return ptr, isPTR, off + rdLen, nil
}

// dnsName reads a possibly compressed name at off as dpkt's unpack_name:
// a pointer must point before the label sequence it ends, names are at most
// 255 bytes. It returns the offset after the name in the record. The text is
// built only when want is set.
func dnsName(msg []byte, off int, want bool) (string, int, error) {
	var sb strings.Builder
	labels := 0
	length := 0
	saved := -1
	start := off
	for {
		if off >= len(msg) {
			return "", 0, fmt.Errorf("name: %w", errDpktShort)
		}
		n := int(msg[off])
		switch {
		case n == 0:
			off++
			if saved < 0 {
				saved = off
			}
			if want {
				return pythonUTF8Replace([]byte(sb.String())), saved, nil
			}
			return "", saved, nil
		case n&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return "", 0, fmt.Errorf("name pointer: %w", errDpktShort)
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
			if ptr >= start {
				return "", 0, errDNSPointer
			}
			off += 2
			if saved < 0 {
				saved = off
			}
			start, off = ptr, ptr
		case n&0xc0 == 0:
			off++
			length += n + 1
			if length > 255 {
				return "", 0, errors.New("name longer than 255 bytes")
			}
			if want {
				if labels > 0 {
					sb.WriteByte('.')
				}
				sb.Write(msg[min(off, len(msg)):min(off+n, len(msg))])
			}
			labels++
			off += n
		default:
			return "", 0, fmt.Errorf("invalid label length %#02x", n)
		}
	}
}
