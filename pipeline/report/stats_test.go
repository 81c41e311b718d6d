package report

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestQuantilesAgainstSort compares the bounded histogram's quantiles with
// exact ones from sorting: exact for small integers, within the bucket
// width (4.4%) for spread-out floats.
func TestQuantilesAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		gen  func() float64
		tol  float64
	}{
		{"small ints", func() float64 { return float64(r.IntN(200)) }, 0},
		{"lognormal", func() float64 { return math.Exp(r.NormFloat64() * 4) }, 0.045},
		{"negative floats", func() float64 { return -math.Abs(r.NormFloat64()*1e6) - 0.5 }, 0.045},
	} {
		s := newNumStats()
		var all []float64
		for range 20000 {
			v := tc.gen()
			s.add(v)
			all = append(all, v)
		}
		sort.Float64s(all)
		qs := []float64{0.01, 0.25, 0.5, 0.75, 0.99}
		got := s.quantiles(qs...)
		for i, q := range qs {
			want := all[int(math.Ceil(q*float64(len(all))))-1]
			if math.Abs(got[i]-want) > tc.tol*math.Abs(want) {
				t.Errorf("%s: q%.2f = %g, sort says %g", tc.name, q, got[i], want)
			}
		}
		if s.min != all[0] || s.max != all[len(all)-1] {
			t.Errorf("%s: min/max %g %g, want %g %g", tc.name, s.min, s.max, all[0], all[len(all)-1])
		}
		if len(s.h) > 4000 {
			t.Errorf("%s: %d buckets", tc.name, len(s.h))
		}
	}
}

// TestTimelineBounded: a long span widens the buckets instead of growing,
// and no flow is lost.
func TestTimelineBounded(t *testing.T) {
	tl := newTimeline()
	var n int64
	for ms := int64(0); ms < 30*24*3600*1000; ms += 7919 {
		tl.add(ms, "x")
		n++
	}
	if len(tl.b) > maxBuckets {
		t.Errorf("%d buckets", len(tl.b))
	}
	var got int64
	for _, c := range tl.b {
		got += c.total()
	}
	if got != n {
		t.Errorf("%d flows counted, %d added", got, n)
	}
}
