//go:build linux

package main

import (
	"bufio"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfdataset/nfdataset/pipeline"
)

// vethPair is two network namespaces joined by a veth pair: capture on
// "a" (10.77.0.1), send from "b" (10.77.0.2). Nothing leaves them.
type vethPair struct {
	nsA, nsB   string
	ifA, ifB   string
	macA, macB net.HardwareAddr
	ipA, ipB   [4]byte
}

// newVethPair creates the namespaces, or skips the test where that is not
// possible (not root, no ip(8), no namespace support).
func newVethPair(t *testing.T) *vethPair {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates network namespaces and a veth pair")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs ip(8) from iproute2")
	}
	id := strconv.Itoa(os.Getpid() % 100000)
	v := &vethPair{nsA: "nfdA" + id, nsB: "nfdB" + id, ifA: "nfda" + id, ifB: "nfdb" + id,
		ipA: [4]byte{10, 77, 0, 1}, ipB: [4]byte{10, 77, 0, 2}}
	ip := func(args ...string) error {
		out, err := exec.Command("ip", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := ip("netns", "add", v.nsA); err != nil {
		t.Skipf("no network namespaces here: %v", err)
	}
	t.Cleanup(func() { ip("netns", "del", v.nsA) })
	if err := ip("netns", "add", v.nsB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ip("netns", "del", v.nsB) })
	steps := [][]string{
		{"link", "add", v.ifA, "netns", v.nsA, "type", "veth", "peer", "name", v.ifB, "netns", v.nsB},
		{"-n", v.nsA, "addr", "add", "10.77.0.1/24", "dev", v.ifA},
		{"-n", v.nsB, "addr", "add", "10.77.0.2/24", "dev", v.ifB},
		// No IPv6: the namespaces' own neighbour discovery would add
		// flows nobody sent.
		{"netns", "exec", v.nsA, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"},
		{"netns", "exec", v.nsB, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"},
		{"-n", v.nsA, "link", "set", v.ifA, "up"},
		{"-n", v.nsB, "link", "set", v.ifB, "up"},
		{"-n", v.nsA, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			t.Skipf("cannot build the veth pair here: %v", err)
		}
	}
	for _, side := range []struct {
		ns, ifc string
		mac     *net.HardwareAddr
	}{{v.nsA, v.ifA, &v.macA}, {v.nsB, v.ifB, &v.macB}} {
		out, err := exec.Command("ip", "netns", "exec", side.ns, "cat", "/sys/class/net/"+side.ifc+"/address").Output()
		if err != nil {
			t.Fatal(err)
		}
		if *side.mac, err = net.ParseMAC(strings.TrimSpace(string(out))); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// inNetns runs f on an OS thread moved into namespace ns; sockets f opens
// stay in ns. The thread goes back to the original namespace after.
func inNetns(t *testing.T, ns string, f func() error) error {
	t.Helper()
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	target, err := os.Open("/run/netns/" + ns)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	ferr := f()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		// Leave the thread locked: it dies with this goroutine's end
		// instead of serving others in the wrong namespace.
		return fmt.Errorf("back to the original namespace: %w", err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// injector writes whole Ethernet frames onto the b end.
type injector struct {
	fd   int
	addr unix.SockaddrLinklayer
}

func (v *vethPair) injector(t *testing.T) *injector {
	t.Helper()
	var inj injector
	err := inNetns(t, v.nsB, func() error {
		ifc, err := net.InterfaceByName(v.ifB)
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0)
		if err != nil {
			return err
		}
		inj = injector{fd: fd, addr: unix.SockaddrLinklayer{Ifindex: ifc.Index, Halen: 6}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(inj.fd) })
	return &inj
}

func (inj *injector) send(t *testing.T, frame []byte) {
	t.Helper()
	if err := unix.Sendto(inj.fd, frame, 0, &inj.addr); err != nil {
		t.Fatal(err)
	}
}

// packet is one frame of a test conversation.
type packet struct {
	proto          uint8
	src, dst       [4]byte
	sport, dport   uint16 // ICMP: type, code in sport; identifier in dport
	payload        int
	srcMAC, dstMAC net.HardwareAddr
}

// otherHost is the destination MAC of injected frames: no host has it, so
// the receiving kernel drops them (PACKET_OTHERHOST) and answers nothing;
// only the promiscuous capture sees them.
var otherHost = net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x99}

// frame builds the Ethernet/IPv4 frame of p with correct checksums.
func (p packet) frame() []byte {
	l4 := map[uint8]int{6: 20, 17: 8, 1: 8}[p.proto]
	b := make([]byte, 14+20+l4+p.payload)
	copy(b[0:6], p.dstMAC)
	copy(b[6:12], p.srcMAC)
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+l4+p.payload))
	ip[8] = 64
	ip[9] = p.proto
	copy(ip[12:16], p.src[:])
	copy(ip[16:20], p.dst[:])
	binary.BigEndian.PutUint16(ip[10:], checksum(ip[:20]))
	l := ip[20:]
	for i := 0; i < p.payload; i++ {
		l[l4+i] = byte(i)
	}
	switch p.proto {
	case 6:
		binary.BigEndian.PutUint16(l[0:], p.sport)
		binary.BigEndian.PutUint16(l[2:], p.dport)
		l[12] = 5 << 4
		l[13] = 0x18 // PSH ACK
		binary.BigEndian.PutUint16(l[14:], 65535)
	case 17:
		binary.BigEndian.PutUint16(l[0:], p.sport)
		binary.BigEndian.PutUint16(l[2:], p.dport)
		binary.BigEndian.PutUint16(l[4:], uint16(8+p.payload))
	case 1:
		l[0], l[1] = byte(p.sport>>8), byte(p.sport)
		binary.BigEndian.PutUint16(l[4:], p.dport)
		binary.BigEndian.PutUint16(l[2:], checksum(l))
	}
	return b
}

func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// flowCounts is what the test checks of each flow, keyed by its 5-tuple.
type flowCounts struct {
	Packets, Bytes               int64
	Src2DstPackets, Src2DstBytes int64
	Dst2SrcPackets, Dst2SrcBytes int64
}

// conversation is a set of test flows: the frames to send, in order, and
// the counters each flow must get (computed from the frames sent).
func (v *vethPair) conversation() ([]packet, map[string]flowCounts) {
	a, b := v.ipA, v.ipB
	up := func(proto uint8, sport, dport uint16, n int) packet {
		return packet{proto: proto, src: b, dst: a, sport: sport, dport: dport, payload: n, srcMAC: v.macB, dstMAC: otherHost}
	}
	down := func(proto uint8, sport, dport uint16, n int) packet {
		return packet{proto: proto, src: a, dst: b, sport: sport, dport: dport, payload: n, srcMAC: otherHost, dstMAC: v.macB}
	}
	var pkts []packet
	// TCP: a request and a longer answer.
	for i, n := range []int{0, 0, 0, 120, 0, 1400, 1400, 300, 0} {
		if i == 1 || i >= 5 && i <= 7 {
			pkts = append(pkts, down(6, 80, 40001, n))
		} else {
			pkts = append(pkts, up(6, 40001, 80, n))
		}
	}
	// UDP: three queries, two answers.
	for i, n := range []int{30, 80, 31, 81, 32} {
		if i%2 == 0 {
			pkts = append(pkts, up(17, 5353, 53, n))
		} else {
			pkts = append(pkts, down(17, 53, 5353, n))
		}
	}
	// ICMP: four echo requests and their replies.
	for range 4 {
		pkts = append(pkts, up(1, 8<<8, 7, 56), down(1, 0, 7, 56))
	}
	want := map[string]flowCounts{}
	for i, p := range pkts {
		key, fwd := flowKeyOf(p, pkts)
		c := want[key]
		n := int64(len(p.frame()))
		c.Packets++
		c.Bytes += n
		if fwd {
			c.Src2DstPackets++
			c.Src2DstBytes += n
		} else {
			c.Dst2SrcPackets++
			c.Dst2SrcBytes += n
		}
		want[key] = c
		_ = i
	}
	return pkts, want
}

// flowKeyOf names p's flow by its first packet's direction ("src:sport >
// dst:dport/proto"; ICMP ports are 0 as NFStream reports them) and says
// whether p goes that way.
func flowKeyOf(p packet, all []packet) (string, bool) {
	same := func(q packet) bool {
		if q.proto != p.proto {
			return false
		}
		if p.proto == 1 {
			return q.src == p.src && q.dst == p.dst || q.src == p.dst && q.dst == p.src
		}
		return q.src == p.src && q.dst == p.dst && q.sport == p.sport && q.dport == p.dport ||
			q.src == p.dst && q.dst == p.src && q.sport == p.dport && q.dport == p.sport
	}
	for _, q := range all {
		if same(q) {
			sp, dp := q.sport, q.dport
			if q.proto == 1 {
				sp, dp = 0, 0
			}
			return fmt.Sprintf("%v:%d > %v:%d/%d", net.IP(q.src[:]), sp, net.IP(q.dst[:]), dp, q.proto), q.src == p.src
		}
	}
	panic("packet not in its own list")
}

// readFlows reads a CSV of flows into counters keyed like flowKeyOf.
func readFlows(t *testing.T, r io.Reader) map[string]flowCounts {
	t.Helper()
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no CSV header")
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	num := func(row []string, c string) int64 {
		n, err := strconv.ParseInt(row[col[c]], 10, 64)
		if err != nil {
			t.Fatalf("column %s: %v", c, err)
		}
		return n
	}
	got := map[string]flowCounts{}
	for _, row := range rows[1:] {
		key := fmt.Sprintf("%s:%s > %s:%s/%s", row[col["src_ip"]], row[col["src_port"]], row[col["dst_ip"]], row[col["dst_port"]], row[col["protocol"]])
		if _, dup := got[key]; dup {
			t.Errorf("flow %s twice", key)
		}
		got[key] = flowCounts{
			Packets: num(row, "bidirectional_packets"), Bytes: num(row, "bidirectional_bytes"),
			Src2DstPackets: num(row, "src2dst_packets"), Src2DstBytes: num(row, "src2dst_bytes"),
			Dst2SrcPackets: num(row, "dst2src_packets"), Dst2SrcBytes: num(row, "dst2src_bytes"),
		}
	}
	return got
}

// nfdatasetIn runs this test binary as nfdataset inside namespace ns.
func nfdatasetIn(ns string, args ...string) *exec.Cmd {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), "NFDATASET_TEST_AS_MAIN=1")
	return cmd
}

// waitCapture waits until a promiscuous live capture on v's a end is
// ready: OpenLive raises the device's promiscuity last, after the socket
// is bound and its filter attached.
func waitCapture(t *testing.T, v *vethPair) {
	t.Helper()
	for range 200 {
		out, _ := exec.Command("ip", "-d", "-n", v.nsA, "link", "show", "dev", v.ifA).Output()
		if strings.Contains(string(out), "promiscuity 1") {
			time.Sleep(50 * time.Millisecond)
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("the capture never started")
}

// TestLiveManifestVeth builds a live manifest on one end of a veth pair
// while the test sends known TCP, UDP and ICMP flows from the other end,
// and checks every flow's packet and byte counters against the frames
// sent, with one meter, with two, and with two meters over a fanout group
// of two sockets.
func TestLiveManifestVeth(t *testing.T) {
	v := newVethPair(t)
	inj := v.injector(t)
	pkts, want := v.conversation()
	for _, c := range []struct {
		meters int
		fanout bool
	}{{1, false}, {2, false}, {2, true}} {
		meters := c.meters
		t.Run(fmt.Sprintf("n_meters=%d,fanout=%v", meters, c.fanout), func(t *testing.T) {
			dir := t.TempDir()
			manifest := filepath.Join(dir, "live.toml")
			text := fmt.Sprintf(`[dataset]
name = "veth"

[[input]]
interface = %q
name = "veth"
duration = "4s"
performance_report = 1
fanout = %v

[streamer]
n_meters = %d
bpf_filter = "ip"

[output]
path = "out"
format = "csv"
`, v.ifA, c.fanout, meters)
			if err := os.WriteFile(manifest, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			reports := filepath.Join(dir, "reports.jsonl")
			cmd := nfdatasetIn(v.nsA, "build", "--report-json", reports, manifest)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitCapture(t, v)
			for _, p := range pkts {
				inj.send(t, p.frame())
			}
			// IPv6 neighbour discovery and the like are not IPv4: the
			// filter keeps them out. What is left is what we sent.
			if err := cmd.Wait(); err != nil {
				t.Fatalf("build: %v\n%s", err, stderr.String())
			}
			in := liveCSVDataset(t, filepath.Join(dir, "out"), want)
			checkReports(t, reports, stderr.String(), int64(len(want)), uint64(len(pkts)))
			live := in.Stats.Live
			if live.Interface != v.ifA || live.EndedBy != "duration" || live.KernelDropped != 0 ||
				live.Received != in.Stats.Frames || in.Stats.Frames != uint64(len(pkts)) {
				t.Errorf("dataset.json live input: %+v, frames %d (sent %d)", live, in.Stats.Frames, len(pkts))
			}
			if wantSockets := map[bool]int{false: 0, true: 2}[c.fanout]; live.FanoutSockets != wantSockets {
				t.Errorf("dataset.json: %d fanout sockets, want %d", live.FanoutSockets, wantSockets)
			}
		})
	}
}

// TestLiveQuietLink: with idle_timeout = 1 a flow whose traffic stops
// comes out within idle_timeout plus one tick while the capture goes on
// (flows IFACE writing CSV to a pipe, flushed on every tick).
func TestLiveQuietLink(t *testing.T) {
	v := newVethPair(t)
	inj := v.injector(t)
	cmd := nfdatasetIn(v.nsA, "flows", "--idle-timeout", "1", "--n-dissections", "0", "--bpf-filter", "udp", "--duration", "20s", v.ifA)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitCapture(t, v)
	p := packet{proto: 17, src: v.ipB, dst: v.ipA, sport: 7000, dport: 7001, payload: 10, srcMAC: v.macB, dstMAC: otherHost}
	var last time.Time
	for i := range 3 {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		inj.send(t, p.frame())
		last = time.Now()
	}
	const limit = time.Second + time.Second // idle_timeout + one tick
	deadline := time.After(limit + 2*time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("flows ended before the flow came out: %s", stderr.String())
			}
			if !strings.Contains(line, ",7000,") {
				continue // the header
			}
			took := time.Since(last)
			t.Logf("flow out %v after its last packet (limit %v)", took.Round(time.Millisecond), limit)
			if took > limit+250*time.Millisecond { // scheduling slack of the pipe and the ring's block timeout
				t.Errorf("flow came out %v after its last packet, want ≤ %v", took, limit)
			}
			if took < time.Second-10*time.Millisecond { // times are whole milliseconds
				t.Errorf("flow came out %v after its last packet, before idle_timeout", took)
			}
			if !strings.Contains(line, ",3,") {
				t.Errorf("flow line %q: want 3 packets", line)
			}
			return
		case <-deadline:
			t.Fatalf("no flow %v after the link went quiet (capture still running): %s", limit+2*time.Second, stderr.String())
		}
	}
}

// rollingManifest writes a live Parquet manifest cut every second.
func rollingManifest(t *testing.T, v *vethPair) (manifest, out string) {
	t.Helper()
	dir := t.TempDir()
	manifest = filepath.Join(dir, "rolling.toml")
	text := fmt.Sprintf(`[dataset]
name = "rolling"

[[input]]
interface = %q

[streamer]
idle_timeout = 1
bpf_filter = "udp"

[output]
path = "out"
format = "parquet"
rotate_interval = "1s"
`, v.ifA)
	if err := os.WriteFile(manifest, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return manifest, filepath.Join(dir, "out")
}

// datasetState reads dataset.json and runs verify on the directory.
func datasetState(t *testing.T, out string) (complete *bool, rows int64, files int) {
	t.Helper()
	prov, err := pipeline.ReadProvenance(filepath.Join(out, pipeline.ProvenanceFile))
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := pipeline.Verify(out, "")
	if err != nil || len(diffs) > 0 {
		t.Errorf("verify %s: %v %v", out, err, diffs)
	}
	// Nothing half-written under a final name: every part reads.
	if _, err := pipeline.ReadDataset(out); err != nil {
		t.Errorf("reading the listed parts: %v", err)
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != ".cache" {
			t.Errorf("%s left in the dataset directory", e.Name())
		}
	}
	return prov.Complete, prov.Rows, len(prov.Files)
}

// TestLiveRollingSignals runs a rotating Parquet capture while one-packet
// UDP flows arrive, checks that the parts finished so far are listed and
// verify while the capture runs, then ends it with SIGINT (clean finish,
// exit 0, every flow), a second signal (exit 130, "interrupted", finished
// parts still valid) or SIGKILL (finished parts valid, nothing
// half-written under a final name).
func TestLiveRollingSignals(t *testing.T) {
	v := newVethPair(t)
	inj := v.injector(t)
	for _, how := range []string{"sigint", "sigint and sigterm", "sigkill"} {
		t.Run(how, func(t *testing.T) {
			manifest, out := rollingManifest(t, v)
			cmd := nfdatasetIn(v.nsA, "build", manifest)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			waitCapture(t, v)
			sent := 0
			send := func(n int) {
				for range n {
					p := packet{proto: 17, src: v.ipB, dst: v.ipA, sport: uint16(20000 + sent), dport: 9, payload: 20, srcMAC: v.macB, dstMAC: otherHost}
					inj.send(t, p.frame())
					sent++
					time.Sleep(200 * time.Millisecond)
				}
			}
			send(10) // 2 s: idle 1 s + tick + rotation 1 s finish at least one part
			time.Sleep(2500 * time.Millisecond)
			complete, rows, files := datasetState(t, out)
			if complete == nil || *complete || files == 0 || rows == 0 {
				t.Fatalf("while capturing: complete %v, %d rows in %d parts; want finished parts and complete false", complete, rows, files)
			}
			t.Logf("while capturing: %d rows in %d parts", rows, files)
			send(3)
			switch how {
			case "sigint":
				cmd.Process.Signal(os.Interrupt)
				if err := cmd.Wait(); err != nil {
					t.Fatalf("build after SIGINT: %v\n%s", err, stderr.String())
				}
				complete, rows, _ := datasetState(t, out)
				if complete == nil || !*complete || rows != int64(sent) {
					t.Errorf("after SIGINT: complete %v, %d rows; want complete and %d", complete, rows, sent)
				}
			case "sigint and sigterm":
				// Two different signals: two of one kind sent at once may
				// reach the process as one.
				cmd.Process.Signal(os.Interrupt)
				cmd.Process.Signal(syscall.SIGTERM)
				err := cmd.Wait()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted") {
					t.Fatalf("after SIGINT and SIGTERM: %v, stderr %q; want exit 130 and \"interrupted\"", err, stderr.String())
				}
				complete, _, files2 := datasetState(t, out)
				if complete == nil || *complete || files2 < files {
					t.Errorf("after abort: complete %v, %d parts (had %d)", complete, files2, files)
				}
			case "sigkill":
				cmd.Process.Kill()
				cmd.Wait()
				complete, _, files2 := datasetState(t, out)
				if complete == nil || *complete || files2 < files {
					t.Errorf("after SIGKILL: complete %v, %d parts (had %d)", complete, files2, files)
				}
			}
		})
	}
}

// TestLiveTcpreplay replays a corpus capture into the veth pair with
// tcpreplay and compares the live flows with `flows` on the same file:
// the same 5-tuples with the same packet and byte counters (times differ).
func TestLiveTcpreplay(t *testing.T) {
	tcpreplay, err := exec.LookPath("tcpreplay")
	if err != nil {
		t.Skip("tcpreplay not installed (apt-get install tcpreplay)")
	}
	capture, _ := filepath.Abs("../../../shared/corpus/nfstream/pcaps/skype_no_unknown.pcap")
	if _, err := os.Stat(capture); err != nil {
		t.Skipf("corpus not found (%v)", err)
	}
	var want strings.Builder
	offline := exec.Command(os.Args[0], "flows", "--n-dissections", "0", capture)
	offline.Env = append(os.Environ(), "NFDATASET_TEST_AS_MAIN=1")
	offline.Stdout = &want
	if err := offline.Run(); err != nil {
		t.Fatal(err)
	}
	wantFlows := readFlows(t, strings.NewReader(want.String()))
	if len(wantFlows) < 200 {
		t.Fatalf("only %d flows in the capture", len(wantFlows))
	}
	// With --fanout the kernel spreads the frames over two sockets by flow
	// hash, so each flow is still metered whole by one meter.
	for _, flags := range [][]string{{"--n-meters", "1"}, {"--n-meters", "2", "--fanout"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			v := newVethPair(t)
			args := append([]string{"flows", "--n-dissections", "0", "--duration", "6s"}, flags...)
			cmd := nfdatasetIn(v.nsA, append(args, v.ifA)...)
			var got, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &got, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitCapture(t, v)
			// 2,146 frames at 20,000 per second: well below what the pair loses.
			replay := exec.Command("ip", "netns", "exec", v.nsB, tcpreplay, "-q", "--pps", "20000", "-i", v.ifB, capture)
			if out, err := replay.CombinedOutput(); err != nil {
				t.Fatalf("tcpreplay: %v\n%s", err, out)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("flows: %v\n%s", err, stderr.String())
			}
			gotFlows := readFlows(t, strings.NewReader(got.String()))
			if d := cmp.Diff(wantFlows, gotFlows); d != "" {
				t.Errorf("flows (-file +live):\n%s", d)
			}
		})
	}
}

// checkReports reads the performance reports: one per second while the
// capture ran, each per-meter balance adding up to the packets processed,
// counters that never go back, and a last report with every flow and
// packet sent; the same JSON objects went to stderr.
func checkReports(t *testing.T, path, stderr string, flows int64, packets uint64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 3 {
		t.Fatalf("%d reports in 4 s of capture, want one a second and a last one:\n%s", len(lines), b)
	}
	var prev pipeline.PerfReport
	for i, line := range lines {
		var r pipeline.PerfReport
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		if r.FlowsExpired < prev.FlowsExpired || r.PacketsProcessed < prev.PacketsProcessed {
			t.Errorf("report %d goes back: %+v after %+v", i, r, prev)
		}
		if i < len(lines)-1 {
			var sum uint64
			for _, n := range r.MetersPacketsProcessingBalance {
				sum += n
			}
			if sum != r.PacketsProcessed || len(r.MetersPacketsProcessingBalance) == 0 {
				t.Errorf("report %d: balance %v does not add up to %d", i, r.MetersPacketsProcessingBalance, r.PacketsProcessed)
			}
			if !strings.Contains(stderr, line) {
				t.Errorf("report %d not on stderr", i)
			}
		}
		if r.PacketsDroppedFilteredByKernel != 0 {
			t.Errorf("report %d: kernel drops %d", i, r.PacketsDroppedFilteredByKernel)
		}
		prev = r
	}
	if prev.FlowsExpired != flows || prev.PacketsProcessed != packets || prev.PacketsIgnored != 0 {
		t.Errorf("last report %+v, want %d flows and %d packets", prev, flows, packets)
	}
}

// TestLiveFlowsRotatingDir: `flows IFACE --format parquet -o DIR
// --rotate-interval 1s` writes the rolling layout of a live build without
// a manifest: finished parts listed in dataset.json and verifiable while
// the capture runs; after SIGINT the dataset is complete with every flow.
func TestLiveFlowsRotatingDir(t *testing.T) {
	v := newVethPair(t)
	inj := v.injector(t)
	out := filepath.Join(t.TempDir(), "out")
	cmd := nfdatasetIn(v.nsA, "flows", "--idle-timeout", "1", "--n-dissections", "0", "--bpf-filter", "udp",
		"--format", "parquet", "-o", out, "--rotate-interval", "1s", v.ifA)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitCapture(t, v)
	sent := 0
	send := func(n int) {
		for range n {
			p := packet{proto: 17, src: v.ipB, dst: v.ipA, sport: uint16(21000 + sent), dport: 9, payload: 20, srcMAC: v.macB, dstMAC: otherHost}
			inj.send(t, p.frame())
			sent++
			time.Sleep(200 * time.Millisecond)
		}
	}
	send(10)
	time.Sleep(2500 * time.Millisecond)
	complete, rows, files := datasetState(t, out)
	if complete == nil || *complete || files == 0 || rows == 0 {
		t.Fatalf("while capturing: complete %v, %d rows in %d parts; want finished parts and complete false", complete, rows, files)
	}
	send(3)
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("flows after SIGINT: %v\n%s", err, stderr.String())
	}
	complete, rows, files2 := datasetState(t, out)
	if complete == nil || !*complete || rows != int64(sent) || files2 <= files {
		t.Errorf("after SIGINT: complete %v, %d rows in %d parts; want complete, %d rows, more than %d parts", complete, rows, files2, sent, files)
	}
}

