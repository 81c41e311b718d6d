package dpi

import "bytes"

// Steam (Valve): the client's UDP server queries ("VS01", the Source
// engine's 0xFFFFFFFF-prefixed queries and their answers, the Steam
// Datagram Relay ping "\x01\x01sdping"), the TCP handshake of the
// content servers (a 0x01 byte answered by 0x00, or the reverse) and the
// HTTP user agent "Valve/Steam HTTP Client". A query/answer pair counts
// only when the answer comes from the other side.
type steamDissector struct{}

func (steamDissector) Name() string { return "Steam" }

var protoSteam = protoByName("Steam")

// steamFlow keeps, per exchange kind, the direction of the request seen
// (1 + direction, 0 when none): nDPI's steam_stage*.
type steamFlow struct {
	tcp, query, a2s, relay uint8
}

var steamID DissectorID

func (steamDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	counter := payloadCounter(st)
	if p.Protocol == 17 {
		if counter > 5 {
			return NotMine
		}
		if bytes.HasPrefix(b, []byte("VS01")) || len(b) > 8 && bytes.HasPrefix(b, []byte("\x01\x01sdping")) {
			return steamFound(st)
		}
		var scratch steamFlow
		s, stored := loadState(st, steamID, &scratch)
		defer keepState(st, steamID, s, stored)
		dir := p.Direction & 1
		allF := bytes.HasPrefix(b, []byte("\xff\xff\xff\xff"))
		if steamExchange(&s.query, dir, isSteamQueryPrefix(b), allF, allF, isSteamQueryPrefix(b)) == exchangeDone {
			return steamFound(st)
		}
		if steamExchange(&s.a2s, dir, len(b) == 25 && allF, allF, false, false) == exchangeDone {
			return steamFound(st)
		}
		relayRequest := len(b) == 4 && b[0] == 0x39 && b[1] == 0x18 && b[2] == 0 && b[3] == 0
		relayAnswer := len(b) == 8 && b[0] == 0x3a && b[1] == 0x18 && b[2] == 0 && b[3] == 0
		if steamExchange(&s.relay, dir, relayRequest, relayAnswer, false, false) == exchangeDone {
			return steamFound(st)
		}
		return NeedMore
	}
	if counter > 10 {
		return NotMine
	}
	if ua, ok := textHeader(b, "User-agent: ", 12); ok && bytes.HasPrefix(ua, []byte("Valve/Steam HTTP Client")) {
		return steamFound(st)
	}
	one := len(b) == 1 && b[0] == 0x01 || (len(b) == 4 || len(b) == 5) && bytes.HasPrefix(b, []byte{1, 0, 0, 0})
	zero := len(b) == 1 && b[0] == 0x00 || (len(b) == 4 || len(b) == 5) && bytes.HasPrefix(b, []byte{0, 0, 0})
	var scratch steamFlow
	s, stored := loadState(st, steamID, &scratch)
	defer keepState(st, steamID, s, stored)
	if steamExchange(&s.tcp, p.Direction&1, one, zero, zero, one) == exchangeDone {
		return steamFound(st)
	}
	return NeedMore
}

func isSteamQueryPrefix(b []byte) bool { return bytes.HasPrefix(b, []byte("\x31\xff\x30\x2e")) }

type exchangeResult uint8

const (
	exchangeNone exchangeResult = iota // nothing for this exchange kind
	exchangeWait                       // request seen (now or before), answer awaited
	exchangeDone                       // answer from the other side
)

// steamExchange advances one request/answer state machine. stage holds 0,
// or 1+direction of a first-form request (req1, answered by ans1), or
// 3+direction of a second-form request (req2, answered by ans2). A wrong
// answer from the other side resets it.
func steamExchange(stage *uint8, dir uint8, req1, ans1, req2, ans2 bool) exchangeResult {
	switch {
	case *stage == 0:
		if req1 {
			*stage = 1 + dir
			return exchangeWait
		}
		if req2 {
			*stage = 3 + dir
			return exchangeWait
		}
		return exchangeNone
	case *stage <= 2:
		if *stage-dir == 1 {
			return exchangeWait
		}
		if ans1 {
			return exchangeDone
		}
	default:
		if *stage-dir == 3 {
			return exchangeWait
		}
		if ans2 {
			return exchangeDone
		}
	}
	*stage = 0
	return exchangeNone
}

func steamFound(st *State) Verdict {
	st.SetProtocol(protoSteam, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	steamID = register(Spec{Dissector: steamDissector{}, Transport: TCPUDP, Proto: protoSteam, Order: orderOf("steam")})
}
