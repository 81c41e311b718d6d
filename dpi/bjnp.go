package dpi

import "bytes"

// BJNP (Canon printer discovery) over UDP: "BJNP", "BNJB", "BJNB" or
// "MFNP" at the start.
type bjnpDissector struct{}

func (bjnpDissector) Name() string { return "BJNP" }

var protoBJNP = protoByName("BJNP")

func (bjnpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if len(b) > 4 {
		for _, m := range []string{"BJNP", "BNJB", "BJNB", "MFNP"} {
			if bytes.HasPrefix(b, []byte(m)) {
				st.SetProtocol(protoBJNP, ProtoUnknown, ConfidenceDPI)
				return Done
			}
		}
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: bjnpDissector{}, Transport: UDP, Proto: protoBJNP, Order: orderOf("bjnp")})
}
