package stages

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	xbpf "golang.org/x/net/bpf"

	"github.com/nfdataset/nfdataset/stages/bpf"
)

// TestKernelFilterMatches runs every filter's kernel program in
// golang.org/x/net/bpf's classic-BPF virtual machine (an implementation
// independent of ours) on the bundled Ethernet captures and on every
// prefix of their first frames (truncation), and checks each verdict
// against the user-space Match.
func TestKernelFilterMatches(t *testing.T) {
	exprs := []string{
		"ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "not ip", "port 53", "port 80 or 443",
		"tcp port 443", "udp port 53 or 5353", "tcp src port 80", "dst port 53", "src and dst port 53",
		"portrange 1-1023", "udp portrange 5000-6000", "tcp dst portrange 8000-9000", "not port 53",
		"sctp port 80", "proto 6", "ip proto 17", "ip6 proto 58", "proto 44", "net 10", "net 192.168",
		"src net 192.168.0.0/16", "dst net 172.16.0.0/12", "net 224.0.0.0 mask 240.0.0.0",
		"ip6 net fe80::/10", "dst net ff00::/8", "tcp and not port 443 or udp and not port 53",
		"not (tcp or udp)", "(tcp or udp) and not (port 53 or port 443)", "icmp or icmp6 or arp",
		"host 192.168.1.1 or host 10.0.0.1", "ip6 host fe80::1",
	}
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "nfstream", "*.pcap"))
	type frame struct {
		link uint32
		data []byte
	}
	var frames []frame
	for _, p := range paths {
		src, err := OpenFiles([]string{p})
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; ; n++ {
			fr, err := src.Next()
			if err != nil {
				var ce *CorruptError
				if err != io.EOF && !errors.As(err, &ce) {
					t.Fatalf("%s: %v", p, err)
				}
				break
			}
			if fr.LinkType != 1 && fr.LinkType != 101 {
				continue
			}
			frames = append(frames, frame{fr.LinkType, append([]byte(nil), fr.Data...)})
			if n < 3 {
				for cut := 0; cut < len(fr.Data); cut += 3 {
					frames = append(frames, frame{fr.LinkType, append([]byte(nil), fr.Data[:cut]...)})
				}
			}
		}
		src.Close()
	}
	if len(frames) < 1000 {
		t.Fatalf("only %d frames from %d captures", len(frames), len(paths))
	}
	for _, expr := range exprs {
		f, err := bpf.Compile(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		vms := map[uint32]*xbpf.VM{}
		for _, link := range []uint32{1, 101} {
			prog, err := f.Kernel(link)
			if err != nil {
				t.Fatalf("%q link %d: %v", expr, link, err)
			}
			raw := make([]xbpf.Instruction, len(prog))
			for i, in := range prog {
				raw[i] = xbpf.RawInstruction{Op: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}.Disassemble()
			}
			vm, err := xbpf.NewVM(raw)
			if err != nil {
				t.Fatalf("%q link %d: the VM refuses the program: %v", expr, link, err)
			}
			vms[link] = vm
		}
		accepted, differ := 0, 0
		for _, fr := range frames {
			n, err := vms[fr.link].Run(fr.data)
			if err != nil {
				t.Fatalf("%q: %v", expr, err)
			}
			want := f.Match(fr.link, fr.data, uint32(len(fr.data)))
			if want {
				accepted++
			}
			if (n > 0) != want && differ < 3 {
				differ++
				t.Errorf("%q on a %d-byte frame (link %d): kernel %v, user space %v", expr, len(fr.data), fr.link, n > 0, want)
			}
		}
		t.Logf("%-50q %d of %d frames accepted", expr, accepted, len(frames))
	}
	if _, err := mustCompile(t, "vlan 10").Kernel(1); !errors.Is(err, bpf.ErrNotKernel) {
		t.Errorf("vlan filter in the kernel: err %v, want ErrNotKernel", err)
	}
}

func mustCompile(t *testing.T, expr string) *bpf.Filter {
	f, err := bpf.Compile(expr)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
