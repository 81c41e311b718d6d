package features

import (
	"fmt"

	"github.com/nfdataset/nfdataset/meter"
)

// SPLT as a plugin (NFStream's nfstream/plugins/splt.py): the same sequences
// as the built-in splt set, as udps.splt_* columns.
func init() {
	RegisterPlugin(PluginSpec[spltPluginState]{
		Name:    "splt",
		Version: 1,
		Doc:     "NFStream's SPLT plugin: direction, size and gap of the first sequence_length packets as udps.splt_*, -1 padded.",
		Options: []Option{
			{Name: "sequence_length", Default: int64(10), Doc: "packets kept per flow, 1…65535"},
			{Name: "accounting_mode", Default: int64(0), Doc: "packet size: 0 raw, 1 IP, 2 transport, 3 payload"},
		},
		New: func(opts Options, _ Env) (Plugin[spltPluginState], error) {
			n, err := opts.Int("sequence_length")
			if err != nil {
				return nil, err
			}
			if n < 1 || n > 65535 {
				return nil, fmt.Errorf("option sequence_length must be in 1…65535, got %d", n)
			}
			mode, err := opts.Int("accounting_mode")
			if err != nil {
				return nil, err
			}
			if mode < 0 || mode > 3 {
				return nil, fmt.Errorf("option accounting_mode must be 0, 1, 2 or 3, got %d", mode)
			}
			return spltPlugin{n: int(n), mode: int(mode)}, nil
		},
	})
}

type spltPluginState struct {
	direction, size, gap []int64
}

// Reset keeps the three slices for the next flow.
func (s *spltPluginState) Reset() {
	s.direction, s.size, s.gap = s.direction[:0], s.size[:0], s.gap[:0]
}

type spltPlugin struct {
	PluginHooks[spltPluginState]
	n, mode int
}

func (spltPlugin) Columns() []Column {
	return []Column{
		{Name: "splt_direction", Kind: IntList, Doc: "direction of each of the first sequence_length packets: 0 src→dst, 1 dst→src, -1 padding"},
		{Name: "splt_ps", Kind: IntList, Doc: "size of each of the first sequence_length packets per the plugin's accounting_mode, -1 padding"},
		{Name: "splt_piat_ms", Kind: IntList, Doc: "ms since the flow's previous packet (0 for the first), -1 padding"},
	}
}

func (p spltPlugin) OnInit(pkt *meter.Packet, _ *meter.Flow, s *spltPluginState) {
	s.direction = fillMinusOne(s.direction, p.n)
	s.size = fillMinusOne(s.size, p.n)
	s.gap = fillMinusOne(s.gap, p.n)
	s.direction[0], s.size[0], s.gap[0] = 0, int64(pkt.Size(p.mode)), int64(pkt.DeltaTime)
}

func (p spltPlugin) OnUpdate(pkt *meter.Packet, f *meter.Flow, s *spltPluginState) {
	if f.Packets > uint64(p.n) {
		return
	}
	i := f.Packets - 1
	s.direction[i], s.size[i], s.gap[i] = int64(pkt.Direction), int64(pkt.Size(p.mode)), int64(pkt.DeltaTime)
}

func (spltPlugin) OnExpire(_ *meter.Flow, s *spltPluginState, out []Value) {
	out[0], out[1], out[2] = ListValue(s.direction), ListValue(s.size), ListValue(s.gap)
}

// fillMinusOne returns buf resized to n, every element -1.
func fillMinusOne(buf []int64, n int) []int64 {
	if cap(buf) < n {
		buf = make([]int64, n)
	}
	buf = buf[:n]
	for i := range buf {
		buf[i] = -1
	}
	return buf
}
