package dpi

// MQTT over TCP: a fixed header (packet type 1..14 and its flags, then the
// variable-length "remaining length") that exactly covers the packet, and
// per type the flags and sizes the standard requires.
type mqttDissector struct{}

func (mqttDissector) Name() string { return "MQTT" }

var protoMQTT = protoByName("MQTT")

// mqttRemainingLength decodes the 1-4 byte remaining length; n is the
// bytes used, ok false when b ends first.
func mqttRemainingLength(b []byte) (v, n int, ok bool) {
	mult := 1
	for i := 0; i < 4; i++ {
		if i >= len(b) {
			return 0, 0, false
		}
		n++
		v += int(b[i]&127) * mult
		if b[i]&128 == 0 {
			break
		}
		mult *= 128
	}
	return v, n, true
}

func (mqttDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if payloadCounter(st) > 10 {
		return NotMine
	}
	if len(b) < 2 {
		return NotMine
	}
	rl, n, ok := mqttRemainingLength(b[1:])
	if !ok || len(b) != rl+1+n {
		return NotMine
	}
	typ, flags := b[0]>>4, b[0]&0x0f
	switch typ {
	case 0, 15:
		return NotMine
	case 1, 2, 4, 5, 7, 9, 11, 12, 13, 14: // flags must be 0
		if flags != 0 {
			return NotMine
		}
	case 6, 8, 10: // PUBREL, SUBSCRIBE, UNSUBSCRIBE: flags 2
		if flags != 2 {
			return NotMine
		}
	}
	valid := false
	switch typ {
	case 2, 4, 6, 5, 7, 11: // acknowledgements: always 4 bytes
		valid = len(b) == 4
	case 12, 13, 14: // PINGREQ, PINGRESP, DISCONNECT: 2 bytes
		valid = len(b) == 2
	case 1: // CONNECT
		valid = true
	case 3: // PUBLISH: QoS 0 needs a topic, QoS 1 also a packet id
		// nDPI reads the QoS bits unshifted (flags & 6), so QoS 2 and the
		// DUP bit fail its "at most 2" and "at most 1" checks.
		switch flags & 0x06 {
		case 0:
			valid = len(b) >= 5
		case 2:
			valid = len(b) >= 7
		}
	case 8: // SUBSCRIBE
		valid = len(b) >= 8
	case 9: // SUBACK
		valid = len(b) >= 5
	case 10: // UNSUBSCRIBE
		valid = len(b) >= 7
	}
	if !valid {
		return NotMine
	}
	st.SetProtocol(protoMQTT, ProtoUnknown, ConfidenceDPI)
	return Done
}

func init() {
	register(Spec{Dissector: mqttDissector{}, Transport: TCP, Proto: protoMQTT, Order: orderOf("mqtt")})
}
