package dpi

import "bytes"

// SMTP: server replies (220, 250, 235, 334, 354) and client commands
// (HELO/EHLO, MAIL, RCPT, AUTH, STARTTLS, DATA, NOOP, RSET), line by line
// in CRLF-terminated packets; three different ones make the flow SMTP.
// The 220 greeting's host name becomes the server name and goes through
// the host rules (mx.google.com gives SMTP.Google). nDPI then reads on
// (up to 12 packets): after STARTTLS and the server's 220 the flow is
// SMTPS and the TLS dissector takes over, for the JA3 and certificate.
type smtpDissector struct{}

func (smtpDissector) Name() string { return "SMTP" }

var protoSMTP = protoByName("SMTP")

// SMTP command/reply bits (nDPI's smtp_command_bitmask).
const (
	smtp220 uint16 = 1 << iota
	smtp250
	smtp235
	smtp334
	smtp354
	smtpHELO
	smtpMAIL
	smtpRCPT
	smtpAuthLogin
	smtpAuthPlain
	smtpSTARTTLS
	smtpDATA
	smtpNOOP
	smtpRSET
)

type smtpFlow struct {
	bits                         uint16
	authFound, authDone, authTLS bool
	user, password               bool
	extra                        bool // detected: now in nDPI's extra dissection
}

var smtpID DissectorID

const smtpMaxExtraPackets = 12

// hasFoldPrefix reports whether b starts with upper-case word w in any case.
func hasFoldPrefix(b []byte, w string) bool {
	return len(b) >= len(w) && equalFoldASCII(b[:len(w)], w)
}

// scan reads the CRLF-terminated lines of b into the flow's bits.
func (s *smtpFlow) scan(st *State, b []byte) {
	start, lines := 0, 0
	for start <= len(b) && lines < maxTextLines {
		end := bytes.Index(b[start:], []byte("\r\n"))
		if end < 0 {
			end = len(b) - start
		}
		s.line(st, b, start, start+end)
		lines++
		start += end + 2
	}
}

// line handles b[from:to]; b is the whole payload (nDPI looks one byte
// past the line end when it reads the greeting's host name).
func (s *smtpFlow) line(st *State, b []byte, from, to int) {
	l := b[from:to]
	if len(l) >= 3 {
		switch string(l[:3]) {
		case "220":
			s.bits |= smtp220
			if st.Reported().ServerName == "" && len(l) > 4 && l[4] != '(' {
				i := 5
				for i < len(l)-1 && l[i] != ' ' {
					i++
				}
				if next := from + i + 1; next < len(b) && b[next] != '\r' && b[next] != '\n' && i >= 4 {
					st.setCServerName(l[4:i])
					st.MatchHost(protoSMTP, st.Reported().ServerName)
				}
			}
		case "250":
			s.bits |= smtp250
		case "235":
			s.bits |= smtp235
		case "334":
			s.bits |= smtp334
		case "354":
			s.bits |= smtp354
		}
	}
	if len(l) >= 5 {
		switch {
		case (hasFoldPrefix(l, "HELO") || hasFoldPrefix(l, "EHLO")) && l[4] == ' ':
			s.bits |= smtpHELO
			s.authFound = false
		case hasFoldPrefix(l, "MAIL") && l[4] == ' ':
			s.bits |= smtpMAIL
			s.authFound, s.authDone = false, true
		case hasFoldPrefix(l, "RCPT") && l[4] == ' ':
			s.bits |= smtpRCPT
			s.authFound, s.authDone = false, true
		case hasFoldPrefix(l, "AUTH") && l[4] == ' ':
			s.authFound = true
			if len(l) >= 6 {
				switch l[5] | 0x20 {
				case 'l':
					s.bits |= smtpAuthLogin
				case 'p':
					s.bits |= smtpAuthPlain
					s.authDone = true
				}
			}
		case l[3] != ' ' && s.authFound && s.bits&smtpAuthLogin != 0:
			// AUTH LOGIN: base64 user name, then password, on their own lines.
			switch {
			case !s.user:
				s.user = len(l) > 0 && l[0] >= ' '
			case !s.password:
				s.password = len(l) > 0 && l[0] >= ' '
				s.authDone = true
			}
		}
	}
	if hasFoldPrefix(l, "STARTTLS") || hasFoldPrefix(l, "X-ANONYMOUSTLS") {
		s.bits |= smtpSTARTTLS
		s.authTLS, s.authDone = true, false
	}
	if len(l) >= 4 {
		switch {
		case hasFoldPrefix(l, "DATA"):
			s.bits |= smtpDATA
		case hasFoldPrefix(l, "NOOP"):
			s.bits |= smtpNOOP
		case hasFoldPrefix(l, "RSET"):
			s.bits |= smtpRSET
		}
	}
}

func bitCount16(v uint16) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

func (smtpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	var scratch smtpFlow
	s, stored := loadState(st, smtpID, &scratch)
	defer keepState(st, smtpID, s, stored)
	app, master := st.Protocol()
	if app != ProtoUnknown || master != ProtoUnknown {
		return smtpExtra(p, st, s)
	}
	v, done := smtpSearch(p, st, s)
	if app, master := st.Protocol(); app != ProtoUnknown || master != ProtoUnknown {
		// Three commands/replies seen, or the greeting's host name matched
		// a host rule (SMTP.Google…): nDPI's extra dissection follows.
		st.SetExtraLimit(smtpMaxExtraPackets)
		return NeedMore
	}
	if done {
		return v
	}
	counter := payloadCounter(st)
	if counter <= 4 && len(b) >= 4 && (bytes.HasSuffix(b, []byte("\r\n")) || bytes.HasPrefix(b, []byte("220")) ||
		bytes.HasPrefix(b, []byte("EHLO"))) {
		return NeedMore
	}
	return NotMine
}

// smtpSearch is one pass of nDPI's SMTP search; done reports a final
// verdict.
func smtpSearch(p *Packet, st *State, s *smtpFlow) (Verdict, bool) {
	b := p.Payload
	if len(b) <= 2 || !bytes.HasSuffix(b, []byte("\r\n")) {
		return NeedMore, false
	}
	s.scan(st, b)
	n := bitCount16(s.bits)
	if n >= 3 {
		if app, master := st.Protocol(); app == ProtoUnknown && master == ProtoUnknown {
			st.SetProtocol(protoSMTP, ProtoUnknown, ConfidenceDPI)
		}
		return NeedMore, true
	}
	if n >= 1 && payloadCounter(st) < 12 {
		return NeedMore, true
	}
	return NeedMore, false
}

// smtpExtra follows a detected SMTP flow: STARTTLS accepted hands it to
// TLS as SMTPS; otherwise it keeps reading while no password was seen.
func smtpExtra(p *Packet, st *State, s *smtpFlow) Verdict {
	b := p.Payload
	if s.bits&smtpSTARTTLS != 0 {
		if len(b) > 3 && bytes.HasPrefix(b, []byte("220")) {
			if app, _ := st.Protocol(); app != ProtoUnknown && app != protoSMTP {
				st.SetProtocol(app, protoSMTPS, ConfidenceDPI)
			} else {
				st.SetProtocol(protoSMTPS, ProtoUnknown, ConfidenceDPI)
			}
			st.SwitchToTLS()
			return NeedMore
		}
		return Done
	}
	smtpSearch(p, st, s)
	if !s.password && (s.authTLS || !s.authDone) {
		return NeedMore
	}
	return Done
}

func init() {
	smtpID = register(Spec{Dissector: smtpDissector{}, Transport: TCP, Proto: protoSMTP, Order: orderOf("mail_smtp")})
}
