package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sweepFilters is the table of the flows-level comparison with tcpdump:
// libpcap's whole grammar as nfdataset supports it, with the arithmetic,
// relations, named offsets, lengths, MAC addresses and link-layer
// broadcast and multicast of issue 12 weighted most.
var sweepFilters = []string{
	"ip", "ip6", "arp", "tcp", "udp", "icmp or icmp6", "not ip", "port 53", "tcp port 443 or udp port 53",
	"portrange 1-1023", "net 10.0.0.0/8 or net 192.168", "ip6 net fe80::/10", "vlan", "vlan and udp",
	"proto 44", "ip proto 17 and not port 53", "tcp and (port 80 or 443) and not src net 10",
	"tcp[13] & 2 != 0", "tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"tcp[tcpflags] & (tcp-fin|tcp-rst) != 0", "tcp[tcpflags] == tcp-ack", "ip[6:2] & 0x1fff != 0",
	"ip[6] & 0x20 != 0", "ip[0] & 0xf != 5", "ip[2:2] > 576", "ip[8] < 64", "ip[9] % 7 == 3",
	"udp[4:2] - 8 > 100", "udp[0:2] + udp[2:2] > 60000", "tcp[12] >> 4 > 5", "tcp[(tcp[12] >> 4) * 4] = 0x16",
	"ip[1] & 0xfc != 0", "ip6[6] == 58 and ip6[40] == 135", "icmp[icmptype] == icmp-echo",
	"icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply", "icmp[icmpcode] != 0",
	"icmp6[icmp6type] == icmp6-neighborsolicit", "icmp6[icmp6type] >= 128", "arp[6:2] = 1",
	"ether[12:2] = 0x0800", "ether[0] & 1 != 0", "link[0:4] = 0xffffffff", "ether proto 0x86dd",
	"greater 200", "less 100", "len > 1000", "len <= 60 and udp", "len - 14 >= 576", "len % 2 = 1",
	"ether broadcast", "ether multicast", "ip multicast", "ip6 multicast", "ip broadcast",
	"not ether multicast and ip", "ether host ff:ff:ff:ff:ff:ff or arp", "ether src 00:00:00:00:00:00",
	"ip[ip[0] & 0xf] != 0", "tcp[0:2] ^ tcp[2:2] > 1000", "udp[8] << 2 >= 0x100", "-ip[8] > 0xffffff00",
}

// sweepArith and sweepRandom generate expressions of the same grammar.
func sweepArith(rng *rand.Rand, depth int) string {
	if depth <= 0 || rng.IntN(3) == 0 {
		switch rng.IntN(5) {
		case 0:
			return fmt.Sprint([]int{0, 1, 2, 4, 13, 20, 64, 255, 1500, 0x1fff}[rng.IntN(10)])
		case 1:
			return []string{"len", "tcpflags", "tcp-syn", "tcp-ack", "icmptype", "icmp-echo", "icmp6type"}[rng.IntN(7)]
		}
		proto := []string{"ether", "ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6"}[rng.IntN(8)]
		index := fmt.Sprint([]int{0, 1, 2, 6, 8, 9, 12, 13, 14, 16, 40}[rng.IntN(11)])
		if rng.IntN(5) == 0 {
			index = sweepArith(rng, depth-1)
		}
		return proto + "[" + index + []string{"", ":1", ":2", ":4"}[rng.IntN(4)] + "]"
	}
	op := []string{"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"}[rng.IntN(10)]
	return "(" + sweepArith(rng, depth-1) + " " + op + " " + sweepArith(rng, depth-1) + ")"
}

func sweepRandom(rng *rand.Rand, depth int) string {
	if depth <= 0 || rng.IntN(3) == 0 {
		switch rng.IntN(4) {
		case 0:
			return sweepFilters[rng.IntN(len(sweepFilters))]
		case 1:
			return []string{"greater ", "less "}[rng.IntN(2)] + fmt.Sprint([]int{60, 100, 200, 576, 1500}[rng.IntN(5)])
		}
		return sweepArith(rng, 2) + " " + []string{"=", "!=", "<", "<=", ">", ">="}[rng.IntN(6)] + " " + sweepArith(rng, 1)
	}
	switch rng.IntN(4) {
	case 0:
		return "not (" + sweepRandom(rng, depth-1) + ")"
	case 1:
		return "(" + sweepRandom(rng, depth-1) + ") and (" + sweepRandom(rng, depth-1) + ")"
	}
	return "(" + sweepRandom(rng, depth-1) + ") or (" + sweepRandom(rng, depth-1) + ")"
}

