package features

import (
	"fmt"
	"math"
	"strconv"

	"github.com/nfdataset/nfdataset/meter"
)

// wfeatures (NFStream's nfstream/plugins/wfeatures.py, WFPlugin): wavelet
// features of the flow's traffic over time. Each direction's IP bytes are
// summed into 2^levels bins spanning active_timeout seconds from the first
// packet; at expiry a stationary wavelet transform (Haar, pywt.swt with
// trim_approx) gives levels+1 coefficient vectors, and for each vector the
// relative energy p, mean absolute value u, standard deviation sigma and
// Shannon entropy S.
//
// Faithful to NFStream: the first packet is not added (only on_update
// adds), and the arithmetic follows numpy's order (pairwise sums) so values
// match to the last bits in the common cases. Different on purpose: a packet
// later than active_timeout after the first one makes NFStream's plugin
// raise IndexError (the flow can outlive its active timeout only when the
// plugin's active_timeout is below the streamer's); here it goes into the
// last bin.
func init() {
	RegisterPlugin(PluginSpec[wfState]{
		Name:    "wfeatures",
		Version: 1,
		Doc:     "NFStream's WFPlugin: Haar stationary-wavelet features (energy share, mean |c|, std, entropy) of each direction's IP bytes over time.",
		Options: []Option{
			{Name: "levels", Default: int64(4), Doc: "wavelet levels L: 2^L time bins, L+1 coefficient vectors, 8(L+1) columns (1…16)"},
			{Name: "active_timeout", Default: int64(0), Doc: "seconds spanned by the bins; 0 means the streamer's active_timeout"},
		},
		New: func(opts Options, env Env) (Plugin[wfState], error) {
			levels, err := opts.Int("levels")
			if err != nil {
				return nil, err
			}
			if levels < 1 || levels > 16 {
				return nil, fmt.Errorf("option levels must be in 1…16, got %d", levels)
			}
			span, err := opts.Int("active_timeout")
			if err != nil {
				return nil, err
			}
			if span < 0 {
				return nil, fmt.Errorf("option active_timeout must be ≥ 0, got %d", span)
			}
			if span == 0 {
				span = int64(min(env.ActiveTimeoutSec, math.MaxInt64/1000))
			}
			bins := 1 << levels
			return &wfPlugin{levels: int(levels), bins: bins, binMs: float64(span) / float64(bins) * 1000}, nil
		},
	})
}

type wfState struct {
	forward, backward []float64
	firstMs           uint64
}

func (s *wfState) Reset() { s.forward, s.backward = s.forward[:0], s.backward[:0] }

type wfPlugin struct {
	PluginHooks[wfState]
	levels, bins int
	binMs        float64 // bin width in ms (NFStream's bin_size)
}

// Feature names in column order; index 0 is the approximation.
var wfFeatureNames = [...]string{"p_k", "u_k", "sigma_k", "S_k"}

func (w *wfPlugin) Columns() []Column {
	docs := [...]string{
		"relative wavelet energy of coefficient vector %d (0: level-L approximation, k>0: detail level L+1-k) of %s IP bytes",
		"mean absolute coefficient of vector %d of %s IP bytes",
		"population standard deviation of the coefficients of vector %d of %s IP bytes",
		"Shannon entropy of the normalised squared coefficients of vector %d of %s IP bytes",
	}
	var cols []Column
	for _, dir := range [...]struct{ prefix, what string }{{"f_", "src→dst"}, {"b_", "dst→src"}} {
		for f, name := range wfFeatureNames {
			for k := 0; k <= w.levels; k++ {
				cols = append(cols, Column{
					Name: dir.prefix + name + "_" + strconv.Itoa(k),
					Kind: Float,
					Doc:  fmt.Sprintf(docs[f], k, dir.what),
				})
			}
		}
	}
	return cols
}

func (w *wfPlugin) OnInit(p *meter.Packet, _ *meter.Flow, s *wfState) {
	s.forward = zeroed(s.forward, w.bins)
	s.backward = zeroed(s.backward, w.bins)
	s.firstMs = p.TimeMs
}

