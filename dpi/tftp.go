package dpi

// TFTP (RFC 1350) over UDP: opcode 0x00 0x01..0x05. A read or write
// request (file name, NUL, transfer mode "netascii"/"octet"/"mail", NUL)
// decides at once; data, acknowledgement and error packets after four
// well-formed ones.
type tftpDissector struct{}

func (tftpDissector) Name() string { return "TFTP" }

var protoTFTP = protoByName("TFTP")

type tftpFlow struct{ stage uint8 }

var tftpID DissectorID

func (tftpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 4 || b[0] != 0 {
		return NotMine
	}
	switch b[1] {
	case 1, 2: // RRQ, WRQ
		if b[len(b)-1] != 0 {
			return NotMine
		}
		for _, mode := range []string{"netascii", "octet", "mail"} {
			if len(b) >= len(mode)+1 && equalFoldASCII(b[len(b)-1-len(mode):len(b)-1], mode) {
				st.SetProtocol(protoTFTP, ProtoUnknown, ConfidenceDPI)
				return Done
			}
		}
		return NotMine
	case 3: // DATA: at most 512 bytes of data
		if len(b) > 4+512 {
			return NotMine
		}
	case 4: // ACK
		if len(b) != 4 {
			return NotMine
		}
	case 5: // ERROR: code 0..7, NUL-terminated message
		if len(b) < 5 || b[len(b)-1] != 0 || b[2] != 0 || b[3] > 7 {
			return NotMine
		}
	default:
		return NotMine
	}
	s, _ := st.Data(tftpID).(*tftpFlow)
	if s == nil {
		s = &tftpFlow{}
		st.SetData(tftpID, s)
	}
	if s.stage < 3 {
		s.stage++
		return NeedMore
	}
	st.SetProtocol(protoTFTP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	tftpID = register(Spec{Dissector: tftpDissector{}, Transport: UDP, Proto: protoTFTP, Order: orderOf("tftp")})
}
