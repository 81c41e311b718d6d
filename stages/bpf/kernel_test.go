package bpf

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	xbpf "golang.org/x/net/bpf"
)

// kernelFrame is a frame as a socket filter sees it: whole, so its
// length is also the wire length "len" reads.
type kernelFrame struct {
	linkType uint32
	data     []byte
}

// kernelTestFrames gathers frames of the link types Kernel serves from
// the corpus captures (up to limit each, with every 3-byte prefix of the
// first few, for truncation) and the synthetic packets wrapped in
// Ethernet, Linux SLL, SLL2, Cisco HDLC and raw IP.
func kernelTestFrames(t *testing.T, limit int) []kernelFrame {
	t.Helper()
	var frames []kernelFrame
	ip := mustFilter(t, "ip")
	for _, rel := range corpusCaptures {
		caps, err := readCapture(sharedFile(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		taken := 0
		for _, fr := range caps {
			if _, err := ip.Kernel(fr.linkType); err != nil || taken >= limit {
				continue
			}
			taken++
			frames = append(frames, kernelFrame{fr.linkType, fr.data})
			if taken <= 3 {
				for cut := 0; cut < len(fr.data); cut += 3 {
					frames = append(frames, kernelFrame{fr.linkType, fr.data[:cut]})
				}
			}
		}
	}
	for _, p := range syntheticFrames(t) {
		for _, lt := range []uint32{linkTypeEthernet, linkTypeLinuxSLL, linkTypeLinuxSLL2, linkTypeCHDLC, linkTypeRaw} {
			if fr, ok := encapsulate(lt, p); ok {
				frames = append(frames, kernelFrame{lt, fr})
			}
		}
	}
	return frames
}

// kernelVM assembles f's kernel program for linkType into
// golang.org/x/net/bpf's virtual machine, an implementation of classic
// BPF independent of ours (it refuses what an OS would not load).
func kernelVM(f *Filter, linkType uint32) (*xbpf.VM, []Instruction, error) {
	prog, err := f.Kernel(linkType)
	if err != nil {
		return nil, nil, err
	}
	raw := make([]xbpf.Instruction, len(prog))
	for i, in := range prog {
		raw[i] = xbpf.RawInstruction{Op: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}.Disassemble()
		if _, unknown := raw[i].(xbpf.RawInstruction); unknown {
			return nil, nil, fmt.Errorf("instruction %d (%#x) is not classic BPF", i, in.Op)
		}
	}
	vm, err := xbpf.NewVM(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("the VM refuses the program: %w", err)
	}
	return vm, prog, nil
}

// TestKernelAgreesWithMatch runs the kernel program of every filter of
// the tcpdump comparison table and of random expressions of the whole
// grammar in the VM, on every kernel-served frame, and checks each
// verdict against Match. Only filters using vlan may be refused.
func TestKernelAgreesWithMatch(t *testing.T) {
	frames := kernelTestFrames(t, 400)
	filters := append(append([]string(nil), comparisonFilters...), randomFilters(5, 400, 3)...)
	if len(frames) < 5000 {
		t.Fatalf("only %d frames", len(frames))
	}
	linkTypes := []uint32{linkTypeEthernet, linkTypeLinuxSLL, linkTypeLinuxSLL2, linkTypeCHDLC, linkTypeRaw}
	inKernel, refused, runs, accepted := 0, 0, 0, 0
	for _, expr := range filters {
		f, err := Compile(expr)
		if err != nil {
			t.Fatalf("Compile(%q): %v", expr, err)
		}
		vms := map[uint32]*xbpf.VM{}
		progs := map[uint32][]Instruction{}
		for _, lt := range linkTypes {
			vm, prog, err := kernelVM(f, lt)
			if errors.Is(err, ErrNotKernel) && f.usesVLAN {
				refused++
				continue
			}
			if err != nil {
				t.Fatalf("%q, link type %d: %v", expr, lt, err)
			}
			vms[lt], progs[lt] = vm, prog
		}
		if len(vms) == 0 {
			continue
		}
		inKernel++
		differ := 0
		for _, fr := range frames {
			vm := vms[fr.linkType]
			if vm == nil {
				continue
			}
			n, err := vm.Run(fr.data)
			if err != nil {
				t.Fatalf("%q: %v", expr, err)
			}
			runs++
			want := f.Match(fr.linkType, fr.data, uint32(len(fr.data)))
			if want {
				accepted++
			}
			linux := runLinux(progs[fr.linkType], fr.data) > 0
			if ((n > 0) != want || linux != want) && differ < 3 {
				differ++
				t.Errorf("%q on a %d-byte frame (link type %d): kernel %v (Linux's rules %v), Match %v; frame % x", expr, len(fr.data), fr.linkType, n > 0, linux, want, fr.data[:min(len(fr.data), 64)])
			}
		}
	}
	t.Logf("%d filters in the kernel (%d link-type programs refused, all vlan), %d frames, %d runs, %d accepted", inKernel, refused, len(frames), runs, accepted)
	if inKernel < len(filters)*3/4 {
		t.Errorf("only %d of %d filters ran in the kernel", inKernel, len(filters))
	}
}

// TestKernelPrograms checks the code for the arithmetic's edge cases by
// its verdicts on hand-made frames, where user space and the kernel would
// part without the guards: computed indexes that would wrap, shifts by 32
// or more, division by a zero byte, and relations between two loads.
func TestKernelPrograms(t *testing.T) {
	ipv4 := ethernet(etherTypeIPv4, ipv4TCP)
	tests := []struct {
		expr string
		data []byte
		want bool
	}{
		{"ether[0] = 0", ipv4, true},
		{"ip[ip[0] - 0x45 - 14] = 0", ipv4, false},                    // -14 + 14 would wrap to byte 0
		{"ip[ip[0] - 0x45 - 14] != 0", ipv4, false},                   // rejected under either relation
		{"ip[0] << (ip[0] - 0x45 + 32) = 0", ipv4, true},              // a shift by 32 gives 0
		{"ip[0] >> (ip[0] - 0x45 + 33) != 0", ipv4, false},            // by 33 too
		{"1 / (0x45 ^ ip[0]) = 0", ipv4, false},                       // a divisor of 0 rejects
		{"1 % (0x45 ^ ip[0]) = 0 or udp", ipv4, false},                // even under or
		{"ip[0] = ip[0]", ipv4, true},                                 // both sides loads
		{"ip[0] + ip[1] * 2 - (ip[2:2] ^ 7) > ip[9] | 1", ipv4, true}, // nested: scratch slots
		{"len = " + fmt.Sprint(len(ipv4)), ipv4, true},
		{"greater 2000", ipv4, false},
		{"tcp[tcpflags] & tcp-syn != 0 or not tcp", ipv4, true},
		{"ether host 00:01:02:03:04:05 or ip", ipv4, true},
	}
	for _, tt := range tests {
		f, err := Compile(tt.expr)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.expr, err)
		}
		if got := f.Match(1, tt.data, uint32(len(tt.data))); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.expr, got, tt.want)
		}
		vm, prog, err := kernelVM(f, 1)
		if err != nil {
			t.Fatalf("%q: %v", tt.expr, err)
		}
		n, err := vm.Run(tt.data)
		if err != nil {
			t.Fatal(err)
		}
		if got := n > 0; got != tt.want {
			t.Errorf("kernel %q in x/net/bpf's VM = %v, want %v", tt.expr, got, tt.want)
		}
		if got := runLinux(prog, tt.data) > 0; got != tt.want {
			t.Errorf("kernel %q with Linux's rules = %v, want %v", tt.expr, got, tt.want)
		}
	}
	deep := "ip[0]" + strings.Repeat(" + (ip[0]", 20) + strings.Repeat(")", 20) + " = 0"
	if _, err := mustFilter(t, deep).Kernel(1); !errors.Is(err, ErrNotKernel) || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("%d nested operands in the kernel: err %v, want ErrNotKernel naming the nesting", 20, err)
	}
	if prog, err := mustFilter(t, "ether broadcast").Kernel(linkTypeRaw); err != nil || len(prog) != 1 || prog[0].K != 0 {
		t.Errorf("ether broadcast on raw IP: %v, %v; want one instruction rejecting every frame", prog, err)
	}
}

