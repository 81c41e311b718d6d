package bpf

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// randomExpression writes a random expression of the supported grammar,
// with bare values that inherit qualifiers, "not" in both positions,
// parentheses and vlan, drawing addresses and ports that occur in the
// test frames.
func randomExpression(rng *rand.Rand, depth int) string {
	hosts4 := []string{"10.0.0.1", "10.0.0.2", "192.168.1.34", "10.8.8.130", "0.0.0.0", "255.255.255.255"}
	hosts6 := []string{"2001:db8::1", "fe80::1", "::1", "2a00:1450:4007:80a::200e"}
	nets := []string{"10", "192.168", "10.0.0.0/8", "192.168.0.0 mask 255.255.0.0", "fe80::/10", "2a00::/12", "0.0.0.0/0"}
	ports := []string{"53", "80", "443", "1234", "5353", "0x50"}
	dirs := []string{"", "src ", "dst ", "src or dst ", "src and dst "}
	value := func(kind string) string {
		switch kind {
		case "host":
			if rng.IntN(3) == 0 {
				return hosts6[rng.IntN(len(hosts6))]
			}
			return hosts4[rng.IntN(len(hosts4))]
		case "net":
			return nets[rng.IntN(len(nets))]
		case "port":
			return ports[rng.IntN(len(ports))]
		case "portrange":
			a, b := rng.IntN(2000), rng.IntN(2000)
			return fmt.Sprintf("%d-%d", a, b)
		}
		return []string{"6", "17", "1", "58", "44", "132", `\tcp`, `\udp`}[rng.IntN(8)]
	}
	primitive := func() string {
		switch rng.IntN(9) {
		case 0:
			return []string{"ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "sctp"}[rng.IntN(8)]
		case 1:
			if rng.IntN(2) == 0 {
				return "vlan"
			}
			return fmt.Sprintf("vlan %d", []int{10, 20, 30, 7}[rng.IntN(4)])
		case 2:
			return []string{"", "ip ", "ip6 "}[rng.IntN(3)] + "proto " + value("proto")
		}
		kind := []string{"host", "net", "port", "portrange", "host", "port"}[rng.IntN(6)]
		qual := dirs[rng.IntN(len(dirs))]
		if kind == "port" || kind == "portrange" {
			qual = []string{"", "tcp ", "udp "}[rng.IntN(3)] + qual
		}
		v := value(kind)
		if kind == "host" && !strings.Contains(v, ":") && rng.IntN(4) == 0 {
			qual = []string{"ip ", "arp "}[rng.IntN(2)] + qual
		}
		if kind == "host" && strings.Contains(v, ":") && rng.IntN(4) == 0 {
			qual = "ip6 " + qual
		}
		if kind == "net" && strings.Contains(v, ":") && qual == "" && rng.IntN(2) == 0 {
			qual = "ip6 "
		}
		expr := qual + kind + " " + v
		// Bare values inheriting the qualifiers.
		for rng.IntN(3) == 0 {
			w := value(kind)
			if kind == "net" || kind == "host" {
				w = value("host")
				if strings.Contains(w, ":") != strings.Contains(v, ":") {
					continue
				}
			}
			expr += []string{" or ", " and not ", " || "}[rng.IntN(3)] + w
		}
		return expr
	}
	if depth <= 0 || rng.IntN(3) == 0 {
		return primitive()
	}
	switch rng.IntN(5) {
	case 0:
		return []string{"not ", "!"}[rng.IntN(2)] + randomExpression(rng, depth-1)
	case 1:
		return "(" + randomExpression(rng, depth-1) + ")"
	}
	op := []string{" and ", " or ", " && ", " || "}[rng.IntN(4)]
	return randomExpression(rng, depth-1) + op + randomExpression(rng, depth-1)
}

// TestRandomExpressionsAgreeWithTcpdump compares random expressions on
// synthetic frames of six link types and on the VLAN captures.
func TestRandomExpressionsAgreeWithTcpdump(t *testing.T) {
	tcpdump := needTcpdump(t)
	if testing.Short() {
		t.Skip("slow: runs tcpdump a few hundred times")
	}
	// NFDATASET_BPF_RANDOM="SEED COUNT DEPTH" runs a longer search.
	seed, count, depth := uint64(7), 60, 3
	if env := os.Getenv("NFDATASET_BPF_RANDOM"); env != "" {
		if _, err := fmt.Sscan(env, &seed, &count, &depth); err != nil {
			t.Fatalf("NFDATASET_BPF_RANDOM=%q: want \"SEED COUNT DEPTH\": %v", env, err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	var exprs []string
	for len(exprs) < count {
		e := randomExpression(rng, depth)
		if _, err := Compile(e); err != nil {
			// The generator may combine qualifiers libpcap rejects too
			// ("arp host ::1"); only valid expressions are compared.
			continue
		}
		exprs = append(exprs, e)
	}
	packets := syntheticFrames(t)
	captures := []string{sharedFile(t, "spec/golden/synthetic/vlan.pcap"), sharedFile(t, "corpus/nfstream/pcaps/mongodb.pcap")}
	for _, lt := range []uint32{linkTypeEthernet, linkTypeLinuxSLL, linkTypeNull, linkTypeRaw, linkTypeIPv4, linkTypeIPv6} {
		var frames [][]byte
		for i, p := range packets {
			var vlans []uint16
			if lt == linkTypeEthernet && i%3 != 0 {
				vlans = []uint16{10, 20}[:i%3]
			}
			if fr, ok := encapsulate(lt, p, vlans...); ok {
				frames = append(frames, fr)
			}
		}
		path := filepath.Join(t.TempDir(), fmt.Sprintf("random%d.pcap", lt))
		if err := writePcap(path, lt, frames); err != nil {
			t.Fatal(err)
		}
		captures = append(captures, path)
	}
	pairs, agreed := 0, 0
	for _, c := range captures {
		pairs += len(exprs)
		agreed += compareWithTcpdump(t, tcpdump, c, exprs)
	}
	t.Logf("%d of %d random capture×expression pairs agree with tcpdump", agreed, pairs)
}

// randomArith writes an arithmetic expression of libpcap's grammar over
// packet bytes, lengths, constants and named offsets.
func randomArith(rng *rand.Rand, depth int) string {
	if depth <= 0 || rng.IntN(3) == 0 {
		switch rng.IntN(6) {
		case 0:
			return []string{"0", "1", "2", "4", "5", "13", "0x1fff", "0xf", "255", "1500", "-1", "0x40000"}[rng.IntN(12)]
		case 1:
			return []string{"len", "tcpflags", "tcp-syn", "tcp-ack", "tcp-fin|tcp-rst", "icmptype", "icmp-echo", "icmp6type", "icmp6-echo"}[rng.IntN(9)]
		}
		proto := []string{"ether", "link", "ip", "ip6", "arp", "tcp", "udp", "sctp", "icmp", "icmp6"}[rng.IntN(10)]
		index := []string{"0", "1", "2", "6", "9", "12", "13", "14", "20", "40"}[rng.IntN(10)]
		if rng.IntN(4) == 0 {
			index = randomArith(rng, depth-1)
		}
		size := []string{"", ":1", ":2", ":4"}[rng.IntN(4)]
		return proto + "[" + index + size + "]"
	}
	if rng.IntN(8) == 0 {
		return "-" + randomArith(rng, depth-1)
	}
	if rng.IntN(4) == 0 {
		return "(" + randomArith(rng, depth-1) + ")"
	}
	op := []string{"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"}[rng.IntN(10)]
	y := randomArith(rng, depth-1)
	if (op == "<<" || op == ">>") && rng.IntN(2) == 0 {
		y = []string{"1", "4", "31", "ip[0]"}[rng.IntN(4)]
	}
	return randomArith(rng, depth-1) + " " + op + " " + y
}

// randomNewPrimitive writes a primitive of the grammar beyond hosts,
// ports and protocols: relations, len, greater/less, MAC addresses,
// ether proto, broadcast and multicast.
func randomNewPrimitive(rng *rand.Rand) string {
	switch rng.IntN(6) {
	case 0:
		return []string{"greater", "less"}[rng.IntN(2)] + " " + []string{"60", "100", "200", "576", "1500"}[rng.IntN(5)]
	case 1:
		return []string{"ether broadcast", "ether multicast", "ip multicast", "ip6 multicast", "broadcast", "multicast", "ip broadcast"}[rng.IntN(7)]
	case 2:
		mac := []string{"ff:ff:ff:ff:ff:ff", "00:01:02:03:04:05", "01:00:5e:00:00:fb", "33:33:00:00:00:01", "06:07:08:09:0a:0b"}[rng.IntN(5)]
		return "ether " + []string{"", "src ", "dst ", "host ", "src host "}[rng.IntN(5)] + mac
	case 3:
		return "ether proto " + []string{"0x800", "0x86dd", "0x806", "\\ip", "\\arp"}[rng.IntN(5)]
	}
	rel := []string{"=", "==", "!=", "<", "<=", ">", ">="}[rng.IntN(7)]
	return randomArith(rng, 2) + " " + rel + " " + randomArith(rng, 1)
}

// randomFullExpression is randomExpression with the primitives of
// randomNewPrimitive mixed in.
func randomFullExpression(rng *rand.Rand, depth int) string {
	if depth <= 0 || rng.IntN(3) == 0 {
		if rng.IntN(2) == 0 {
			return randomNewPrimitive(rng)
		}
		return randomExpression(rng, 0)
	}
	switch rng.IntN(5) {
	case 0:
		return []string{"not ", "!"}[rng.IntN(2)] + randomFullExpression(rng, depth-1)
	case 1:
		return "(" + randomFullExpression(rng, depth-1) + ")"
	}
	op := []string{" and ", " or ", " && ", " || "}[rng.IntN(4)]
	return randomFullExpression(rng, depth-1) + op + randomFullExpression(rng, depth-1)
}

// randomFilters returns n distinct expressions of randomFullExpression
// that compile.
func randomFilters(seed uint64, n, depth int) []string {
	rng := rand.New(rand.NewPCG(seed, 13))
	seen := map[string]bool{}
	var out []string
	for tries := 0; len(out) < n && tries < 100*n; tries++ {
		e := randomFullExpression(rng, depth)
		if _, err := Compile(e); err != nil || seen[e] {
			continue
		}
		seen[e] = true
		out = append(out, e)
	}
	return out
}
