package dpi

import "encoding/binary"

// WireGuard over UDP: message types 1..4 with three zero reserved bytes.
// A handshake initiation (148 bytes) answered from the other side by a
// response (92) or cookie reply (64) naming the initiator's index, or
// transport data whose receiver indexes stay constant per side, makes the
// flow WireGuard. Transport data alone makes WireGuard the give-up guess.
type wireguardDissector struct{}

func (wireguardDissector) Name() string { return "WireGuard" }

var protoWireGuard = protoByName("WireGuard")

// wgFlow is nDPI's wireguard_stage (1/2 initiation seen in nDPI direction
// 0/1, 3/4 data seen in one direction, 5 in both) and the peer indexes.
type wgFlow struct {
	stage   uint8
	index   [2]uint32
	guessed bool
}

var wgID DissectorID

func (wireguardDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 32 || b[1] != 0 || b[2] != 0 || b[3] != 0 {
		return NotMine
	}
	dir := ndpiDirection(p)
	s, _ := st.Data(wgID).(*wgFlow)
	if s == nil {
		s = &wgFlow{}
		st.SetData(wgID, s)
	}
	le := binary.LittleEndian
	switch {
	case b[0] == 1 && len(b) == 148: // handshake initiation: sender index
		s.stage = 1 + dir
		s.index[dir] = le.Uint32(b[4:])
	case b[0] == 2 && len(b) == 92, b[0] == 3 && len(b) == 64: // response, cookie reply
		if s.stage == 2-dir {
			at := 8 // the response's receiver index
			if b[0] == 3 {
				at = 4
			}
			if le.Uint32(b[at:]) != s.index[1-dir] {
				return NotMine
			}
			return wgFound(st)
		}
	case b[0] == 4: // transport data: receiver index
		s.guessed = true
		idx := le.Uint32(b[4:])
		switch {
		case s.stage == 0:
			s.stage = 3 + dir
			s.index[dir] = idx
		case s.stage == 4-dir:
			s.index[dir] = idx
			s.stage = 5
		case s.stage == 5:
			if idx != s.index[dir] {
				return NotMine
			}
			return wgFound(st)
		}
	default:
		return NotMine
	}
	return NeedMore
}

func wgFound(st *State) Verdict {
	st.SetProtocol(protoWireGuard, ProtoUnknown, ConfidenceDPI)
	return Done
}

// wireguardGiveUp: transport data seen makes WireGuard nDPI's guess.
func wireguardGiveUp(st *State) bool {
	if s, _ := st.Data(wgID).(*wgFlow); s != nil && s.guessed {
		st.SetProtocol(protoWireGuard, ProtoUnknown, ConfidenceMatchByPort)
		return true
	}
	return false
}

func init() {
	wgID = register(Spec{Dissector: wireguardDissector{}, Transport: UDP, Proto: protoWireGuard, Order: orderOf("wireguard")})
	giveUpHooks = append(giveUpHooks, wireguardGiveUp)
}
