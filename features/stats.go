package features

import (
	"math"

	"github.com/nfdataset/nfdataset/meter"
)

func init() {
	Register(Spec{
		Name:    "stats",
		Version: 1,
		Rank:    10,
		Doc:     "NFStream's 48 post-mortem statistics: packet sizes, inter-arrival times and TCP flag counts per direction (statistical_analysis).",
		New: func(_ Options, env Env) (Set, error) {
			return &statsSet{mode: env.AccountingMode}, nil
		},
	})
}

// welford accumulates min/mean/max and the sum of squared deviations in
// exactly NFStream's update order, so the doubles match bit for bit.
type welford struct {
	min, max uint64
	mean, m2 float64
}

func (w *welford) first(x uint64) {
	w.min, w.max, w.mean, w.m2 = x, x, float64(x), 0
}

func (w *welford) add(x uint64, n uint64) {
	if x > w.max {
		w.max = x
	}
	if x < w.min {
		w.min = x
	}
	old := w.mean
	w.mean += (float64(x) - old) / float64(n)
	w.m2 += (float64(x) - old) * (float64(x) - w.mean)
}

type scopeStats struct {
	ps    welford
	piat  welford
	flags [8]uint64 // syn cwr ece urg ack psh rst fin
	last  uint64    // time of the scope's previous packet
}

// flagOrder is NFStream's column order of the flag counters.
var flagOrder = [8]uint8{meter.FlagSYN, meter.FlagCWR, meter.FlagECE, meter.FlagURG, meter.FlagACK, meter.FlagPSH, meter.FlagRST, meter.FlagFIN}

// flagCounts[flags] holds, in column order, 1 for each flag set in flags.
var flagCounts = func() (t [256][8]uint64) {
	for v := range 256 {
		for i, f := range flagOrder {
			if uint8(v)&f != 0 {
				t[v][i] = 1
			}
		}
	}
	return t
}()

func (s *scopeStats) countFlags(flags uint8) {
	if flags == 0 {
		return
	}
	add := &flagCounts[flags]
	for i := range s.flags {
		s.flags[i] += add[i]
	}
}

type statsState struct {
	bi, s2d, d2s scopeStats
}

type statsSet struct {
	slot
	mode int
}

func (s *statsSet) state(f *meter.Flow) *statsState {
	st, _ := f.Ext[s.index].(*statsState)
	if st == nil {
		st = new(statsState)
		f.Ext[s.index] = st
	}
	return st
}

func (s *statsSet) Init(p *meter.Packet, f *meter.Flow) {
	st := s.state(f)
	*st = statsState{}
	x := uint64(p.Size(s.mode))
	st.bi.ps.first(x)
	st.bi.countFlags(p.Flags)
	st.s2d.ps.first(x)
	st.s2d.countFlags(p.Flags)
	st.s2d.last = p.TimeMs
}

func (s *statsSet) Update(p *meter.Packet, f *meter.Flow) {
	st := f.Ext[s.index].(*statsState)
	x := uint64(p.Size(s.mode))
	st.bi.countFlags(p.Flags)
	st.bi.ps.add(x, f.Packets)
	if f.Packets == 2 {
		st.bi.piat.first(p.DeltaTime)
	} else {
		st.bi.piat.add(p.DeltaTime, f.Packets-1)
	}
	d, sc := &f.Src2Dst, &st.s2d
	if p.Direction == 1 {
		d, sc = &f.Dst2Src, &st.d2s
	}
	if d.Packets == 1 { // only possible for dst2src: src2dst starts in Init
		sc.ps.first(x)
		sc.countFlags(p.Flags)
		sc.last = p.TimeMs
		return
	}
	gap := p.TimeMs - sc.last
	sc.last = p.TimeMs
	sc.ps.add(x, d.Packets)
	sc.countFlags(p.Flags)
	if d.Packets == 2 {
		sc.piat.first(gap)
	} else {
		sc.piat.add(gap, d.Packets-1)
	}
}

func (*statsSet) Expire(*meter.Flow) {}

func (s *statsSet) Columns() Schema {
	var out Schema
	scopes := []string{"bidirectional", "src2dst", "dst2src"}
	for _, sc := range scopes {
		out = append(out,
			Column{Name: sc + "_min_ps", Kind: Int, Doc: "smallest " + sc + " packet size per accounting_mode"},
			Column{Name: sc + "_mean_ps", Kind: Float, Doc: "mean " + sc + " packet size"},
			Column{Name: sc + "_stddev_ps", Kind: Float, Doc: "sample standard deviation of " + sc + " packet sizes"},
			Column{Name: sc + "_max_ps", Kind: Int, Doc: "largest " + sc + " packet size"},
		)
	}
	for _, sc := range scopes {
		out = append(out,
			Column{Name: sc + "_min_piat_ms", Kind: Int, Doc: "smallest gap between consecutive " + sc + " packets, ms"},
			Column{Name: sc + "_mean_piat_ms", Kind: Float, Doc: "mean gap between consecutive " + sc + " packets, ms"},
			Column{Name: sc + "_stddev_piat_ms", Kind: Float, Doc: "standard deviation of " + sc + " gaps (NFStream divides by n−2)"},
			Column{Name: sc + "_max_piat_ms", Kind: Int, Doc: "largest gap between consecutive " + sc + " packets, ms"},
		)
	}
	for _, sc := range scopes {
		for _, fl := range []string{"syn", "cwr", "ece", "urg", "ack", "psh", "rst", "fin"} {
			out = append(out, Column{Name: sc + "_" + fl + "_packets", Kind: Int, Doc: sc + " packets with the TCP " + fl + " flag set"})
		}
	}
	return out
}

func (s *statsSet) Fill(_ int64, f *meter.Flow, dst []Value) {
	st := f.Ext[s.index].(*statsState)
	type scope struct {
		sc *scopeStats
		n  uint64
	}
	scopes := [3]scope{{&st.bi, f.Packets}, {&st.s2d, f.Src2Dst.Packets}, {&st.d2s, f.Dst2Src.Packets}}
	i := 0
	for _, sc := range scopes {
		w := &sc.sc.ps
		std := 0.0
		if sc.n > 1 {
			std = math.Sqrt(w.m2 / float64(sc.n-1))
		}
		if sc.n == 0 {
			*w = welford{}
		}
		dst[i], dst[i+1], dst[i+2], dst[i+3] = IntValue(int64(w.min)), FloatValue(w.mean), FloatValue(std), IntValue(int64(w.max))
		i += 4
	}
	for _, sc := range scopes {
		w := &sc.sc.piat
		std := 0.0
		if sc.n > 2 {
			std = math.Sqrt(w.m2 / float64(sc.n-2))
		}
		if sc.n < 2 {
			*w = welford{}
		}
		dst[i], dst[i+1], dst[i+2], dst[i+3] = IntValue(int64(w.min)), FloatValue(w.mean), FloatValue(std), IntValue(int64(w.max))
		i += 4
	}
	for _, sc := range scopes {
		for _, c := range sc.sc.flags {
			dst[i] = IntValue(int64(c))
			i++
		}
	}
}

// PassiveHook: stats never forces expiry, so it may run in parallel meters.
func (*statsSet) PassiveHook() {}
