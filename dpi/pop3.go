package dpi

import "bytes"

// POP3: server replies "+OK"/"-ERR" and client commands (AUTH, APOP,
// USER, PASS, CAPA, LIST, STAT, UIDL, RETR, DELE, STLS; any case). Replies
// plus distinct commands reaching three make the flow POP3 once a reply
// was seen and a password was sent or three replies came; after STLS and
// "+OK" it is POPS and the TLS dissector takes over.
type pop3Dissector struct{}

func (pop3Dissector) Name() string { return "POP3" }

var protoPOP3 = protoByName("POP3")

var pop3Commands = [...]string{"AUTH", "APOP", "USER", "PASS", "CAPA", "LIST", "STAT", "UIDL", "RETR", "DELE", "STLS"}

type pop3Flow struct {
	commands uint16 // bit i: pop3Commands[i] seen
	replies  uint8
	password bool
	starttls bool
}

var pop3ID DissectorID

const pop3MaxExtraPackets = 7

func (pop3Dissector) Dissect(p *Packet, st *State) Verdict {
	var scratch pop3Flow
	s, stored := loadState(st, pop3ID, &scratch)
	defer keepState(st, pop3ID, s, stored)
	app, master := st.Protocol()
	detected := app != ProtoUnknown || master != ProtoUnknown
	v, switched := pop3Search(p, st, s)
	if switched {
		return NeedMore
	}
	if detected {
		// Extra dissection: read on until the password shows.
		if s.password {
			return Done
		}
		return NeedMore
	}
	if app, master := st.Protocol(); app != ProtoUnknown || master != ProtoUnknown {
		if !s.password {
			st.SetExtraLimit(pop3MaxExtraPackets)
			return NeedMore
		}
		return Done
	}
	return v
}

// pop3Search is one pass of nDPI's POP3 search; switched reports the
// hand-over to TLS.
func pop3Search(p *Packet, st *State, s *pop3Flow) (v Verdict, switched bool) {
	b := p.Payload
	crlf := len(b) > 2 && bytes.HasSuffix(b, []byte("\r\n"))
	switch {
	case len(b) > 3 && b[0] == '+' && hasFoldPrefix(b[1:], "OK") || len(b) > 4 && b[0] == '-' && hasFoldPrefix(b[1:], "ERR"):
		s.replies = sat8(s.replies)
		if s.starttls {
			if b[0] == '+' {
				st.SetProtocol(protoPOPS, ProtoUnknown, ConfidenceDPI)
				st.SwitchToTLS()
				return NeedMore, true
			}
			s.starttls = false
		}
	case len(b) > 4 && pop3Command(b, s):
	default:
		if (crlf || s.commands != 0 || s.replies != 0) && payloadCounter(st) < 12 {
			return NeedMore, false
		}
		return NotMine, false
	}
	if !crlf {
		return NeedMore, false // a command split over packets
	}
	if bitCount16(s.commands)+int(s.replies) >= 3 && s.replies > 0 && (s.password || s.replies >= 3) {
		if app, master := st.Protocol(); app == ProtoUnknown && master == ProtoUnknown {
			st.SetProtocol(protoPOP3, ProtoUnknown, ConfidenceDPI)
		}
	}
	return NeedMore, false
}

// pop3Command records a client command at the start of b.
func pop3Command(b []byte, s *pop3Flow) bool {
	for i, c := range pop3Commands {
		if !hasFoldPrefix(b, c) {
			continue
		}
		s.commands |= 1 << i
		switch c {
		case "PASS":
			s.password = len(b) > 5 && b[5] >= ' '
		case "STLS":
			s.starttls = true
		}
		return true
	}
	return false
}

func init() {
	pop3ID = register(Spec{Dissector: pop3Dissector{}, Transport: TCP, Proto: protoPOP3, Order: orderOf("mail_pop")})
}
