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
	opLdxMsh  = 0xb1 // ldxb 4*([k]&0xf)
	opAndK    = 0x54 // and #k
	opRshK    = 0x74 // rsh #k
	opJa      = 0x05
	opJeqK    = 0x15
	opJgtK    = 0x25
	opJgeK    = 0x35
	opRetK    = 0x06
	acceptLen = 0x40000 // libpcap's snapshot for an accepted frame
)

// ErrNotKernel reports a filter that cannot run in the kernel for that
// link type; the caller filters in user space only.
var ErrNotKernel = errors.New("filter cannot run in the kernel")

// Kernel returns the filter as a classic BPF program for a capture socket
// whose frames have the given LINKTYPE (Ethernet or raw IP; the types of
// Linux interfaces). It accepts the frames Match accepts: each test loads
// its field (a load past the end of the frame makes the kernel return 0,
// the same rejection) and jumps as the user-space program does. The kernel
// strips 802.1Q tags into metadata before socket filters run, so a filter
// using "vlan" is refused with ErrNotKernel, as is a program whose jumps
// do not fit classic BPF's 8-bit offsets.
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
	prog := &f.programs[layout.model]
	if prog.entry < 0 {
		return ret(prog.entry == targetAccept), nil
	}
	type jump struct {
		at       int // instruction index in out
		jt, jf   int32
		uncondTo int32 // for ja
		uncond   bool
	}
	var out []Instruction
	var jumps []jump
	start := make([]int, len(prog.insns))
	for _, i := range topoOrder(prog.insns, prog.entry) {
		in := prog.insns[i]
		start[i] = len(out)
		shift := int(in.depth) * vlanTagLen
		switch in.kind {
		case testLinkProto:
			if layout.family == familyEtherish {
				out = append(out, Instruction{Op: opLdAbsH, K: uint32(layout.typeOffset + shift)})
				jumps = append(jumps, jump{at: len(out), jt: in.jt, jf: in.jf})
				out = append(out, Instruction{Op: opJeqK, K: in.value})
				continue
			}
			version := uint32(0)
			switch in.value {
			case etherTypeIPv4:
				version = 4
			case etherTypeIPv6:
				version = 6
			}
			if version == 0 {
				jumps = append(jumps, jump{at: len(out), uncond: true, uncondTo: in.jf})
				out = append(out, Instruction{Op: opJa})
				continue
			}
			out = append(out, Instruction{Op: opLdAbsB, K: 0}, Instruction{Op: opRshK, K: 4})
			jumps = append(jumps, jump{at: len(out), jt: in.jt, jf: in.jf})
			out = append(out, Instruction{Op: opJeqK, K: version})
			continue
		case testNetField:
			op, err := loadOp(in.size, false)
			if err != nil {
				return nil, err
			}
			out = append(out, Instruction{Op: op, K: uint32(layout.netOffset + shift + int(in.offset))})
		case testTransportField:
			op, err := loadOp(in.size, true)
			if err != nil {
				return nil, err
			}
			net := uint32(layout.netOffset + shift)
			out = append(out, Instruction{Op: opLdxMsh, K: net}, Instruction{Op: op, K: net + uint32(in.offset)})
		default:
			return nil, fmt.Errorf("%w: test kind %d", ErrNotKernel, in.kind)
		}
		if full := uint32(1)<<(8*uint(in.size)) - 1; in.size < 4 && in.mask != full || in.size == 4 && in.mask != 0xffffffff {
			out = append(out, Instruction{Op: opAndK, K: in.mask})
		}
		switch in.cmp {
		case cmpEq:
			jumps = append(jumps, jump{at: len(out), jt: in.jt, jf: in.jf})
			out = append(out, Instruction{Op: opJeqK, K: in.value})
		case cmpGE:
			jumps = append(jumps, jump{at: len(out), jt: in.jt, jf: in.jf})
			out = append(out, Instruction{Op: opJgeK, K: in.value})
		case cmpLE: // v ≤ k is not v > k: the branches swap
			jumps = append(jumps, jump{at: len(out), jt: in.jf, jf: in.jt})
			out = append(out, Instruction{Op: opJgtK, K: in.value})
		default:
			return nil, fmt.Errorf("%w: comparison %d", ErrNotKernel, in.cmp)
		}
	}
	accept := len(out)
	out = append(out, ret(true)...)
	reject := len(out)
	out = append(out, ret(false)...)
	target := func(t int32) int {
		switch t {
		case targetAccept:
			return accept
		case targetReject:
			return reject
		}
		return start[t]
	}
	for _, j := range jumps {
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