// sweepCaptures lists every capture of the shared corpus.
func sweepCaptures(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, dir := range []string{"../../../shared/corpus/nfstream/pcaps", "../../../shared/corpus/ndpi/pcaps"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Skipf("the shared corpus is absent (%v)", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(paths)
	return paths
}

// sweepFlows runs nfdataset flows (in this process, no DPI: the packets
// decide every other column) and returns the CSV rows, or the error text.
func sweepFlows(t *testing.T, args ...string) (rows []string, failure string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "flows.csv")
	code, _, stderr := runCLI(t, append([]string{"flows", "--n-dissections", "0", "-o", out}, args...)...)
	if code != 0 {
		return nil, fmt.Sprintf("exit %d: %s", code, strings.TrimSpace(stderr))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return wrapSeconds(strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")), ""
}

// wrapSeconds reduces every *_seen_ms time modulo 2^32 seconds: a pcap
// record holds 32-bit seconds, so a capture dated past 2106 (the corpus has
// one, read as NFStream reads it) comes out of tcpdump -w wrapped.
func wrapSeconds(rows []string) []string {
	if len(rows) == 0 {
		return rows
	}
	var timeCols []int
	for i, name := range strings.Split(rows[0], ",") {
		if strings.HasSuffix(name, "_seen_ms") {
			timeCols = append(timeCols, i)
		}
	}
	const wrapMs = 1 << 32 * 1000
	for r := 1; r < len(rows); r++ {
		cells := strings.Split(rows[r], ",")
		changed := false
		for _, c := range timeCols {
			if c >= len(cells) {
				continue
			}
			if v, err := strconv.ParseUint(cells[c], 10, 64); err == nil && v >= wrapMs {
				cells[c] = strconv.FormatUint(v%wrapMs, 10)
				changed = true
			}
		}
		if changed {
			rows[r] = strings.Join(cells, ",")
		}
	}
	return rows
}

// tcpdumpRefusals are libpcap's messages for a filter it will not compile
// for a link type; it then selects nothing, as nfdataset's filter does.
var tcpdumpRefusals = []string{"expression rejects all packets", "no VLAN support for", "not a broadcast link", "link-layer multicast filters supported only on", "not supported on", "ethernet addresses supported only on"}

// TestFlowsFilterSweepAgreesWithTcpdump checks, over every capture of the
// corpus, that the flows of "nfdataset flows --bpf-filter FILTER FILE" are
// those of "tcpdump -r FILE -w - FILTER | nfdataset flows -". tcpdump
// writes nanosecond pcap so that no timestamp is rounded. By default each
// capture gets one filter of sweepFilters (in turn) and one generated
// expression (a fixed seed), and one pair in 40 goes through a real pipe
// into this binary as nfdataset; NFDATASET_BPF_FLOWS="SEED RANDOM" runs
// every filter of the table and RANDOM generated expressions on every
// capture. Runs are logged in docs/fuzzing.md.
func TestFlowsFilterSweepAgreesWithTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not on PATH: install it (apt-get install tcpdump) to compare filters with libpcap")
	}
	if testing.Short() {
		t.Skip("slow: runs tcpdump once per capture and filter")
	}
	captures := sweepCaptures(t)
	seed, random, full := uint64(12), 1, false
	if env := os.Getenv("NFDATASET_BPF_FLOWS"); env != "" {
		if _, err := fmt.Sscan(env, &seed, &random); err != nil {
			t.Fatalf("NFDATASET_BPF_FLOWS=%q: want \"SEED RANDOM\": %v", env, err)
		}
		full = true
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pairs, flows, selected, piped, refused := 0, 0, 0, 0, 0
	for i, capture := range captures {
		var filters []string
		if full {
			filters = append(filters, sweepFilters...)
		} else {
			filters = append(filters, sweepFilters[i%len(sweepFilters)])
		}
		for n := 0; n < random; n++ {
			filters = append(filters, sweepRandom(rng, 2))
		}
		name := filepath.Base(filepath.Dir(filepath.Dir(capture))) + "/" + filepath.Base(capture)
		for _, filter := range filters {
			pairs++
			got, gotErr := sweepFlows(t, "--bpf-filter", filter, capture)
			nfRefuses := strings.Contains(gotErr, "invalid --bpf-filter")
			selectedPcap := filepath.Join(t.TempDir(), "selected.pcap")
			cmd := exec.Command(tcpdump, "-n", "--time-stamp-precision=nano", "-r", capture, "-w", selectedPcap, "--", filter)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			var want []string
			var wantErr string
			if err := cmd.Run(); err != nil && !isTruncationMessage(stderr.String()) {
				msg := stderr.String()
				if arithmeticRefusal(msg) {
					// libpcap refuses to compile it, as NFStream then does.
					refused++
					if !nfRefuses {
						t.Errorf("%s, filter %q: libpcap refuses it (%s), nfdataset accepts it", name, filter, strings.TrimSpace(msg))
					}
					continue
				}
				known := false
				for _, k := range tcpdumpRefusals {
					known = known || strings.Contains(msg, k)
				}
				if !known {
					t.Errorf("%s: tcpdump %q: %v: %s", name, filter, err, strings.TrimSpace(msg))
					continue
				}
				refused++
				if len(got) > 1 {
					t.Errorf("%s, filter %q: libpcap refuses it (%s), nfdataset selects %d flows", name, filter, strings.TrimSpace(msg), len(got)-1)
				}
				continue
			}
			if nfRefuses {
				t.Errorf("%s, filter %q: nfdataset refuses it, libpcap accepts it: %s", name, filter, gotErr)
				continue
			}
			if pairs%40 == 0 {
				piped++
				want, wantErr = sweepPipe(t, self, tcpdump, capture, filter)
			} else {
				want, wantErr = sweepFlows(t, selectedPcap)
			}
			if gotErr != "" || wantErr != "" {
				// A capture nfdataset rejects (not a capture, damaged
				// beyond reading) must fail with both inputs alike.
				if (gotErr == "") != (wantErr == "") {
					t.Errorf("%s, filter %q: with --bpf-filter %q; through tcpdump %q", name, filter, gotErr, wantErr)
				}
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, filter %q: flows differ (-tcpdump | flows, +flows --bpf-filter):\n%s", name, filter, diff)
				continue
			}
			flows += len(got) - 1
			if len(got) > 1 {
				selected++
			}
		}
	}
	t.Logf("%d captures, %d capture×filter pairs (%d through a pipe, %d refused by libpcap), %d selecting flows, %d flows compared", len(captures), pairs, piped, refused, selected, flows)
}

// arithmeticRefusal reports libpcap's compile-time refusals of arithmetic
// (stages/bpf's TestCompileRefusalsAgreeWithTcpdump pins down when).
func arithmeticRefusal(msg string) bool {
	return strings.Contains(msg, "division by zero") || strings.Contains(msg, "modulus by zero") || strings.Contains(msg, "shift by more than 31 bits")
}

// isTruncationMessage is tcpdump's report of a capture that ends inside a
// record; it has written every whole record before it.
func isTruncationMessage(msg string) bool {
	return strings.Contains(msg, "truncated dump file") || strings.Contains(msg, "bogus savefile header")
}

// sweepPipe runs the literal pipeline, with this test binary as nfdataset.
func sweepPipe(t *testing.T, self, tcpdump, capture, filter string) (rows []string, failure string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "piped.csv")
	td := exec.Command(tcpdump, "-n", "--time-stamp-precision=nano", "-r", capture, "-w", "-", "--", filter)
	nf := exec.Command(self, "flows", "--n-dissections", "0", "-o", out, "-")
	nf.Env = append(os.Environ(), "NFDATASET_TEST_AS_MAIN=1")
	pipe, err := td.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	nf.Stdin = pipe
	var stderr bytes.Buffer
	nf.Stderr = &stderr
	if err := td.Start(); err != nil {
		t.Fatal(err)
	}
	nfErr := nf.Run()
	td.Wait()
	if nfErr != nil {
		return nil, fmt.Sprintf("%v: %s", nfErr, strings.TrimSpace(stderr.String()))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return wrapSeconds(strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")), ""
}
