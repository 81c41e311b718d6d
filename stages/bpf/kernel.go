package bpf

import (
	"errors"
	"fmt"
)

// Instruction is one classic BPF instruction as the Linux kernel takes it
// (struct sock_filter), for attaching a filter to a capture socket.
type Instruction struct {
	Op     uint16
	Jt, Jf uint8
	K      uint32
}

// Classic BPF opcodes used by Kernel.
const (
	opLdAbsW  = 0x20 // ld  [k]
	opLdAbsH  = 0x28 // ldh [k]
	opLdAbsB  = 0x30 // ldb [k]
	opLdIndW  = 0x40 // ld  [x + k]
	opLdIndH  = 0x48 // ldh [x + k]
	opLdIndB  = 0x50 // ldb [x + k]
	opLdImm   = 0x00 // ld  #k
	opLdLen   = 0x80 // ld  #len (the packet's length)
	opLdMem   = 0x60 // ld  M[k]
	opSt      = 0x02 // st  M[k]
	opTax     = 0x07
	opLdxMsh  = 0xb1 // ldxb 4*([k]&0xf)
	opAluK    = 0x04 // BPF_ALU|BPF_K; or the ALU operation in
	opAluX    = 0x0c // BPF_ALU|BPF_X
	opAndK    = 0x54 // and #k
	opRshK    = 0x74 // rsh #k
	opJa      = 0x05
	opJeqK    = 0x15
	opJgtK    = 0x25
	opJgeK    = 0x35
	opJeqX    = 0x1d
	opJgtX    = 0x2d
	opJgeX    = 0x3d
	opRetK    = 0x06
	acceptLen = 0x40000 // libpcap's snapshot for an accepted frame
	// scratchSlots is classic BPF's scratch memory, M[0] to M[15]: each
	// pending left operand of a binary operation takes one.
	scratchSlots = 16
	// maxLoadIndex bounds a computed index before the kernel adds the
	// header offset: in the kernel the sum wraps at 2^32 (and a negative
	// offset reaches its ancillary data), where Match rejects the frame.
	// Frames longer than this are beyond any capture's snapshot.
	maxLoadIndex = acceptLen - 1
)

// aluOps are the BPF_ALU operation codes of the arithmetic operators.
var aluOps = [...]uint16{arAdd: 0x00, arSub: 0x10, arMul: 0x20, arDiv: 0x30, arOr: 0x40, arAnd: 0x50, arLsh: 0x60, arRsh: 0x70, arMod: 0x90, arXor: 0xa0}

// ErrNotKernel reports a filter that cannot run in the kernel for that
// link type; the caller filters in user space only.
var ErrNotKernel = errors.New("filter cannot run in the kernel")

// Kernel returns the filter as a classic BPF program for a capture socket
// whose frames have the given LINKTYPE (Ethernet or raw IP; the types of
// Linux interfaces). It accepts the frames Match accepts when given the
// whole frame (a socket filter sees all of it; "len" is its length): each
// test loads its field (a load past the end of the frame makes the kernel
// return 0, the same rejection) and jumps as the user-space program does;
// relations compute their arithmetic in the accumulator, keeping pending
// operands in scratch memory. The kernel strips 802.1Q tags into metadata
// before socket filters run, so a filter using "vlan" is refused with
// ErrNotKernel, as is a relation nested deeper than the 16 scratch slots
// and a program whose jumps do not fit classic BPF's 8-bit offsets.
func (f *Filter) Kernel(linkType uint32) ([]Instruction, error) {
	ret := func(ok bool) []Instruction {
		if ok {
			return []Instruction{{Op: opRetK, K: acceptLen}}
		}
		return []Instruction{{Op: opRetK, K: 0}}
	}
	if f == nil || f.matchAll {
		return ret(true), nil
	}
	layout := layoutOf(linkType)
	if layout.family != familyEtherish && layout.family != familyRawIP {
		return nil, fmt.Errorf("%w: link type %d", ErrNotKernel, linkType)
	}
	if f.usesVLAN {
		return nil, fmt.Errorf("%w: vlan (the kernel strips the tags before socket filters)", ErrNotKernel)
	}
	if f.usesEther && !layout.ethernet {
		return ret(false), nil // as Match: MAC tests match nothing off Ethernet
	}
	prog := &f.programs[layout.model]
	if prog.entry < 0 {
		return ret(prog.entry == targetAccept), nil
	}
	k := kernelWriter{layout: layout, rels: f.rels}
	start := make([]int, len(prog.insns))
	for _, i := range topoOrder(prog.insns, prog.entry) {
		in := prog.insns[i]
		start[i] = len(k.out)
		if err := k.test(in); err != nil {
			return nil, err
		}
	}
	accept := len(k.out)
	k.out = append(k.out, ret(true)...)
	reject := len(k.out)
	k.out = append(k.out, ret(false)...)
	target := func(t int32) int {
		switch t {
		case targetAccept:
			return accept
		case targetReject:
			return reject
		}
		return start[t]
	}
	out := k.out
	for _, j := range k.jumps {
		if j.uncond {
			out[j.at].K = uint32(target(j.uncondTo) - j.at - 1)
			continue
		}
		jt, jf := target(j.jt)-j.at-1, target(j.jf)-j.at-1
		if jt < 0 || jt > 255 || jf < 0 || jf > 255 {
			return nil, fmt.Errorf("%w: a jump longer than 255 instructions", ErrNotKernel)
		}
		out[j.at].Jt, out[j.at].Jf = uint8(jt), uint8(jf)
	}
	return out, nil
}

