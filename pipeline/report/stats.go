package report

import (
	"math"
	"sort"
)

// hist is a bounded histogram of a numeric column: small integers
// (|v| < 1024) are counted exactly, other values in buckets of 1/16 of an
// octave (relative width 4.4%), so quantiles are exact for small counts and
// within a few percent elsewhere, whatever the number of flows.
type hist map[int32]int64

const exactLimit = 1024

func bucketOf(v float64) int32 {
	if v == math.Trunc(v) && math.Abs(v) < exactLimit {
		return int32(v)
	}
	m, e := math.Frexp(math.Abs(v)) // m in [0.5, 1)
	sub := int32((m - 0.5) * 32)    // 0..15
	k := 2*exactLimit + (int32(e)+1100)*16 + sub
	if v < 0 {
		return -k
	}
	return k
}

// bucketValue is a bucket's representative value (its geometric middle).
func bucketValue(k int32) float64 {
	a := k
	if a < 0 {
		a = -a
	}
	if a < exactLimit {
		return float64(k)
	}
	a -= 2 * exactLimit
	e, sub := a/16-1100, a%16
	lo := math.Ldexp(0.5+float64(sub)/32, int(e))
	hi := math.Ldexp(0.5+float64(sub+1)/32, int(e))
	v := math.Sqrt(lo * hi)
	if k < 0 {
		return -v
	}
	return v
}

type bucket struct {
	v float64
	n int64
}

// sorted lists the buckets by value.
func (h hist) sorted() []bucket {
	out := make([]bucket, 0, len(h))
	for k, n := range h {
		out = append(out, bucket{bucketValue(k), n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].v < out[j].v })
	return out
}

// numStats summarises a numeric column.
type numStats struct {
	count, nulls int64 // non-null values; nulls and NaNs
	min, max     float64
	sum          float64
	h            hist
}

func newNumStats() *numStats { return &numStats{min: math.Inf(1), max: math.Inf(-1), h: hist{}} }

func (s *numStats) add(v float64) {
	if math.IsNaN(v) {
		s.nulls++
		return
	}
	s.count++
	s.sum += v
	s.min = math.Min(s.min, v)
	s.max = math.Max(s.max, v)
	s.h[bucketOf(v)]++
}

func (s *numStats) mean() float64 { return s.sum / float64(s.count) }

// quantiles returns the values at the fractions qs, clamped to [min, max].
func (s *numStats) quantiles(qs ...float64) []float64 {
	bs := s.h.sorted()
	out := make([]float64, len(qs))
	for i, q := range qs {
		target := int64(math.Ceil(q * float64(s.count)))
		target = max(target, 1)
		var cum int64
		for _, b := range bs {
			cum += b.n
			if cum >= target {
				out[i] = math.Min(math.Max(b.v, s.min), s.max)
				break
			}
		}
	}
	return out
}

// logScale reports whether a distribution spans orders of magnitude, so
// that its histogram reads better on a log axis.
func (s *numStats) logScale() bool {
	if s.count == 0 || s.min < 0 {
		return false
	}
	lo := math.Inf(1)
	for k := range s.h {
		if v := bucketValue(k); v > 0 && v < lo {
			lo = v
		}
	}
	return s.max > 0 && s.max/lo >= 1000
}

// bins re-bins the histogram into n bins for plotting: linear over
// [min, max], or, on a log scale, a bin for zeros then log-spaced bins
// over the positive values. It returns the bins' lower edges and counts.
func (s *numStats) bins(n int, log bool) (edges []float64, counts []int64) {
	bs := s.h.sorted()
	counts = make([]int64, n)
	if log {
		lo := math.Inf(1)
		for _, b := range bs {
			if b.v > 0 && b.v < lo {
				lo = math.Max(b.v, s.min)
			}
		}
		llo, lhi := math.Log10(lo), math.Log10(s.max)
		w := (lhi - llo) / float64(n-1)
		edges = make([]float64, n)
		edges[0] = 0
		for i := 1; i < n; i++ {
			edges[i] = math.Pow(10, llo+w*float64(i-1))
		}
		for _, b := range bs {
			if b.v <= 0 {
				counts[0] += b.n
				continue
			}
			i := 1 + int((math.Log10(b.v)-llo)/w)
			counts[min(max(i, 1), n-1)] += b.n
		}
		return edges, counts
	}
	w := (s.max - s.min) / float64(n)
	edges = make([]float64, n)
	for i := range edges {
		edges[i] = s.min + w*float64(i)
	}
	for _, b := range bs {
		i := 0
		if w > 0 {
			i = int((b.v - s.min) / w)
		}
		counts[min(max(i, 0), n-1)] += b.n
	}
	return edges, counts
}

// strStats tells whether a string column is empty or constant.
type strStats struct {
	values, nulls int64
	first         string
	varied        bool
}

func (s *strStats) add(v string, null bool) {
	if null || v == "" {
		s.nulls++
		return
	}
	if s.values == 0 {
		s.first = v
	} else if v != s.first {
		s.varied = true
	}
	s.values++
}

// counter counts strings.
type counter map[string]int64

// top returns the n most frequent keys (ties by name) and the rest's sum.
func (c counter) top(n int) ([]string, int64) {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if c[keys[i]] != c[keys[j]] {
			return c[keys[i]] > c[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var rest int64
	if len(keys) > n {
		for _, k := range keys[n:] {
			rest += c[k]
		}
		keys = keys[:n]
	}
	return keys, rest
}

func (c counter) total() int64 {
	var t int64
	for _, n := range c {
		t += n
	}
	return t
}

// timeline counts flows per label in time buckets of a width that doubles
// whenever there would be more than maxBuckets, so memory stays bounded
// whatever the capture's span.
type timeline struct {
	widthMS int64
	b       map[int64]counter
}

const maxBuckets = 2048

func newTimeline() *timeline { return &timeline{widthMS: 1000, b: map[int64]counter{}} }

func (t *timeline) add(ms int64, label string) {
	k := floorDiv(ms, t.widthMS)
	c := t.b[k]
	if c == nil {
		for len(t.b) >= maxBuckets {
			t.widen()
		}
		k = floorDiv(ms, t.widthMS)
		if c = t.b[k]; c == nil {
			c = counter{}
			t.b[k] = c
		}
	}
	c[label]++
}

func (t *timeline) widen() {
	nb := map[int64]counter{}
	for k, c := range t.b {
		nk := floorDiv(k, 2)
		d := nb[nk]
		if d == nil {
			d = counter{}
			nb[nk] = d
		}
		for l, n := range c {
			d[l] += n
		}
	}
	t.b, t.widthMS = nb, t.widthMS*2
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
