package bpf

import "sort"

// libpcap optimizes every filter it compiles, and that is visible: a test
// whose outcome cannot change the verdict is deleted with its load, so a
// frame too short for that load is no longer rejected. "portrange 0-1024
// or ip6" accepts a truncated IPv6 TCP frame, because once the frame is
// known to be IPv6 both branches of the port tests lead to "accept". This
// file applies the same kinds of rewriting to our program so that Match
// agrees with libpcap on such frames: jump threading on facts known on
// every path into an edge, merging identical tests, and deleting tests
// whose two branches meet.

// The optimizer's work grows faster than the program, so huge expressions
// are optimized less: above maxOptimizedInsns tests not at all, above
// maxPulledUpInsns without pull-ups. Their verdicts can then differ from
// libpcap's only on frames truncated inside a header.
const (
	maxOptimizedInsns = 4096
	maxPulledUpInsns  = 512
)

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

// optimize rewrites the program the way libpcap's optimizer rewrites its
// blocks, until nothing changes: jump threading, skipping tests whose
// branches meet, and pulling a comparison of an already loaded value up
// an "or" or "and" chain. Identical tests are merged only at the end, as
// libpcap does, since merging earlier would let more tests be skipped
// than libpcap skips.
func optimize(compiled []insn, entry int32) ([]insn, int32) {
	insns := append([]insn(nil), compiled...)
	if len(insns) > maxOptimizedInsns {
		return insns, entry
	}
	for round := 0; round < 200; round++ {
		insns, entry = renumber(insns, entry)
		threaded := thread(insns, entry)
		var skipped bool
		entry, skipped = skipMeetingBranches(insns, entry)
		if threaded || skipped {
			continue
		}
		insns, entry = renumber(insns, entry)
		if len(insns) > maxPulledUpInsns {
			break
		}
		// Pull-ups work on stale predecessor and dominator information,
		// as libpcap's do; should that ever create a loop, the pass is
		// undone and optimization stops.
		before, beforeEntry := append([]insn(nil), insns...), entry
		var pulled bool
		if entry, pulled = pullUp(insns, entry); !pulled {
			break
		}
		if insns, entry = renumber(insns, entry); !acyclic(insns) {
			insns, entry = before, beforeEntry
			break
		}
	}
	insns, entry = renumber(insns, entry)
	entry = mergeIdentical(insns, entry)
	return renumber(insns, entry)
}

// skipMeetingBranches deletes tests whose two branches go to the same
// place, together with their loads.
func skipMeetingBranches(insns []insn, entry int32) (int32, bool) {
	changed := false
	resolve := func(t int32) int32 {
		for t >= 0 && insns[t].jt == insns[t].jf {
			t = insns[t].jt
		}
		return t
	}
	for i := range insns {
		in := &insns[i]
		if jt := resolve(in.jt); jt != in.jt {
			in.jt, changed = jt, true
		}
		if jf := resolve(in.jf); jf != in.jf {
			in.jf, changed = jf, true
		}
	}
	if e := resolve(entry); e != entry {
		entry, changed = e, true
	}
	return entry, changed
}

// mergeIdentical makes identical tests (same comparison, same targets)
// share one instruction; targets have lower indices, so one pass in index
// order settles them first.
func mergeIdentical(insns []insn, entry int32) int32 {
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
		in.jt, in.jf = resolve(in.jt), resolve(in.jf)
		if c, ok := canonical[*in]; ok {
			redirect[i] = c
			continue
		}
		canonical[*in] = int32(i)
		redirect[i] = int32(i)
	}
	return resolve(entry)
}

// thread redirects each jump past tests whose outcome is already known on
// that edge.
func thread(insns []insn, entry int32) bool {
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
			edge := append(append([]fact(nil), facts[i]...), in.factFor(outcome))
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

// renumber keeps the tests reachable from entry and orders them by
// depth-first post-order, so that every jump goes to a lower index.
func renumber(insns []insn, entry int32) ([]insn, int32) {
	if entry < 0 {
		return nil, entry
	}
	visited := make([]bool, len(insns))
	var order []int32
	type frame struct {
		node  int32
		state uint8 // 0: enter, 1: true branch done, 2: both done
	}
	stack := []frame{{node: entry}}
	visited[entry] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		var child int32 = -1
		switch top.state {
		case 0:
			child = insns[top.node].jt
		case 1:
			child = insns[top.node].jf
		default:
			order = append(order, top.node)
			stack = stack[:len(stack)-1]
			continue
		}
		top.state++
		if child >= 0 && !visited[child] {
			visited[child] = true
			stack = append(stack, frame{node: child})
		}
	}
	index := make([]int32, len(insns))
	out := make([]insn, len(order))
	for i, old := range order {
		index[old] = int32(i)
	}
	remap := func(t int32) int32 {
		if t < 0 {
			return t
		}
		return index[t]
	}
	for i, old := range order {
		out[i] = insns[old]
		out[i].jt, out[i].jf = remap(out[i].jt), remap(out[i].jf)
	}
	return out, remap(entry)
}

