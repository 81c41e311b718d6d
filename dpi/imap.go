package dpi

import "bytes"

// IMAP: CRLF-terminated lines "<tag> [<number>] <word>" where the word is
// a known command or response (OK, NO, UID, CAPABILITY, STARTTLS, LOGIN,
// FETCH, …; any case). The third (or fifth, seventh) such line makes the
// flow IMAP once a LOGIN user name was seen or seven lines were; after
// STARTTLS and "OK" it is IMAPS and the TLS dissector takes over, and an
// AUTHENTICATE exchange counts as IMAPS at once (nDPI's choice).
type imapDissector struct{}

func (imapDissector) Name() string { return "IMAP" }

var protoIMAP = protoByName("IMAP")

type imapFlow struct {
	stage    uint8
	starttls bool
	user     bool
}

var imapID DissectorID

// imapWord: a word, and how many bytes past the command start the packet
// must exceed for nDPI to look at it (its length, or one less for OK/NO/UID).
type imapWord struct {
	word  string
	after int
}

// imapWords lists the words counted as IMAP, in nDPI's groups; within a
// group only the first match counts.
var imapWords = [...][]imapWord{
	{{"CAPABILITY", 10}},
	{{"NAMESPACE", 9}},
	{{"FETCH", 5}, {"FLAGS", 5}, {"CHECK", 5}, {"STORE", 5}},
	{{"LSUB", 4}, {"LIST", 4}, {"NOOP", 4}, {"IDLE", 4}},
	{{"SELECT", 6}, {"EXISTS", 6}, {"APPEND", 6}},
}

func isIMAPTagByte(c byte) bool { return isAlnum(c) || c == '*' || c == '.' }

// imapCommandStart finds where the word starts after the tag and an
// optional message number, or -1 when b does not look like IMAP.
func imapCommandStart(b []byte) int {
	space, i := 0, 0
	for ; i < 20 && i < len(b); i++ {
		if i > 0 && b[i] == ' ' {
			space = i
			break
		}
		if !isIMAPTagByte(b[i]) {
			return -1
		}
	}
	if space == 0 || space == len(b)-1 {
		return -1
	}
	i++
	if i < len(b) && b[i] >= '0' && b[i] <= '9' {
		for ; i < 20 && i < len(b); i++ {
			if b[i] == ' ' {
				space = i
				break
			}
			if b[i] < '0' || b[i] > '9' {
				return -1
			}
		}
		if space == len(b)-1 {
			return -1
		}
	}
	return space + 1
}

func (imapDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	var scratch imapFlow
	s, stored := loadState(st, imapID, &scratch)
	defer keepState(st, imapID, s, stored)
	excluded := false
	if len(b) >= 4 && bytes.HasSuffix(b, []byte("\r\n")) {
		saw := false
		if len(b) == 6 && hasFoldPrefix(b, "DONE") {
			s.stage++
			saw = true
		} else {
			cs := 0
			if s.stage < 5 {
				cs = imapCommandStart(b)
			}
			if cs < 0 {
				excluded = true
			} else {
				var switched bool
				saw, switched = s.words(st, b, cs)
				if switched {
					return NeedMore
				}
			}
		}
		if !excluded && saw && (s.stage == 3 || s.stage == 5 || s.stage == 7) {
			if s.user || s.stage >= 7 {
				st.SetProtocol(protoIMAP, ProtoUnknown, ConfidenceDPI)
				return Done
			}
			if app, master := st.Protocol(); app != ProtoUnknown || master != ProtoUnknown {
				return Done
			}
			return NeedMore
		}
	}
	if app, master := st.Protocol(); app != ProtoUnknown || master != ProtoUnknown {
		return Done // AUTHENTICATE made it IMAPS
	}
	if !excluded && len(b) > 1 && b[len(b)-1] == ' ' {
		s.stage = 4 // a command split over packets
		return NeedMore
	}
	if bytes.HasSuffix(b, []byte("\r\n")) && payloadCounter(st) < 8 && s.stage >= 1 {
		return NeedMore
	}
	return NotMine
}

// words counts the IMAP words at b[cs:]; it reports whether any was seen
// and whether the flow was handed over to TLS.
func (s *imapFlow) words(st *State, b []byte, cs int) (saw, switched bool) {
	w := b[cs:]
	n := len(b)
	if cs+3 < n {
		switch {
		case hasFoldPrefix(w, "OK") && w[2] == ' ':
			s.stage++
			saw = true
			if s.starttls {
				st.SetProtocol(protoIMAPS, ProtoUnknown, ConfidenceDPI)
				st.SwitchToTLS()
				return true, true
			}
		case hasFoldPrefix(w, "UID"):
			s.stage++
			saw = true
		case hasFoldPrefix(w, "NO") && w[2] == ' ':
			s.stage++
			s.starttls = false
			saw = true
		}
	}
	if cs+8 < n && hasFoldPrefix(w, "STARTTLS") {
		s.stage++
		s.starttls = true
		saw = true
	}
	if cs+5 < n && hasFoldPrefix(w, "LOGIN") {
		// "LOGIN user password": a first token makes the user name.
		rest := w[5:]
		rest = bytes.TrimLeft(rest, " \"\r\n")
		if len(rest) > 0 {
			s.user = true
		}
		s.stage++
		saw = true
	}
	if cs+12 < n && hasFoldPrefix(w, "AUTHENTICATE") {
		s.stage++
		st.SetProtocol(protoIMAPS, ProtoUnknown, ConfidenceDPI)
		saw = true
	}
	for _, group := range imapWords {
		for _, iw := range group {
			if cs+iw.after < n && hasFoldPrefix(w, iw.word) {
				s.stage++
				saw = true
				break
			}
		}
	}
	return saw, false
}

func init() {
	imapID = register(Spec{Dissector: imapDissector{}, Transport: TCP, Proto: protoIMAP, Order: orderOf("mail_imap")})
}
