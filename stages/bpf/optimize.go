package bpf

// libpcap optimizes every filter it compiles, and that is visible: a test
// whose outcome cannot change the verdict is deleted with its load, so a
// frame too short for that load is no longer rejected. "portrange 0-1024
// or ip6" accepts a truncated IPv6 TCP frame, because once the frame is
// known to be IPv6 both branches of the port tests lead to "accept". This
// file applies the same kinds of rewriting to our program so that Match
// agrees with libpcap on such frames: jump threading on facts known on
// every path into an edge, merging identical tests, and deleting tests
// whose two branches meet.

// maxOptimizedInsns bounds the work of the optimizer on huge expressions;
// longer programs are run as compiled (their verdict differs from
// libpcap's only on frames truncated inside a header).
const maxOptimizedInsns = 4096

// fieldKey identifies the value a test compares: the same key means the
// same loaded (and masked) value, as libpcap's value numbering would say.
type fieldKey struct {
	kind   testKind
	size   uint8
	depth  int32
	offset int32
	mask   uint32
}

func keyOf(in *insn) fieldKey {
	return fieldKey{kind: in.kind, size: in.size, depth: in.depth, offset: in.offset, mask: in.mask}
}

// fact is the outcome of one test, known on every path to some point.
type fact struct {
	key     fieldKey
	cmp     cmpOp
	value   uint32
	outcome bool
}

// decide returns the outcome of in if facts determine it. Like libpcap
// it uses only two rules: the same comparison has the same outcome, and a
// value known equal to one constant is not equal to another.
func decide(facts []fact, in *insn) (outcome, known bool) {
	k := keyOf(in)
	for _, f := range facts {
		if f.key != k {
			continue
		}
		if f.cmp == in.cmp && f.value == in.value {
			return f.outcome, true
		}
		if f.outcome && f.cmp == cmpEq && in.cmp == cmpEq {
			return false, true
		}
	}
	return false, false
}

func (in *insn) factFor(outcome bool) fact {
	return fact{key: keyOf(in), cmp: in.cmp, value: in.value, outcome: outcome}
}

func intersect(a, b []fact) []fact {
	var out []fact
	for _, f := range a {
		for _, g := range b {
			if f == g {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// optimize rewrites the program until nothing changes, then drops
// unreachable tests. Jumps always go to lower indices, which every pass
// keeps true, so each pass can visit tests in index order.
//
// addressFamilyLinks selects the variant for LINKTYPE_NULL and LOOP, where
// libpcap tests IPv6 as three alternative address-family values: after
// that test succeeds no single comparison is known to be true, so libpcap
// cannot use it to decide later tests.
func optimize(compiled []insn, entry int32, addressFamilyLinks bool) ([]insn, int32) {
	insns := append([]insn(nil), compiled...)
	if len(insns) > maxOptimizedInsns {
		return insns, entry
	}
	for round := 0; round < 64; round++ {
		changed := false
		entry, changed = mergeAndSkip(insns, entry)
		threaded := thread(insns, entry, addressFamilyLinks)
		if !changed && !threaded {
			break
		}
	}
	return compact(insns, entry)
}

// mergeAndSkip makes identical tests (same comparison, same targets) share
// one instruction and deletes tests whose branches meet.
func mergeAndSkip(insns []insn, entry int32) (int32, bool) {
	changed := false
	canonical := make(map[insn]int32, len(insns))
	redirect := make([]int32, len(insns))
	resolve := func(t int32) int32 {
		if t < 0 {
			return t
		}
		return redirect[t]
	}
	for i := range insns {
		in := &insns[i]
		jt, jf := resolve(in.jt), resolve(in.jf)
		if jt != in.jt || jf != in.jf {
			in.jt, in.jf = jt, jf
			changed = true
		}
		if in.jt == in.jf {
			redirect[i] = in.jt
			continue
		}
		if c, ok := canonical[*in]; ok {
			redirect[i] = c
			continue
		}
		canonical[*in] = int32(i)
		redirect[i] = int32(i)
	}
	if e := resolve(entry); e != entry {
		entry = e
		changed = true
	}
	return entry, changed
}

// thread redirects each jump past tests whose outcome is already known on
// that edge.
func thread(insns []insn, entry int32, addressFamilyLinks bool) bool {
	if entry < 0 {
		return false
	}
	facts := make([][]fact, len(insns))
	reached := make([]bool, len(insns))
	reached[entry] = true
	changed := false
	for i := int(entry); i >= 0; i-- {
		if !reached[i] {
			continue
		}
		in := &insns[i]
		for _, outcome := range [2]bool{true, false} {
			edge := append([]fact(nil), facts[i]...)
			if !(addressFamilyLinks && outcome && in.kind == testLinkProto && in.value == etherTypeIPv6) {
				edge = append(edge, in.factFor(outcome))
			}
			t := in.jf
			if outcome {
				t = in.jt
			}
			for t >= 0 {
				o, known := decide(edge, &insns[t])
				if !known {
					break
				}
				if o {
					t = insns[t].jt
				} else {
					t = insns[t].jf
				}
			}
			if outcome && t != in.jt {
				in.jt, changed = t, true
			} else if !outcome && t != in.jf {
				in.jf, changed = t, true
			}
			if t < 0 {
				continue
			}
			if !reached[t] {
				reached[t] = true
				facts[t] = edge
			} else {
				facts[t] = intersect(facts[t], edge)
			}
		}
	}
	return changed
}

// compact keeps the tests reachable from entry, in their order.
func compact(insns []insn, entry int32) ([]insn, int32) {
	if entry < 0 {
		return nil, entry
	}
	reached := make([]bool, len(insns))
	reached[entry] = true
	for i := int(entry); i >= 0; i-- {
		if reached[i] {
			if t := insns[i].jt; t >= 0 {
				reached[t] = true
			}
			if t := insns[i].jf; t >= 0 {
				reached[t] = true
			}
		}
	}
	index := make([]int32, len(insns))
	var out []insn
	for i := range insns {
		if reached[i] {
			index[i] = int32(len(out))
			out = append(out, insns[i])
		}
	}
	remap := func(t int32) int32 {
		if t < 0 {
			return t
		}
		return index[t]
	}
	for i := range out {
		out[i].jt, out[i].jf = remap(out[i].jt), remap(out[i].jf)
	}
	return out, remap(entry)
}
