package dpi

// SMPP (Short Message Peer-to-Peer) over TCP: one or more PDUs, each a
// 16-byte header (length, command id, status, sequence) whose lengths add
// up to the packet, the first with a known command (or its response, high
// bit set) and the body size and status that command allows. Decided
// within the first three packets with payload.
type smppDissector struct{}

func (smppDissector) Name() string { return "SMPP" }

var protoSMPP = protoByName("SMPP")

// smppRule: minimum total length (0 none), whether the length must be
// exactly the header, and whether the status must be zero.
type smppRule struct {
	minLen       uint32
	headerOnly   bool
	statusIsZero bool
}

var smppRules = map[uint32]smppRule{
	0x80000000: {headerOnly: true},                     // generic_nack
	0x00000001: {minLen: 26, statusIsZero: true},       // bind_receiver
	0x00000002: {minLen: 26, statusIsZero: true},       // bind_transmitter
	0x00000009: {minLen: 26, statusIsZero: true},       // bind_transceiver
	0x80000001: {minLen: 18},                           // bind_receiver_resp
	0x80000002: {minLen: 18},                           // bind_transmitter_resp
	0x80000009: {minLen: 18},                           // bind_transceiver_resp
	0x0000000b: {minLen: 20, statusIsZero: true},       // outbind
	0x00000006: {headerOnly: true, statusIsZero: true}, // unbind
	0x80000006: {headerOnly: true},                     // unbind_resp
	0x00000004: {minLen: 33, statusIsZero: true},       // submit_sm
	0x00000021: {minLen: 33, statusIsZero: true},       // submit_multi
	0x80000021: {minLen: 26},                           // submit_multi_resp
	0x00000005: {minLen: 33, statusIsZero: true},       // deliver_sm
	0x80000005: {minLen: 17},                           // deliver_sm_resp
	0x00000103: {minLen: 26, statusIsZero: true},       // data_sm
	0x80000103: {minLen: 18},                           // data_sm_resp
	0x00000003: {minLen: 20, statusIsZero: true},       // query_sm
	0x80000003: {minLen: 21},                           // query_sm_resp
	0x00000008: {minLen: 24, statusIsZero: true},       // cancel_sm
	0x80000008: {headerOnly: true},                     // cancel_sm_resp
	0x00000007: {minLen: 25, statusIsZero: true},       // replace_sm
	0x80000007: {headerOnly: true},                     // replace_sm_resp
	0x00000015: {headerOnly: true, statusIsZero: true}, // enquire_link
	0x80000015: {headerOnly: true},                     // enquire_link_resp
	0x00000102: {minLen: 22, statusIsZero: true},       // alert_notification
}

func (smppDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) < 16 || payloadCounter(st) > 3 {
		return NotMine
	}
	pduLen := be32(b)
	if int(pduLen) != len(b) {
		// Several PDUs in one segment: their lengths must add up exactly.
		total := uint64(pduLen)
		for total+4 <= uint64(len(b)) && total < uint64(len(b)-4) {
			next := be32(b[total:])
			if next == 0 {
				return NeedMore
			}
			total += uint64(next)
		}
		if total != uint64(len(b)) {
			return NeedMore
		}
	}
	if b[4] != 0x00 && b[4] != 0x80 {
		return NotMine
	}
	cmd := be32(b[4:])
	req := cmd & 0x00ffffff
	if !(req > 0 && req <= 9 || req == 0x0b || req == 0x15 || req == 0x21 || req == 0x102 || req == 0x103) {
		return NotMine
	}
	status := be32(b[8:])
	if r, ok := smppRules[cmd]; ok {
		if r.statusIsZero && status != 0 || r.headerOnly && pduLen > 16 || pduLen < r.minLen {
			return NotMine
		}
	}
	if cmd == 0x80000004 { // submit_sm_resp: an error has no body, success a message id
		if status != 0 && pduLen > 16 || status == 0 && pduLen < 18 {
			return NotMine
		}
	}
	st.SetProtocol(protoSMPP, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: smppDissector{}, Transport: TCP, Proto: protoSMPP, Order: orderOf("smpp")})
}
