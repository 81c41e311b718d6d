package features

import (
	"fmt"

	"github.com/nfdataset/nfdataset/meter"
)

// tcp_teardown ends TCP flows at their natural end instead of waiting for a
// timeout: NFStream has none (its source only muses about an expiration id
// 3). The flow is forced out with expiration_id -1 (meter.ExpireCustom),
// the only id that makes the meter expire a flow from a hook; the
// udps.teardown column tells a teardown from other custom expiries.
//
// A packet that follows the teardown (the last ACK after both FINs, a
// retransmitted FIN, a late RST) starts a new flow, exactly as a packet
// after FlowSlicer's cut does.
func init() {
	RegisterPlugin(PluginSpec[teardownState]{
		Name:    "tcp_teardown",
		Version: 1,
		Doc:     "Ends a TCP flow (expiration_id -1) at RST, or at FIN once both directions sent one (mode=both) or at the first FIN (mode=first).",
		Options: []Option{{Name: "mode", Default: "both", Doc: `"both": end after both directions sent a FIN; "first": end at the first FIN`}},
		New: func(opts Options, _ Env) (Plugin[teardownState], error) {
			mode, err := opts.String("mode")
			if err != nil {
				return nil, err
			}
			switch mode {
			case "both", "first":
			default:
				return nil, fmt.Errorf(`option mode must be "both" or "first", got %q`, mode)
			}
			return tcpTeardown{firstFIN: mode == "first"}, nil
		},
	})
}

type teardownState struct {
	finSent [2]bool // by direction
	reason  string  // "fin", "rst" or "" while the flow is open
}

type tcpTeardown struct {
	PluginHooks[teardownState]
	firstFIN bool
}

func (tcpTeardown) Columns() []Column {
	return []Column{{Name: "teardown", Kind: String, Doc: `why the flow ended early: "fin" or "rst"; null when it ended by timeout or end of input`}}
}

func (t tcpTeardown) OnInit(p *meter.Packet, f *meter.Flow, s *teardownState) { t.OnUpdate(p, f, s) }

func (t tcpTeardown) OnUpdate(p *meter.Packet, f *meter.Flow, s *teardownState) {
	if p.Protocol != 6 || s.reason != "" {
		return
	}
	switch {
	case p.Has(meter.FlagRST):
		s.reason = "rst"
	case p.Has(meter.FlagFIN):
		s.finSent[p.Direction&1] = true
		if t.firstFIN || (s.finSent[0] && s.finSent[1]) {
			s.reason = "fin"
		}
	}
	if s.reason != "" {
		ForceExpire(f)
	}
}

func (tcpTeardown) OnExpire(_ *meter.Flow, s *teardownState, out []Value) {
	if s.reason != "" {
		out[0] = StringValue(s.reason)
	}
}
