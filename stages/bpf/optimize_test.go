package bpf

import (
	"math/rand/v2"
	"testing"
)

// filterPair is one expression compiled with and without the optimizer.
type filterPair struct {
	expr             string
	optimized, plain *Filter
}

func compilePair(t testing.TB, expr string) (filterPair, bool) {
	opt, err := compile(expr, true)
	if err != nil {
		return filterPair{}, false
	}
	plain, err := compile(expr, false)
	if err != nil {
		t.Fatalf("compile(%q) unoptimized: %v", expr, err)
	}
	return filterPair{expr: expr, optimized: opt, plain: plain}, true
}

// check fails when the optimized filter's verdict on a frame differs from
// the unoptimized program's although the latter read only fields inside
// the frame: optimizing may change verdicts on frames cut short (as
// libpcap's optimizer does), never on whole ones.
func (fp filterPair) check(t testing.TB, linkType uint32, data []byte) {
	t.Helper()
	layout := layoutOf(linkType)
	if fp.plain.matchAll || layout.family == familyUnknown || (fp.plain.usesVLAN || fp.plain.usesEther) && !layout.ethernet {
		return
	}
	prog := &fp.plain.programs[layout.model]
	want, complete := run(prog.insns, prog.entry, &layout, frame{data: data, wireLen: uint32(len(data)), rels: fp.plain.rels})
	if !complete {
		return
	}
	if got := fp.optimized.Match(linkType, data, uint32(len(data))); got != want {
		t.Fatalf("%q on link type %d: optimized %v, as compiled %v; frame % x", fp.expr, linkType, got, want, data)
	}
}

// TestOptimizerKeepsVerdicts runs random expressions on the synthetic
// frames of every link model, optimized and not. (libpcap 1.10.3 fails
// this: its or_pullup can move a test wrongly, e.g. on LINKTYPE_IPV4 for
// "not host 0.0.0.0 && tcp dst portrange 858-1978 || (udp src or dst port
// 1234) and src or dst port 53 and not 5353 or 80 or 53" it rejects a UDP
// frame from port 53 that its unoptimized program accepts.)
func TestOptimizerKeepsVerdicts(t *testing.T) {
	packets := syntheticFrames(t)
	rng := rand.New(rand.NewPCG(21, 5))
	var pairs []filterPair
	for len(pairs) < 150 {
		if fp, ok := compilePair(t, randomExpression(rng, 3)); ok {
			pairs = append(pairs, fp)
		}
	}
	for _, lt := range []uint32{linkTypeEthernet, linkTypeLinuxSLL, linkTypeNull, linkTypeRaw, linkTypeIPv4, linkTypeIPv6} {
		for i, p := range packets {
			var vlans []uint16
			if lt == linkTypeEthernet && i%3 != 0 {
				vlans = []uint16{10, 20}[:i%3]
			}
			fr, ok := encapsulate(lt, p, vlans...)
			if !ok {
				continue
			}
			for _, fp := range pairs {
				fp.check(t, lt, fr)
			}
		}
	}
}