// TestLiveInterfaceDown: the capturing interface is set down in the middle
// of a live build with no stop condition. The build ends by itself, exits
// 0, keeps every flow sent before, and dataset.json says why it ended;
// with one socket and with a fanout group of two.
func TestLiveInterfaceDown(t *testing.T) {
	for _, fanout := range []bool{false, true} {
		t.Run(fmt.Sprintf("fanout=%v", fanout), func(t *testing.T) { liveInterfaceDown(t, fanout) })
	}
}

func liveInterfaceDown(t *testing.T, fanout bool) {
	v := newVethPair(t)
	inj := v.injector(t)
	pkts, want := v.conversation()
	dir := t.TempDir()
	manifest := filepath.Join(dir, "live.toml")
	text := fmt.Sprintf(`[dataset]
name = "down"

[[input]]
interface = %q
name = "down"
fanout = %v

[streamer]
bpf_filter = "ip"
n_meters = 2

[output]
path = "out"
format = "csv"
`, v.ifA, fanout)
	if err := os.WriteFile(manifest, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := nfdatasetIn(v.nsA, "build", manifest)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitCapture(t, v)
	for _, p := range pkts {
		inj.send(t, p.frame())
	}
	time.Sleep(300 * time.Millisecond)
	if out, err := exec.Command("ip", "-n", v.nsA, "link", "set", v.ifA, "down").CombinedOutput(); err != nil {
		t.Fatalf("ip link set down: %v: %s", err, out)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("build after the interface went down: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("build still running 20 s after the interface went down\n%s", stderr.String())
	}
	in := liveCSVDataset(t, filepath.Join(dir, "out"), want)
	if wantEnd := "interface " + v.ifA + " went down"; in.Stats.Live.EndedBy != wantEnd {
		t.Errorf("dataset.json: live input ended by %q, want %q", in.Stats.Live.EndedBy, wantEnd)
	}
}

// liveCSVDataset checks a finished one-input live CSV build in out: its
// flows are want, dataset.json says complete; it returns the live input.
func liveCSVDataset(t *testing.T, out string, want map[string]flowCounts) pipeline.InputInfo {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "part-00000.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if d := cmp.Diff(want, readFlows(t, f)); d != "" {
		t.Errorf("flows (-sent +captured):\n%s", d)
	}
	prov, err := pipeline.ReadProvenance(filepath.Join(out, pipeline.ProvenanceFile))
	if err != nil {
		t.Fatal(err)
	}
	if prov.Complete == nil || !*prov.Complete || len(prov.Inputs) != 1 || prov.Inputs[0].Stats.Live == nil {
		t.Fatalf("dataset.json: complete %v, inputs %+v; want complete and one live input", prov.Complete, prov.Inputs)
	}
	return prov.Inputs[0]
}