func mustFilter(t *testing.T, expr string) *Filter {
	t.Helper()
	f, err := Compile(expr)
	if err != nil {
		t.Fatalf("Compile(%q): %v", expr, err)
	}
	return f
}

// runLinux interprets a program with the two rules where Linux's classic
// BPF differs from x/net/bpf's VM and that the guards in Kernel are for:
// an indirect load's offset X+k wraps at 2^32 (a negative one reaches
// ancillary data, taken here as a rejection) and a shift by X takes X
// modulo 32. It returns the program's return value.
func runLinux(prog []Instruction, data []byte) uint32 {
	var a, x uint32
	var mem [scratchSlots]uint32
	ld := func(off uint32, size int) (uint32, bool) {
		if int32(off) < 0 {
			return 0, false
		}
		return load(data, int(off), size)
	}
	sizes := map[uint16]int{0x00: 4, 0x08: 2, 0x10: 1}
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		var ok bool
		switch cls := in.Op & 0x07; {
		case in.Op == opRetK:
			return in.K
		case in.Op == opLdImm:
			a = in.K
		case in.Op == opLdLen:
			a = uint32(len(data))
		case in.Op == opLdMem:
			a = mem[in.K]
		case in.Op == opSt:
			mem[in.K] = a
		case in.Op == opTax:
			x = a
		case in.Op == opLdxMsh:
			var b uint32
			if b, ok = ld(in.K, 1); !ok {
				return 0
			}
			x = (b & 0xf) * 4
		case cls == 0 && in.Op&0xe0 == 0x20: // ld abs
			if a, ok = ld(in.K, sizes[in.Op&0x18]); !ok {
				return 0
			}
		case cls == 0 && in.Op&0xe0 == 0x40: // ld ind
			if a, ok = ld(x+in.K, sizes[in.Op&0x18]); !ok {
				return 0
			}
		case cls == 0x04:
			v := in.K
			if in.Op&0x08 != 0 {
				v = x
			}
			switch in.Op & 0xf0 {
			case 0x00:
				a += v
			case 0x10:
				a -= v
			case 0x20:
				a *= v
			case 0x30, 0x90:
				if v == 0 {
					return 0
				}
				if in.Op&0xf0 == 0x30 {
					a /= v
				} else {
					a %= v
				}
			case 0x40:
				a |= v
			case 0x50:
				a &= v
			case 0x60:
				a <<= v & 31
			case 0x70:
				a >>= v & 31
			case 0xa0:
				a ^= v
			default:
				panic(fmt.Sprintf("ALU op %#x", in.Op))
			}
		case in.Op == opJa:
			pc += int(in.K)
		case cls == 0x05:
			v := in.K
			if in.Op&0x08 != 0 {
				v = x
			}
			var taken bool
			switch in.Op & 0xf0 {
			case 0x10:
				taken = a == v
			case 0x20:
				taken = a > v
			case 0x30:
				taken = a >= v
			default:
				panic(fmt.Sprintf("jump op %#x", in.Op))
			}
			if taken {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		default:
			panic(fmt.Sprintf("op %#x", in.Op))
		}
	}
	return 0
}
