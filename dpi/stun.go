package dpi

import (
	"bytes"
	"strings"
)

// STUN (RFC 5389/8489) and TURN, and the call applications that use it.
// A STUN message is a 20-byte header (type, length of the attributes,
// magic cookie, transaction id) followed by type-length-value attributes
// padded to 4 bytes. Some attributes betray the application: Microsoft's
// (candidate identifier, implementation version, …) Skype/Teams calls,
// 0x4000-0x4002 WhatsApp calls, 0xFF03 Google Duo/Meet, 0x0101/0x0103
// Zoom, and the REALM names the TURN service (google.com, signal.org,
// facebook). nDPI names the flow STUN.<App>; without a telling attribute
// it waits for three STUN messages before settling for plain STUN.
type stunDissector struct{}

func (stunDissector) Name() string { return "STUN" }

var (
	protoSTUN         = protoByName("STUN")
	protoWhatsAppCall = protoByName("WhatsAppCall")
	protoHangoutDuo   = protoByName("GoogleHangoutDuo")
	protoFacebookVoip = protoByName("FacebookVoip")
	protoSignalVoip   = protoByName("SignalVoip")
	protoGoogle       = protoByName("Google")
	protoFacebook     = protoByName("Facebook")
	protoDTLSGuess    = protoByName("DTLS")
)

// stunMinMessages is how many STUN messages without an application
// attribute nDPI wants before it calls the flow STUN.
const stunMinMessages = 3

// stunFlow is the per-flow STUN memory (nDPI's flow->stun).
type stunFlow struct {
	messages        uint8   // STUN messages counted (binding requests with attributes and others)
	bindingRequests uint8   // binding requests seen, empty ones included
	settled         uint8   // messages that reached the "plain STUN" decision
	guess           ProtoID // what the give-up guess becomes (STUN, DTLS), ProtoUnknown to keep the port guess
}

var stunID DissectorID

func stunState(st *State) *stunFlow {
	if s, ok := st.Data(stunID).(*stunFlow); ok {
		return s
	}
	s := &stunFlow{}
	st.SetData(stunID, s)
	return s
}

func (stunDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if p.Protocol == 6 && len(b) >= 22 && int(be16(b))+2 == len(b) {
		// STUN over TCP (RFC 4571 framing): a 2-byte length, then the message.
		if ok, app, excl := checkSTUN(p, st, b[2:]); excl {
			return NotMine
		} else if ok {
			setSTUN(st, app)
			return Done
		}
	}
	ok, app, excl := checkSTUN(p, st, b)
	if excl {
		return NotMine
	}
	if ok {
		setSTUN(st, app)
		return Done
	}
	if s, _ := st.Data(stunID).(*stunFlow); s != nil && s.messages >= stunMinMessages {
		return NotMine
	}
	return NeedMore
}

// setSTUN sets STUN.<app>; without an application attribute the address
// may still tell Google's or Facebook's TURN relays.
func setSTUN(st *State, app ProtoID) {
	if app == ProtoUnknown {
		switch st.ProtoByIP {
		case protoGoogle:
			app = protoHangoutDuo
		case protoFacebook:
			app = protoFacebookVoip
		}
	}
	st.SetProtocol(app, protoSTUN, ConfidenceDPI)
}

// checkSTUN reads one STUN message. It reports whether the flow is STUN
// (with the application an attribute revealed), or that the flow can never
// be (broadcast and multicast traffic).
func checkSTUN(p *Packet, st *State, b []byte) (isSTUN bool, app ProtoID, exclude bool) {
	if p.DstIP.Is4() && (p.DstIP.As4() == [4]byte{255, 255, 255, 255} || p.DstIP.As4()[0]&0xf0 == 0xe0) {
		return false, ProtoUnknown, true
	}
	if len(b) >= 512 {
		return false, ProtoUnknown, false
	}
	if len(b) < 20 {
		// Short packets between STUN messages (keep-alives) count as STUN
		// once a message was seen.
		s, _ := st.Data(stunID).(*stunFlow)
		return s != nil && s.messages > 0, ProtoUnknown, false
	}
	if bytes.HasPrefix(b, []byte("RSP/")) && bytes.HasPrefix(b[7:], []byte(" STUN_")) {
		return stunSettle(stunState(st)), ProtoUnknown, false
	}
	msgType, msgLen := be16(b), int(be16(b[2:]))
	if msgType == 0 || msgLen+20 != len(b) {
		return false, ProtoUnknown, false
	}
	if msgType&0x3eef > 0x000b && msgType != 0x0800 {
		// Not a STUN method: a flow that started as STUN may go on as DTLS
		// (WebRTC), which then becomes the give-up guess.
		if b[0] == 0x16 {
			if v := be16(b[1:]); (v == 0xfeff || v == 0xfefd) && int(be16(b[11:]))+13 == len(b) {
				stunState(st).guess = protoDTLSGuess
			}
		}
		return false, ProtoUnknown, false
	}
	s := stunState(st)
	if msgType == 0x0001 { // binding request
		s.bindingRequests = sat8(s.bindingRequests)
		s.guess = protoSTUN
		if msgLen == 0 {
			// Empty binding requests keep the dissector listening.
			return false, ProtoUnknown, false
		}
	}
	s.messages = sat8(s.messages)
	if b[0] == 0x80 {
		// 0x80xx methods are WhatsApp's own.
		return true, protoWhatsAppCall, false
	}
	s.guess = protoSTUN
	if msgType == 0x0800 {
		return true, protoWhatsAppCall, false
	}
	if app, ok := stunAttributes(st, msgType, b); ok {
		return true, app, false
	}
	return stunSettle(s), ProtoUnknown, false
}

