package features

import (
	"github.com/nfdataset/nfdataset/meter"
)

// ja4: JA4 and JA4S TLS fingerprints (NFStream's JA4 plugin).
//
// By default (spec=false) it is NFStream's plugin, bugs included (see
// plugins_ja4_nfstream.go and the reference §7.4): a flow is only
// fingerprinted when its first packet is a SYN without ACK, the ClientHello
// must come at the latest right after the handshake's ACK, and the hellos
// are read from single IPv4 packets.
//
// With spec=true it follows the JA4 specification instead (FoxIO's
// technical_details/JA4.md and JA4S.md): TLS over TCP ("t", hellos
// reassembled across segments), QUIC ("q", from decrypted Initial
// packets, versions 1, 2 and drafts 23–32), DTLS ("d", unfragmented
// hellos), IPv4 and IPv6, any first packet, GREASE
// removed everywhere, versions mapped as the specification lists them
// (13, 12, …, s3, 00), non-alphanumeric ALPN bytes printed as hex, and the
// server fingerprint computed from the reply direction only.
func init() {
	RegisterPlugin(PluginSpec[ja4State]{
		Name:    "ja4",
		Version: 1,
		Doc:     "JA4/JA4S TLS fingerprints as udps.ja4, udps.ja4s: NFStream's JA4 plugin (bugs included), or the JA4 specification with spec=true (QUIC, IPv6, reassembly).",
		Options: []Option{{Name: "spec", Default: false, Doc: "follow the JA4 specification instead of reproducing NFStream's plugin"}},
		New: func(opts Options, _ Env) (Plugin[ja4State], error) {
			spec, err := opts.Bool("spec")
			if err != nil {
				return nil, err
			}
			return ja4Plugin{spec: spec}, nil
		},
	})
}

type ja4State struct {
	client, server string // "" is None

	// NFStream mode.
	eligible                  bool
	sawSYN, sawSYNACK, sawACK bool

	// Specification mode.
	spec ja4SpecState
}

func (s *ja4State) Reset() {
	spec := s.spec
	spec.reset()
	*s = ja4State{spec: spec}
}

type ja4Plugin struct {
	PluginHooks[ja4State]
	spec bool
}

func (ja4Plugin) Columns() []Column {
	return []Column{
		{Name: "ja4", Kind: String, Doc: "JA4 fingerprint of the ClientHello, null when none was read"},
		{Name: "ja4s", Kind: String, Doc: "JA4S fingerprint of the ServerHello, null when none was read"},
	}
}

func (j ja4Plugin) OnInit(p *meter.Packet, f *meter.Flow, s *ja4State) {
	if j.spec {
		s.spec.packet(p, f, s)
		return
	}
	// NFStream looks at flows whose first packet is a SYN without ACK.
	s.eligible = p.Has(meter.FlagSYN) && !p.Has(meter.FlagACK)
	s.sawSYN = s.eligible
}

func (j ja4Plugin) OnUpdate(p *meter.Packet, f *meter.Flow, s *ja4State) {
	if j.spec {
		s.spec.packet(p, f, s)
		return
	}
	if s.eligible {
		if s.client == "" {
			s.client = nfstreamTryHello(p, 1)
		} else {
			payload, none, err := nfstreamHelloInput(p.IPVersion, p.IPPacket)
			var fp string
			if err == nil && !none {
				fp, _, err = nfstreamHello(payload, 2)
			}
			if err != nil {
				// NFStream's except branch clears the client fingerprint
				// (and leaves ja4s as it was).
				s.client = ""
			} else {
				s.server = fp
			}
			if s.server != "" {
				s.eligible = false
			}
		}
	}
	if s.sawACK && s.eligible && s.client == "" {
		s.eligible = false
	}
	if s.eligible {
		syn, ack := p.Has(meter.FlagSYN), p.Has(meter.FlagACK)
		switch {
		case !s.sawSYN:
			s.sawSYN = syn && !ack
		case !s.sawSYNACK:
			s.sawSYNACK = syn && ack
		case !s.sawACK:
			s.sawACK = ack && !syn
		}
	}
}

// nfstreamTryHello returns the fingerprint of a hello of the wanted type in
// p, or "" (NFStream's None, also after an exception).
func nfstreamTryHello(p *meter.Packet, want byte) string {
	payload, none, err := nfstreamHelloInput(p.IPVersion, p.IPPacket)
	if err != nil || none {
		return ""
	}
	fp, ok, err := nfstreamHello(payload, want)
	if err != nil || !ok {
		return ""
	}
	return fp
}

func (ja4Plugin) OnExpire(_ *meter.Flow, s *ja4State, out []Value) {
	if s.client != "" {
		out[0] = StringValue(s.client)
	}
	if s.server != "" {
		out[1] = StringValue(s.server)
	}
}
