package features

import (
	"fmt"

	"github.com/nfdataset/nfdataset/dpi"
	"github.com/nfdataset/nfdataset/meter"
)

func init() {
	Register(Spec{
		Name:    "dpi",
		Version: 2,
		Rank:    30,
		Doc:     "Application identification and metadata (NFStream's nDPI columns), from the pure-Go dpi package.",
		Options: []Option{{Name: "n_dissections", Default: int64(20),
			Doc: "packets per flow handed to DPI at most (NFStream's n_dissections), 1…255"}},
		New: func(opts Options, env Env) (Set, error) {
			n, err := opts.Int("n_dissections")
			if err != nil {
				return nil, err
			}
			if n < 1 || n > 255 {
				return nil, fmt.Errorf("dpi: n_dissections must be in 1…255, got %d", n)
			}
			return &dpiSet{n: uint32(n)}, nil
		},
	})
}

// dpiState is one flow's detection state and NFStream's §6.1 bookkeeping.
// Once the result can no longer change (detected, and the dissector asked
// for nothing more; or detection closed) it is kept in res and the bulky
// detection state goes back to the set's spares: a table of a million
// flows then holds a hundred-odd bytes of DPI per finished detection.
type dpiState struct {
	flow     *dpi.Flow   // nil once final
	res      *dpi.Result // set once final
	seen     uint32      // packets of the flow so far
	final    bool
	wantMore bool // the last dissected packet asked for more
	closed   bool // detection is over (no more packets dissected)
}

type dpiSet struct {
	slot
	n      uint32
	pkt    dpi.Packet // reused for every packet
	spares []*dpi.Flow
}

var _ Set = (*dpiSet)(nil)

func (s *dpiSet) packet(p *meter.Packet) *dpi.Packet {
	s.pkt = dpi.Packet{
		IP:        p.IPPacket,
		Payload:   p.Payload(),
		Direction: p.Direction,
		Protocol:  p.Protocol,
		IPVersion: p.IPVersion,
		SrcIP:     p.SrcIP,
		DstIP:     p.DstIP,
		SrcPort:   p.SrcPort,
		DstPort:   p.DstPort,
		TCPFlags:  p.Flags,
		TimeMs:    p.TimeMs,
	}
	return &s.pkt
}

func (s *dpiSet) state(f *meter.Flow) *dpiState {
	st, _ := f.Ext[s.index].(*dpiState)
	if st == nil {
		st = &dpiState{}
		f.Ext[s.index] = st
	} else {
		if st.flow != nil {
			s.release(st)
		}
		*st = dpiState{}
	}
	if n := len(s.spares); n > 0 {
		st.flow = s.spares[n-1]
		s.spares = s.spares[:n-1]
	} else {
		st.flow = new(dpi.Flow)
	}
	return st
}

func (s *dpiSet) release(st *dpiState) {
	st.flow.Reset()
	s.spares = append(s.spares, st.flow)
	st.flow = nil
}

// finish keeps the final result and frees the detection state.
func (s *dpiSet) finish(st *dpiState) {
	if st.final {
		return
	}
	r := st.flow.Result()
	st.res = &r
	st.final = true
	// A flow with a parsed TLS/QUIC hello keeps its state, so plugins
	// (through DPIFlow) can still read the hellos; the rest is released.
	if st.flow.ClientHello() == nil && st.flow.ServerHello() == nil {
		s.release(st)
	}
}

// settle finishes the state when nothing can change the result any more:
// the protocol is known and its dissector wants no more packets.
func (s *dpiSet) settle(st *dpiState) {
	if !st.wantMore && st.flow.Detected() {
		s.finish(st)
	}
}

// Init dissects the first packet, always.
func (s *dpiSet) Init(p *meter.Packet, f *meter.Flow) {
	st := s.state(f)
	st.seen = 1
	st.wantMore = st.flow.Feed(s.packet(p))
	if s.n == 1 {
		if !st.flow.Detected() {
			st.flow.GiveUp()
		}
		st.closed = true
		s.finish(st)
		return
	}
	s.settle(st)
}