func (w *wfPlugin) OnUpdate(p *meter.Packet, _ *meter.Flow, s *wfState) {
	bin := w.bins - 1
	if w.binMs > 0 {
		// divmod(int ms, float width) in Python: the floor of the quotient.
		if q := math.Floor(float64(p.TimeMs-s.firstMs) / w.binMs); q < float64(w.bins) {
			bin = int(q)
		}
	}
	if p.Direction == 0 {
		s.forward[bin] += float64(p.IPSize)
	} else {
		s.backward[bin] += float64(p.IPSize)
	}
}

func (w *wfPlugin) OnExpire(_ *meter.Flow, s *wfState, out []Value) {
	per := len(wfFeatureNames) * (w.levels + 1)
	w.fill(s.forward, out[:per])
	w.fill(s.backward, out[per:])
}

// fill computes one direction's features into out (p, u, sigma, S blocks).
func (w *wfPlugin) fill(series []float64, out []Value) {
	vectors := haarSWT(series, w.levels)
	n := w.levels + 1
	energy := make([]float64, n)
	for k, d := range vectors {
		energy[k] = numpySum(d, func(x float64) float64 { return x * x })
	}
	total := numpySum(energy, nil)
	for k, d := range vectors {
		p := energy[k] / (total + 1e-7)
		mean := numpySum(d, math.Abs) / float64(len(d))
		centre := numpySum(d, nil) / float64(len(d))
		variance := numpySum(d, func(x float64) float64 { y := x - centre; return y * y }) / float64(len(d))
		ek := energy[k] + 1e-7
		entropy := -numpySum(d, func(x float64) float64 {
			pn := (x * x) / ek
			return pn * math.Log(pn+1e-7)
		})
		out[k] = FloatValue(p)
		out[n+k] = FloatValue(mean)
		out[2*n+k] = FloatValue(math.Sqrt(variance))
		out[3*n+k] = FloatValue(entropy)
	}
}

// haarSWT is pywt.swt(x, "haar", level=L, trim_approx=True, norm=False) for
// len(x) = 2^L: the undecimated transform with periodic extension, returned
// as [cA_L, cD_L, cD_{L-1}, …, cD_1]. At level j the two filter taps are
// 2^(j-1) samples apart. Only circular shifts of pywt's vectors could
// differ, and every feature computed from a vector ignores its order.
func haarSWT(x []float64, levels int) [][]float64 {
	const h = 0.7071067811865476 // 1/√2, pywt's Haar filter coefficient
	n := len(x)
	out := make([][]float64, levels+1)
	approx := x
	for j := 1; j <= levels; j++ {
		step := 1 << (j - 1)
		a := make([]float64, n)
		d := make([]float64, n)
		for i := range n {
			cur, prev := approx[i], approx[((i-step)%n+n)%n]
			// Products rounded separately, as pywt's convolution loop does
			// (no fused multiply-add).
			a[i] = float64(h*prev) + float64(h*cur)
			d[i] = float64(h*prev) + float64(-h*cur)
		}
		out[levels-j+1] = d
		approx = a
	}
	out[0] = approx
	return out
}

// numpySum is np.sum of f(x) over x (f nil: x itself), reproducing numpy's
// pairwise summation (blocks of 8 partial sums below 128 elements, halves
// above) started from the additive identity 0.0.
func numpySum(x []float64, f func(float64) float64) float64 {
	return 0.0 + pairwiseSum(x, f)
}

func pairwiseSum(x []float64, f func(float64) float64) float64 {
	at := func(i int) float64 {
		if f == nil {
			return x[i]
		}
		return f(x[i])
	}
	n := len(x)
	switch {
	case n < 8:
		res := 0.0
		for i := range n {
			res += at(i)
		}
		return res
	case n <= 128:
		var r [8]float64
		for j := range 8 {
			r[j] = at(j)
		}
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range 8 {
				r[j] += at(i + j)
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += at(i)
		}
		return res
	default:
		half := n / 2
		half -= half % 8
		return pairwiseSum(x[:half], f) + pairwiseSum(x[half:], f)
	}
}

// zeroed returns buf resized to n with every element 0.
func zeroed(buf []float64, n int) []float64 {
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}