// kernelJump is a jump whose targets are instructions of the user-space
// program (or its verdicts), resolved once every test is laid out.
type kernelJump struct {
	at       int // instruction index in out
	jt, jf   int32
	uncondTo int32 // for ja
	uncond   bool
}

type kernelWriter struct {
	layout linkLayout
	rels   []*relation
	out    []Instruction
	jumps  []kernelJump
}

func (k *kernelWriter) emit(ins ...Instruction) { k.out = append(k.out, ins...) }

// branch appends a conditional jump to the program's tests jt and jf.
func (k *kernelWriter) branch(op uint16, value uint32, jt, jf int32) {
	k.jumps = append(k.jumps, kernelJump{at: len(k.out), jt: jt, jf: jf})
	k.emit(Instruction{Op: op, K: value})
}

// test appends the code of one user-space test.
func (k *kernelWriter) test(in insn) error {
	layout := k.layout
	shift := int(in.depth) * vlanTagLen
	switch in.kind {
	case testLinkProto:
		if layout.family == familyEtherish {
			k.emit(Instruction{Op: opLdAbsH, K: uint32(layout.typeOffset + shift)})
			k.branch(opJeqK, in.value, in.jt, in.jf)
			return nil
		}
		version := uint32(0)
		switch in.value {
		case etherTypeIPv4:
			version = 4
		case etherTypeIPv6:
			version = 6
		}
		if version == 0 {
			k.jumps = append(k.jumps, kernelJump{at: len(k.out), uncond: true, uncondTo: in.jf})
			k.emit(Instruction{Op: opJa})
			return nil
		}
		k.emit(Instruction{Op: opLdAbsB, K: 0}, Instruction{Op: opRshK, K: 4})
		k.branch(opJeqK, version, in.jt, in.jf)
		return nil
	case testRelation:
		return k.relation(k.rels[in.offset], in.jt, in.jf)
	case testLinkField:
		op, err := loadOp(in.size, false)
		if err != nil {
			return err
		}
		k.emit(Instruction{Op: op, K: uint32(in.offset)})
	case testNetField:
		op, err := loadOp(in.size, false)
		if err != nil {
			return err
		}
		k.emit(Instruction{Op: op, K: uint32(layout.netOffset + shift + int(in.offset))})
	case testTransportField:
		op, err := loadOp(in.size, true)
		if err != nil {
			return err
		}
		net := uint32(layout.netOffset + shift)
		k.emit(Instruction{Op: opLdxMsh, K: net}, Instruction{Op: op, K: net + uint32(in.offset)})
	default:
		return fmt.Errorf("%w: test kind %d", ErrNotKernel, in.kind)
	}
	if full := uint32(1)<<(8*uint(in.size)) - 1; in.size < 4 && in.mask != full || in.size == 4 && in.mask != 0xffffffff {
		k.emit(Instruction{Op: opAndK, K: in.mask})
	}
	switch in.cmp {
	case cmpEq:
		k.branch(opJeqK, in.value, in.jt, in.jf)
	case cmpGE:
		k.branch(opJgeK, in.value, in.jt, in.jf)
	case cmpGT:
		k.branch(opJgtK, in.value, in.jt, in.jf)
	case cmpLE: // v ≤ k is not v > k: the branches swap
		k.branch(opJgtK, in.value, in.jf, in.jt)
	default:
		return fmt.Errorf("%w: comparison %d", ErrNotKernel, in.cmp)
	}
	return nil
}

// relation computes both sides and compares them; a constant right side
// is the jump's operand, any other is held in X.
func (k *kernelWriter) relation(r *relation, jt, jf int32) error {
	ops := [...]struct {
		op   uint16
		swap bool
	}{relEq: {opJeqK, false}, relNe: {opJeqK, true}, relGt: {opJgtK, false}, relGe: {opJgeK, false}, relLt: {opJgeK, true}, relLe: {opJgtK, true}}
	j := ops[r.op]
	if j.swap {
		jt, jf = jf, jt
	}
	if err := k.arith(r.lhs, 0); err != nil {
		return err
	}
	if r.rhs.op == arConst {
		k.branch(j.op, r.rhs.value, jt, jf)
		return nil
	}
	k.emit(Instruction{Op: opSt, K: 0})
	if err := k.arith(r.rhs, 1); err != nil {
		return err
	}
	k.emit(Instruction{Op: opTax}, Instruction{Op: opLdMem, K: 0})
	k.branch(j.op|0x08, 0, jt, jf) // BPF_X: compare A with X
	return nil
}