// Update feeds a later packet while detection is open: when the protocol is
// unknown, or known and more packets were asked for; the n-th packet closes
// detection (guessing when still unknown).
func (s *dpiSet) Update(p *meter.Packet, f *meter.Flow) {
	st := f.Ext[s.index].(*dpiState)
	if st.closed {
		return
	}
	st.seen++
	if st.final { // detected and nothing more wanted: NFStream closes here
		st.closed = true
		return
	}
	if !st.flow.Detected() || st.wantMore {
		st.wantMore = st.flow.Feed(s.packet(p))
	} else {
		st.closed = true
		s.finish(st)
		return
	}
	if st.seen == s.n {
		if !st.flow.Detected() {
			st.flow.GiveUp()
		}
		st.closed = true
		s.finish(st)
		return
	}
	s.settle(st)
}

// Expire guesses for a flow whose detection never closed.
func (s *dpiSet) Expire(f *meter.Flow) {
	st := f.Ext[s.index].(*dpiState)
	if st.final {
		st.closed = true
		return
	}
	if !st.closed && !st.flow.Detected() {
		st.flow.GiveUp()
	}
	st.closed = true
	s.finish(st)
}

func (*dpiSet) Columns() Schema {
	return Schema{
		{Name: "application_name", Kind: String, Doc: "nDPI-style application: Master.App (TLS.Facebook), Master, App or Unknown", Nullable: true},
		{Name: "application_category_name", Kind: String, Doc: "nDPI category of the application (Web, SocialNetwork, …; Unspecified)", Nullable: true},
		{Name: "application_is_guessed", Kind: Int, Doc: "1 when the application was guessed from ports/addresses at give-up"},
		{Name: "application_confidence", Kind: Int, Doc: "nDPI confidence: 0 unknown, 1 port/IP match, 6 DPI"},
		{Name: "requested_server_name", Kind: String, Doc: "server name: TLS/QUIC SNI, HTTP Host, DNS query name", Nullable: true},
		{Name: "client_fingerprint", Kind: String, Doc: "JA3 of the TLS/QUIC ClientHello (MD5 hex); DHCP/SSH client fingerprints", Nullable: true},
		{Name: "server_fingerprint", Kind: String, Doc: "JA3S of the TLS ServerHello (MD5 hex); SSH server fingerprint", Nullable: true},
		{Name: "user_agent", Kind: String, Doc: "HTTP User-Agent, or the QUIC user agent parameter", Nullable: true},
		{Name: "content_type", Kind: String, Doc: "HTTP response Content-Type", Nullable: true},
	}
}

func (s *dpiSet) Fill(_ int64, f *meter.Flow, dst []Value) {
	st := f.Ext[s.index].(*dpiState)
	var r dpi.Result
	if st.final {
		r = *st.res
	} else {
		r = st.flow.Result()
	}
	dst[0] = StringValue(r.Application)
	dst[1] = StringValue(r.Category)
	dst[2] = IntValue(int64(r.IsGuessed))
	dst[3] = IntValue(int64(r.Confidence))
	dst[4] = StringValue(r.ServerName)
	dst[5] = StringValue(r.ClientFingerprint)
	dst[6] = StringValue(r.ServerFingerprint)
	dst[7] = StringValue(r.UserAgent)
	dst[8] = StringValue(r.ContentType)
}

// DPIFlow returns the detection state of f kept by a dpi set (for plugins
// such as JA4 that read the parsed TLS hellos), or nil. Flows with a parsed
// hello keep it until expiry; other flows release their state once the
// result is final, and then DPIFlow returns nil.
func DPIFlow(set Set, f *meter.Flow) *dpi.Flow {
	s, ok := set.(*dpiSet)
	// dpi is Passive: it skips foreign flows (meter.Config.Owns), whose
	// slot may still hold a recycled flow's state.
	if !ok || f.Foreign() {
		return nil
	}
	st, _ := f.Ext[s.index].(*dpiState)
	if st == nil {
		return nil
	}
	return st.flow
}

// PassiveHook: dpi never forces expiry, so it may run in parallel meters.
func (*dpiSet) PassiveHook() {}

// PacketBytes: dpi reads the bytes of a flow's first n_dissections packets
// only, so parallel meters need not copy the rest.
func (s *dpiSet) PacketBytes() int { return int(s.n) }
