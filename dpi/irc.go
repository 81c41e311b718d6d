package dpi

import "bytes"

// IRC over TCP: newline-terminated lines. The third line that starts with
// a client command (USER, NICK, PASS, PING/PONG, JOIN, MODE, NOTICE,
// PRIVMSG, VERSION) or is a server line (":prefix") carrying NOTICE or
// PRIVMSG, or the seventh ":prefix" line, makes the flow IRC; decided
// within the first ten packets with payload. (nDPI also knows IRC over SSL
// by packet sizes and IRC tunnelled in HTTP; those are not covered here.)
type ircDissector struct{}

func (ircDissector) Name() string { return "IRC" }

var protoIRC = protoByName("IRC")

var ircCommands = [...]string{"USER ", "NICK ", "PASS ", "PONG ", "PING ", "JOIN ", "MODE ", "NOTICE ", "PRIVMSG ", "VERSION "}

type ircFlow struct{ commands, prefixed uint8 }

var ircID DissectorID

// ircNoticeOrPrivmsg looks for " NOTICE "/" PRIVMSG " within the first two
// lines, as nDPI's check does.
func ircNoticeOrPrivmsg(b []byte) bool {
	lines := 0
	for i := 0; i+7 < len(b); i++ {
		if (b[i] == 'N' && bytes.HasPrefix(b[i+1:], []byte("OTICE "))) ||
			(b[i] == 'P' && bytes.HasPrefix(b[i+1:], []byte("RIVMSG "))) {
			return true
		}
		if b[i] == '\n' {
			if lines++; lines == 2 {
				return false
			}
		}
	}
	return false
}

// isIRCCommandLine checks the line starting b (b runs to the packet end).
func isIRCCommandLine(b []byte) bool {
	for _, c := range ircCommands {
		if bytes.HasPrefix(b, []byte(c)) {
			return true
		}
	}
	return len(b) > 0 && b[0] == ':' && ircNoticeOrPrivmsg(b)
}

func (ircDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 10 {
		return NotMine
	}
	n := len(b)
	if n < 8 || !(b[n-1] == '\n' || b[n-2] == '\n' && b[n-1] == 0) {
		return NeedMore
	}
	s, _ := st.Data(ircID).(*ircFlow)
	if s == nil {
		s = &ircFlow{}
		st.SetData(ircID, s)
	}
	for rest := b; len(rest) > 0; {
		if rest[0] == ':' {
			if s.prefixed++; s.prefixed == 7 {
				return ircFound(st)
			}
		}
		if isIRCCommandLine(rest) {
			if s.commands++; s.commands == 3 {
				return ircFound(st)
			}
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	return NeedMore
}

func ircFound(st *State) Verdict {
	st.SetProtocol(protoIRC, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	ircID = register(Spec{Dissector: ircDissector{}, Transport: TCP, Proto: protoIRC, Order: orderOf("irc")})
}