// arith appends code leaving a's value in A; slots from slot up are free.
func (k *kernelWriter) arith(a *arith, slot int) error {
	switch a.op {
	case arConst:
		k.emit(Instruction{Op: opLdImm, K: a.value})
		return nil
	case arLen:
		k.emit(Instruction{Op: opLdLen})
		return nil
	case arNeg:
		if err := k.arith(a.x, slot); err != nil {
			return err
		}
		// 0 - A: x/net/bpf's VM, unlike Linux, has no BPF_NEG.
		k.emit(Instruction{Op: opTax}, Instruction{Op: opLdImm, K: 0}, Instruction{Op: opAluX | aluOps[arSub]})
		return nil
	case arLoad:
		return k.load(a, slot)
	}
	if err := k.arith(a.x, slot); err != nil {
		return err
	}
	if a.y.op == arConst {
		// The parser refuses a constant divisor of 0 and shifts past 31.
		k.emit(Instruction{Op: opAluK | aluOps[a.op], K: a.y.value})
		return nil
	}
	if slot >= scratchSlots {
		return fmt.Errorf("%w: arithmetic nested deeper than %d operands", ErrNotKernel, scratchSlots)
	}
	k.emit(Instruction{Op: opSt, K: uint32(slot)})
	if err := k.arith(a.y, slot+1); err != nil {
		return err
	}
	if a.op == arLsh || a.op == arRsh {
		// Match (and libpcap's interpreter) shift by 32 or more to 0; the
		// kernel would take the amount modulo 32.
		k.emit(Instruction{Op: opJgtK, K: 31, Jt: 0, Jf: 2}, Instruction{Op: opLdImm, K: 0}, Instruction{Op: opJa, K: 3})
	}
	// A divisor of 0 in X makes the kernel return 0: Match's rejection.
	k.emit(Instruction{Op: opTax}, Instruction{Op: opLdMem, K: uint32(slot)}, Instruction{Op: opAluX | aluOps[a.op]})
	return nil
}

// load appends proto[index:size]. The protocol tests guarding it are
// tests of their own, before the relation.
func (k *kernelWriter) load(a *arith, slot int) error {
	op, err := loadOp(a.size, true)
	if err != nil {
		return err
	}
	net := uint32(k.layout.netOffset + a.depth*vlanTagLen)
	base := uint32(0)
	switch loadProtos[a.proto] {
	case layerNet, layerTransport:
		base = net
	case layerICMP6:
		base = net + 40
	}
	if a.x.op == arConst && a.x.value <= maxLoadIndex {
		if loadProtos[a.proto] == layerTransport {
			k.emit(Instruction{Op: opLdxMsh, K: net}, Instruction{Op: op, K: base + a.x.value})
			return nil
		}
		abs, _ := loadOp(a.size, false)
		k.emit(Instruction{Op: abs, K: base + a.x.value})
		return nil
	}
	if err := k.arith(a.x, slot); err != nil {
		return err
	}
	// An index beyond any frame rejects it, as in Match, before adding
	// the header offset could wrap.
	k.emit(Instruction{Op: opJgtK, K: maxLoadIndex, Jt: 0, Jf: 1}, Instruction{Op: opRetK, K: 0})
	if loadProtos[a.proto] == layerTransport {
		k.emit(Instruction{Op: opLdxMsh, K: net}, Instruction{Op: opAluX | aluOps[arAdd]})
	}
	k.emit(Instruction{Op: opTax}, Instruction{Op: op, K: base})
	return nil
}

func loadOp(size uint8, indirect bool) (uint16, error) {
	ops := map[uint8][2]uint16{1: {opLdAbsB, opLdIndB}, 2: {opLdAbsH, opLdIndH}, 4: {opLdAbsW, opLdIndW}}
	o, ok := ops[size]
	if !ok {
		return 0, fmt.Errorf("%w: a %d-byte load", ErrNotKernel, size)
	}
	if indirect {
		return o[1], nil
	}
	return o[0], nil
}

// topoOrder lists the instructions reachable from entry so that every
// jump goes forward (classic BPF has no backward jumps): reverse
// post-order of a depth-first walk of the program's DAG.
func topoOrder(insns []insn, entry int32) []int32 {
	seen := make([]bool, len(insns))
	var post []int32
	var walk func(pc int32)
	walk = func(pc int32) {
		if pc < 0 || seen[pc] {
			return
		}
		seen[pc] = true
		walk(insns[pc].jf)
		walk(insns[pc].jt)
		post = append(post, pc)
	}
	walk(entry)
	for i, j := 0, len(post)-1; i < j; i, j = i+1, j-1 {
		post[i], post[j] = post[j], post[i]
	}
	return post
}
