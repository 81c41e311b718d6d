package dpi

import (
	"strings"
	"testing"
)

// matchScan is the matcher as first written, one strings.Index per
// anywhere pattern and one map probe per suffix: the reference the indexed
// hostTable.match must agree with on every name.
func (t *hostTable) matchScan(host string) *hostRule {
	if host == "" {
		return nil
	}
	var best *hostRule
	consider := func(r *hostRule, start, end int) bool {
		if start == 0 && end == len(host) {
			best = r
			return true
		}
		if start > 1 && r.boundary && !isMiddle(host[start-1]) {
			return false
		}
		if best == nil || best.level < r.level {
			best = r
		}
		return false
	}
	type hit struct {
		r          *hostRule
		start, end int
	}
	var hits [8]hit
	nh := 0
	for _, r := range t.anywhere {
		for off := 0; off < len(host); {
			i := strings.Index(host[off:], r.pattern)
			if i < 0 {
				break
			}
			s := off + i
			if nh < len(hits) {
				hits[nh] = hit{r, s, s + len(r.pattern)}
				nh++
			}
			off = s + 1
		}
	}
	for k := 0; k < nh; k++ {
		if consider(hits[k].r, hits[k].start, hits[k].end) {
			return best
		}
	}
	for i := len(host) - 1; i >= 0; i-- {
		if r, ok := t.atEnd[host[i:]]; ok {
			if consider(r, i, len(host)) {
				return best
			}
		}
	}
	return best
}

// hostProbes derives names from every pattern of both rule files: the
// pattern itself, with labels before and after, glued without a boundary,
// doubled, and cut short, which covers whole-name, boundary, level and
// many-hit cases.
func hostProbes() []string {
	probes := []string{
		"", "a", ".", "-", "com", "www.google.com", "a.b.c.d.e.f.g.h.i.j",
		"amazon.amazon.amazon.amazon.amazon.amazon.amazon.amazon.amazon.com",
		"x.aws.aws.aws.aws.aws.aws.aws.aws.aws.aws.cloudfront.net",
		"fbcdn-fbcdn-fbcdn-fbcdn-fbcdn-fbcdn-fbcdn-fbcdn-fbcdn-.net",
	}
	for _, t := range []*hostTable{hostRules, categoryRules} {
		var pats []string
		for p := range t.atEnd {
			pats = append(pats, p)
		}
		for _, r := range t.anywhere {
			pats = append(pats, r.pattern)
		}
		for _, p := range pats {
			probes = append(probes, p, "a."+p, "a-"+p, "ab"+p, p+"com", p+".com", "x."+p+p,
				p[1:], p[:len(p)-1], strings.TrimLeft(p, ".-"), "www."+strings.TrimLeft(p, ".-")+"net")
		}
	}
	return probes
}

func TestHostMatchAgreesWithScan(t *testing.T) {
	for _, tab := range []struct {
		name string
		t    *hostTable
	}{{"hosts", hostRules}, {"categories", categoryRules}} {
		for _, host := range hostProbes() {
			if got, want := tab.t.match(host), tab.t.matchScan(host); got != want {
				t.Errorf("%s: %q: match %+v, scan %+v", tab.name, host, got, want)
			}
		}
	}
}

func FuzzHostMatch(f *testing.F) {
	for _, h := range hostProbes() {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		host = lowerASCII(host)
		for _, tab := range []*hostTable{hostRules, categoryRules} {
			if got, want := tab.match(host), tab.matchScan(host); got != want {
				t.Fatalf("%q: match %+v, scan %+v", host, got, want)
			}
		}
	})
}
