package dpi

import "bytes"

// tinc VPN over TCP: both sides send an ID line "0 <name> 17\n", then a
// METAKEY line "1 <n> <n> <n> <n> <HEX>\n"; four such lines make the flow.
// (nDPI then recognises the peers' UDP flows from a cache of TCP sessions,
// which needs other flows; those stay undetected here.)
type tincDissector struct{}

func (tincDissector) Name() string { return "TINC" }

var protoTINC = protoByName("TINC")

type tincFlow struct{ state uint8 }

var tincID DissectorID

func (tincDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol != 6 {
		return NotMine
	}
	s, _ := st.Data(tincID).(*tincFlow)
	state := uint8(0)
	if s != nil {
		state = s.state
	}
	ok := false
	switch state {
	case 0, 1:
		ok = isTincID(b)
	case 2, 3:
		ok = isTincMetaKey(b)
	}
	if !ok {
		return NotMine
	}
	if s == nil {
		s = &tincFlow{}
		st.SetData(tincID, s)
	}
	s.state++
	if s.state > 3 {
		st.SetProtocol(protoTINC, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NeedMore
}

// isTincID matches "0 <name> 17\n".
func isTincID(b []byte) bool {
	if len(b) <= 6 || !bytes.HasPrefix(b, []byte("0 ")) || b[2] == ' ' {
		return false
	}
	i := 3
	for i < len(b) {
		c := b[i]
		i++
		if c == ' ' {
			break
		}
	}
	return i+3 == len(b) && string(b[i:]) == "17\n"
}

// isTincMetaKey matches "1 " and four space-terminated numbers, then an
// upper-case hex key and a newline.
func isTincMetaKey(b []byte) bool {
	if len(b) <= 11 || !bytes.HasPrefix(b, []byte("1 ")) || b[2] == ' ' {
		return false
	}
	i := 3
	for range 4 {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i >= len(b) || b[i] != ' ' {
			return false
		}
		i++
	}
	for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] >= 'A' && b[i] <= 'Z') {
		i++
	}
	return i < len(b) && b[i] == '\n'
}

func init() {
	tincID = register(Spec{Dissector: tincDissector{}, Transport: TCPUDP, Proto: protoTINC, Order: orderOf("tinc")})
}