// bitset is a set of instruction indices.
type bitset []uint64

func newBitset(n int) bitset      { return make(bitset, (n+63)/64) }
func (b bitset) add(i int32)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int32) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) intersect(c bitset) {
	for i := range b {
		b[i] &= c[i]
	}
}

type edge struct {
	from int32
	true bool // the from test's true branch
}

// pullUp makes one pass of libpcap's or_pullup and and_pullup over the
// tests, from the bottom of the program up, with predecessors and
// dominators computed before the pass, as libpcap computes them. In an
// "or" chain (each test's false branch leading to the next, all true
// branches to one place), a test comparing the value the chain's
// predecessors loaded is moved above the first test that loads another
// value; "and" chains likewise with the branches swapped. It expects
// renumbered instructions and reports whether anything moved.
func pullUp(insns []insn, entry int32) (int32, bool) {
	n := len(insns)
	if entry < 0 {
		return entry, false
	}
	preds := make([][]edge, n)
	level := make([]int, n)
	levelOf := func(t int32) int {
		if t < 0 {
			return 0
		}
		return level[t]
	}
	for i := range insns {
		if t := insns[i].jt; t >= 0 {
			preds[t] = append(preds[t], edge{from: int32(i), true: true})
		}
		if t := insns[i].jf; t >= 0 {
			preds[t] = append(preds[t], edge{from: int32(i)})
		}
		level[i] = 1 + max(levelOf(insns[i].jt), levelOf(insns[i].jf))
	}
	dominators := make([]bitset, n)
	for i := n - 1; i >= 0; i-- {
		d := newBitset(n)
		if len(preds[i]) > 0 {
			copy(d, dominators[preds[i][0].from])
			for _, e := range preds[i][1:] {
				d.intersect(dominators[e.from])
			}
		}
		d.add(int32(i))
		dominators[i] = d
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	sort.SliceStable(order, func(a, b int) bool { return level[order[a]] < level[order[b]] })
	changed := false
	for _, b := range order {
		for _, orChain := range [2]bool{true, false} {
			if pullUpChain(insns, preds, dominators, b, orChain) {
				changed = true
			}
		}
	}
	return entry, changed
}

// acyclic reports whether every jump goes to a lower index, the property
// that guarantees Match ends.
func acyclic(insns []insn) bool {
	for i := range insns {
		if insns[i].jt >= int32(i) || insns[i].jf >= int32(i) {
			return false
		}
	}
	return true
}

func pullUpChain(insns []insn, preds [][]edge, dominators []bitset, b int32, orChain bool) bool {
	if len(preds[b]) == 0 {
		return false
	}
	// Along an "or" chain the false branch continues and the true branch
	// is shared; along an "and" chain the other way round.
	next := func(i int32) *int32 {
		if orChain {
			return &insns[i].jf
		}
		return &insns[i].jt
	}
	shared := func(i int32) int32 {
		if orChain {
			return insns[i].jt
		}
		return insns[i].jf
	}
	loaded := keyOf(&insns[preds[b][0].from])
	for _, e := range preds[b][1:] {
		if keyOf(&insns[e.from]) != loaded {
			return false
		}
	}
	inChain := func(i int32) bool {
		return i >= 0 && shared(i) == shared(b) && dominators[i].has(b)
	}
	// Find the first test in the chain that compares another value.
	diff, diffParent := b, int32(-1)
	for {
		if !inChain(diff) {
			return false
		}
		if keyOf(&insns[diff]) != loaded {
			break
		}
		diffParent, diff = diff, *next(diff)
	}
	// Then the next one that compares the loaded value again.
	sameParent, same := diff, *next(diff)
	for {
		if !inChain(same) {
			return false
		}
		if keyOf(&insns[same]) == loaded {
			break
		}
		sameParent, same = same, *next(same)
	}
	*next(sameParent) = *next(same)
	*next(same) = diff
	if diffParent < 0 {
		for _, e := range preds[b] {
			if e.true {
				insns[e.from].jt = same
			} else {
				insns[e.from].jf = same
			}
		}
	} else {
		*next(diffParent) = same
	}
	return true
}