// stunSettle counts a message that revealed no application: plain STUN
// once enough of them were seen.
func stunSettle(s *stunFlow) bool {
	s.settled = sat8(s.settled)
	return s.messages >= stunMinMessages
}

// stunAttributes walks the attributes of message b looking for one that
// names the application.
func stunAttributes(st *State, msgType uint16, b []byte) (ProtoID, bool) {
	for off := 20; off+4 < len(b); {
		attr, rawLen := be16(b[off:]), int(be16(b[off+2:]))
		n := (rawLen + 3) &^ 3
		switch attr {
		case 0x0101, 0x0103:
			return protoZoom, true
		case 0x4000, 0x4001, 0x4002:
			return protoWhatsAppCall, true
		case 0x0014: // REALM: the TURN service's name
			if st.Reported().ServerName == "" {
				start := off + 4
				st.setCServerName(b[start : start+min(rawLen, len(b)-start)])
				switch h := st.Reported().ServerName; {
				case strings.Contains(h, "google.com"):
					return protoHangoutDuo, true
				case strings.Contains(h, "whispersystems.org"), strings.Contains(h, "signal.org"):
					return protoSignalVoip, true
				case strings.Contains(h, "facebook"):
					return protoFacebookVoip, true
				}
			}
		case 0xc057: // Messenger's binding requests
			if msgType == 0x0001 && (len(b) == 120 || len(b) == 124) {
				return protoFacebookVoip, true
			}
		case 0x8054: // candidate identifier: Skype for Business, multiparty Skype
			if n == 4 && off+7 < len(b) && b[off+5] == 0 && b[off+6] == 0 && b[off+7] == 0 {
				return protoSkypeTeamsCall, true
			}
		case 0x24df, 0x3802, 0x8036, 0x8095, 0x0800, 0x8006: // seen only in Skype calls
			return protoSkypeTeamsCall, true
		case 0x8070: // Microsoft implementation version 2 or 3
			if n == 4 && off+7 < len(b) && b[off+4] == 0 && b[off+5] == 0 && b[off+6] == 0 &&
				(b[off+7] == 2 || b[off+7] == 3) {
				return protoSkypeTeamsCall, true
			}
		case 0xff03:
			return protoHangoutDuo, true
		}
		off += n + 4
	}
	return ProtoUnknown, false
}

// stunGiveUp is nDPI's STUN rule at give-up: a flow whose guess became
// STUN (a binding request, or the STUN port), or that sent binding requests
// and settled messages, is STUN with partial confidence; a STUN flow that
// went on as DTLS is guessed DTLS.
func stunGiveUp(st *State) bool {
	s, _ := st.Data(stunID).(*stunFlow)
	guess := st.PortGuess()
	if s != nil && s.guess != ProtoUnknown {
		guess = s.guess
	}
	switch {
	case guess == protoSTUN || s != nil && s.bindingRequests > 0 && s.settled > 0:
		st.SetProtocol(protoSTUN, ProtoUnknown, ConfidenceDPIPartial)
		return true
	case guess == protoDTLSGuess:
		st.SetProtocol(protoDTLSGuess, ProtoUnknown, ConfidenceMatchByPort)
		return true
	}
	return false
}

// sat8 increments a saturating counter.
func sat8(v uint8) uint8 {
	if v == 255 {
		return v
	}
	return v + 1
}

func init() {
	stunID = register(Spec{Dissector: stunDissector{}, Transport: TCPUDP, Proto: protoSTUN, Order: orderOf("stun")})
	giveUpHooks = append(giveUpHooks, stunGiveUp)
}
