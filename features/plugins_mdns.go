package features

import (
	"slices"
	"strings"

	"github.com/nfdataset/nfdataset/meter"
)

// MDNS (NFStream's nfstream/plugins/mdns.py): the PTR answers of multicast
// DNS flows.
func init() {
	RegisterPlugin(PluginSpec[mdnsState]{
		Name:    "mdns",
		Version: 1,
		Doc:     "NFStream's MDNS plugin: unique PTR answer names of flows to port 5353, as a Python list.",
		New: func(Options, Env) (Plugin[mdnsState], error) {
			return mdnsPlugin{}, nil
		},
	})
}

type mdnsState struct {
	ptr     []string // unique names in first-seen order
	scratch []string // one packet's PTR answers
}

func (s *mdnsState) Reset() { s.ptr, s.scratch = s.ptr[:0], s.scratch[:0] }

type mdnsPlugin struct{ PluginHooks[mdnsState] }

func (mdnsPlugin) Columns() []Column {
	return []Column{{Name: "mdns_ptr", Kind: String,
		Doc: "unique PTR answer names (commas replaced by spaces) of flows whose dst_port is 5353, in order, as Python list text ['a', 'b']"}}
}

func (m mdnsPlugin) OnInit(p *meter.Packet, f *meter.Flow, s *mdnsState) { m.OnUpdate(p, f, s) }

// OnUpdate reads every packet of the flow, in both directions, like
// NFStream: the test is on the flow's dst_port, not the packet's.
func (mdnsPlugin) OnUpdate(p *meter.Packet, f *meter.Flow, s *mdnsState) {
	if f.DstPort != 5353 {
		return
	}
	proto, l4, fragment, err := dpktIPv4(p.IPPacket)
	if err != nil || proto != 17 || fragment {
		return
	}
	payload, err := dpktUDPPayload(l4)
	if err != nil {
		return
	}
	s.scratch, err = dnsAnswerPTRs(payload, s.scratch[:0])
	if err != nil {
		return
	}
	for _, name := range s.scratch {
		name = strings.ReplaceAll(name, ",", " ")
		if !slices.Contains(s.ptr, name) {
			s.ptr = append(s.ptr, name)
		}
	}
}

func (mdnsPlugin) OnExpire(_ *meter.Flow, s *mdnsState, out []Value) {
	out[0] = StringValue(pythonStrListRepr(s.ptr))
}
