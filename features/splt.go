package features

import (
	"fmt"

	"github.com/nfdataset/nfdataset/meter"
)

func init() {
	Register(Spec{
		Name:    "splt",
		Version: 1,
		Rank:    20,
		Doc:     "Early-flow sequence (splt_analysis): direction, size and gap of the first n packets, -1 padded.",
		Options: []Option{{Name: "n", Default: int64(10), Doc: "packets kept per flow (NFStream's splt_analysis), 1…65535"}},
		New: func(opts Options, env Env) (Set, error) {
			n, err := opts.Int("n")
			if err != nil {
				return nil, err
			}
			if n < 1 || n > 65535 {
				return nil, fmt.Errorf("splt: n must be in 1…65535, got %d", n)
			}
			return &spltSet{n: int(n), mode: env.AccountingMode}, nil
		},
	})
}

type spltState struct {
	dir, ps, piat []int64
}

type spltSet struct {
	slot
	n, mode int
}

func (s *spltSet) Init(p *meter.Packet, f *meter.Flow) {
	st, _ := f.Ext[s.index].(*spltState)
	if st == nil {
		st = &spltState{dir: make([]int64, s.n), ps: make([]int64, s.n), piat: make([]int64, s.n)}
		f.Ext[s.index] = st
	}
	for i := range st.dir {
		st.dir[i], st.ps[i], st.piat[i] = -1, -1, -1
	}
	st.dir[0], st.ps[0], st.piat[0] = 0, int64(p.Size(s.mode)), 0
}

func (s *spltSet) Update(p *meter.Packet, f *meter.Flow) {
	i := f.Packets - 1
	if i >= uint64(s.n) {
		return
	}
	st := f.Ext[s.index].(*spltState)
	st.dir[i], st.ps[i], st.piat[i] = int64(p.Direction), int64(p.Size(s.mode)), int64(p.DeltaTime)
}

func (*spltSet) Expire(*meter.Flow) {}

func (s *spltSet) Columns() Schema {
	return Schema{
		{Name: "splt_direction", Kind: IntList, Doc: "direction of each of the first n packets: 0 src→dst, 1 dst→src, -1 padding"},
		{Name: "splt_ps", Kind: IntList, Doc: "size of each of the first n packets per accounting_mode, -1 padding"},
		{Name: "splt_piat_ms", Kind: IntList, Doc: "ms since the flow's previous packet for each of the first n packets (0 first), -1 padding"},
	}
}

// Fill hands out the state's slices; they stay valid until the flow is
// recycled, after the Emit callback returns.
func (s *spltSet) Fill(_ int64, f *meter.Flow, dst []Value) {
	st := f.Ext[s.index].(*spltState)
	dst[0], dst[1], dst[2] = ListValue(st.dir), ListValue(st.ps), ListValue(st.piat)
}

// PassiveHook: splt never forces expiry, so it may run in parallel meters.
func (*spltSet) PassiveHook() {}
