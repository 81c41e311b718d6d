package dpi

// VMware remote console heartbeats: 66-byte UDP packets to port 902
// starting with 0xa4.
type vmwareDissector struct{}

func (vmwareDissector) Name() string { return "VMware" }

var protoVMware = protoByName("VMware")

func (vmwareDissector) Dissect(p *Packet, st *State) Verdict {
	if len(p.Payload) == 66 && p.DstPort == 902 && p.Payload[0] == 0xa4 {
		st.SetProtocol(protoVMware, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: vmwareDissector{}, Transport: UDP, Proto: protoVMware, Order: orderOf("vmware")})
}
