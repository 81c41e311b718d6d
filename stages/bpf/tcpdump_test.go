package bpf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests in this file take tcpdump (libpcap) as the independent truth:
// for each capture and filter, the frames Match accepts must be exactly
// the frames "tcpdump -r FILE -w OUT FILTER" writes. They skip when
// tcpdump or the shared corpus is missing; CI installs tcpdump.

// sharedDir is the team's shared reference material, beside the
// repository; tests run in the package directory.
const sharedDir = "../../../shared"

// corpusCaptures cover every link type in the corpus (Ethernet, Linux SLL,
// NULL, raw IP, PPP, Cisco HDLC), VLAN tags, IPv6, ARP, IPv4 fragments,
// pcapng files and damaged packets.
var corpusCaptures = []string{
	"corpus/nfstream/pcaps/BGP_Cisco_hdlc_slarp.pcap", // PPP
	"corpus/nfstream/pcaps/BGP_redist.pcap",           // Cisco HDLC
	"corpus/nfstream/pcaps/KakaoTalk_chat.pcap",       // Linux SLL
	"corpus/nfstream/pcaps/mdns.pcap",                 // Linux SLL, IPv6
	"corpus/nfstream/pcaps/reasm_crash_anon.pcapng",   // Linux SLL, pcapng
	"corpus/nfstream/pcaps/nats.pcap",                 // NULL
	"corpus/nfstream/pcaps/raw.pcap",                  // raw IP
	"corpus/nfstream/pcaps/4in4tunnel.pcap",           // VLAN
	"corpus/nfstream/pcaps/ajp.pcap",                  // VLAN
	"corpus/nfstream/pcaps/mongodb.pcap",              // VLAN
	"corpus/nfstream/pcaps/cpha.pcap",                 // VLAN
	"corpus/nfstream/pcaps/6in6tunnel.pcap",           // IPv6 in IPv6
	"corpus/nfstream/pcaps/http_ipv6.pcap",            // IPv6
	"corpus/nfstream/pcaps/anyconnect-vpn.pcap",       // ICMPv6
	"corpus/nfstream/pcaps/alexa-app.pcapng",          // pcapng, ARP, IPv6
	"corpus/nfstream/pcaps/skype.pcap",                // ARP
	"corpus/nfstream/pcaps/ip_fragmented_garbage.pcap",
	"corpus/nfstream/pcaps/dnscrypt-v1-and-resolver-pings.pcap", // fragments, ICMP
	"corpus/nfstream/pcaps/badpackets.pcap",
	"corpus/nfstream/pcaps/malformed_icmp.pcap",
	"corpus/nfstream/pcaps/dhcp.pcapng",
	"spec/golden/synthetic/vlan.pcap",
	"spec/golden/synthetic/frag.pcap",
	"spec/golden/synthetic/trunc.pcap",
	"spec/golden/synthetic/null.pcap",
}

// comparisonFilters are checked on every capture; hostFilters adds
// filters built from addresses seen in each capture.
var comparisonFilters = []string{
	"ip", "ip6", "arp", "tcp", "udp", "sctp", "icmp", "icmp6", "not ip", "not ip6 and not ip",
	"port 53", "port 80 or 443", "tcp port 443", "udp port 53 or 5353", "tcp src port 80",
	"dst port 53", "src and dst port 53", "src or dst port 443", "portrange 1-1023",
	"udp portrange 5000-6000", "tcp dst portrange 8000-9000", "not port 53", "sctp port 80",
	"proto 6", "ip proto 17", "ip6 proto 58", `ip6 proto \udp`, "ip proto \\tcp or \\udp", "proto 44",
	"net 0.0.0.0/0", "ip6 net ::/0", "net 10", "net 192.168", "src net 192.168.0.0/16",
	"dst net 172.16.0.0/12", "net 224.0.0.0 mask 240.0.0.0", "ip net 10.0.0.0/8", "arp net 10.0.0.0/8",
	"ip6 net fe80::/10", "dst net ff00::/8",
	"vlan", "vlan 10", "vlan and ip", "vlan and host 10.0.0.1", "not vlan", "vlan and vlan",
	"vlan 10 and vlan 20 and udp", "ip or vlan and ip", "vlan and (tcp or udp) and port 53",
	"not vlan and ip", "vlan 30 or port 6",
	"tcp and not port 443 or udp and not port 53", "not (tcp or udp)", "! tcp && ! udp",
	"(tcp or udp) and not (port 53 or port 443)", "icmp or icmp6 or arp",
	"tcp and (port 80 or 443 or 8080) and not src net 10",
	// libpcap's arithmetic, relations, named offsets and lengths.
	"tcp[13] & 2 != 0", "tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"ip[6:2] & 0x1fff != 0", "ip[0] & 0xf != 5", "ip[2:2] > 576", "udp[4:2] - 8 > 100",
	"tcp[12] >> 4 > 5", "ip[8] * 2 < 100", "ip[9] % 7 == 3", "icmp[icmptype] == icmp-echo",
	"icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply", "icmp6",
	"greater 200", "less 100", "len > 200", "len <= 60 and udp", "len - 14 >= 1000",
	"ether broadcast", "ether multicast", "ip multicast", "ip6 multicast", "not ether multicast and ip",
	// Found by the flows-level sweep: libpcap drops a binary operator's
	// right-hand protocol tests; after "and", a number before an operator
	// starts a relation, not a bare value.
	"ip[16:1] << udp[0:1] = 0", "udp[0:1] + ip[16:1] > 0", "8 >= (ip[16:1] << udp[0:1])", "tcp[0] - icmp[0] != 7",
	"ip[tcp[0] & 3] != 0x45", "tcp and (13 <= len)", "(len > 1000) and (13 <= len)", "port 53 or 100 < len",
	"udp and not (tcpflags ^ len) = 1",
	// libpcap's optimizer folds "x * 0", "x & 0" and "0 op y" (op * / % &
	// << >>) to 0 and deletes the loads they no longer need, so a short
	// frame is not rejected by them; the left operand's protocol tests stay.
	"0 / icmp[200:4] = 0", "ip[200:4] * 0 = 0", "ip[200:4] & 0 = 0 and udp", "0 * ip[200:4] = 0",
	"(ip[200:4] * 0) + 1 = 1", "0 - ip[200:4] = 0", "ip[200:4] + 0 = 0", "0 << tcp[31:4] = 0 or icmp",
	"tcp[ip[300] * 0] = 0", "((2 >> tcp-syn) / icmp[icmp[8:1]:4]) >= (2 % tcp[tcp[40:2]:1]) or portrange 1-1023",
}

func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join(sharedDir, rel)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not found: the shared corpus is not checked out next to the repository", path)
	}
	return path
}

func needTcpdump(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not on PATH: install it (apt-get install tcpdump) to compare with libpcap")
	}
	return path
}

// tcpdumpSelect runs tcpdump over capture with filter. refused is set when
// libpcap will not compile the filter for this link type (vlan on a link
// type without 802.1Q, a filter that rejects every packet); then nothing
// matches.
func tcpdumpSelect(t *testing.T, tcpdump, capture, filter string) (selected []capturedFrame, refused string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.pcap")
	cmd := exec.Command(tcpdump, "-n", "-r", capture, "-w", out, "--", filter)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		for _, known := range []string{"expression rejects all packets", "no VLAN support for", "not a broadcast link", "link-layer multicast filters supported only on"} {
			if strings.Contains(msg, known) {
				return nil, msg
			}
		}
		t.Fatalf("tcpdump -r %s %q: %v: %s", capture, filter, err, msg)
	}
	frames, err := readCapture(out)
	if err != nil {
		t.Fatalf("reading tcpdump output: %v", err)
	}
	return frames, ""
}

// compareWithTcpdump checks one capture against every filter and returns
// how many filters agreed.
func compareWithTcpdump(t *testing.T, tcpdump, capture string, filters []string) (agreed int) {
	t.Helper()
	// tcpdump writes classic pcap with microsecond timestamps; rewriting
	// the input the same way first makes both sides read identical
	// records (pcapgo's pcapng timestamps can differ from libpcap's).
	all, _ := tcpdumpSelect(t, tcpdump, capture, "")
	var frames []capturedFrame
	frames = append(frames, all...)
	name := filepath.Base(capture)
	capture = filepath.Join(t.TempDir(), "input.pcap")
	if err := writeFrames(capture, frames); err != nil {
		t.Fatal(err)
	}
	for _, expr := range filters {
		f, err := Compile(expr)
		if err != nil {
			t.Errorf("Compile(%q): %v", expr, err)
			continue
		}
		want, refused := tcpdumpSelect(t, tcpdump, capture, expr)
		var got []capturedFrame
		for _, fr := range frames {
			if f.Match(fr.linkType, fr.data, fr.wireLen) {
				got = append(got, fr)
			}
		}
		if diff := diffSelections(frames, got, want); diff != "" {
			if refused != "" {
				diff += " (tcpdump: " + refused + ")"
			}
			t.Errorf("%s, filter %q: Match and tcpdump disagree: %s", name, expr, diff)
			continue
		}
		agreed++
	}
	return agreed
}

// diffSelections describes the first difference between our selection and
// tcpdump's, naming the frame by its 1-based index in the capture.
func diffSelections(all, got, want []capturedFrame) string {
	same := func(a, b capturedFrame) bool { return a.micros == b.micros && bytes.Equal(a.data, b.data) }
	i, j := 0, 0
	for _, fr := range all {
		inGot := i < len(got) && same(got[i], fr)
		inWant := j < len(want) && same(want[j], fr)
		if inGot != inWant {
			idx := 0
			for k := range all {
				if same(all[k], fr) {
					idx = k + 1
					break
				}
			}
			return fmt.Sprintf("frame %d (%d bytes, link type %d): Match=%v tcpdump=%v; %d selected vs %d; frame % x",
				idx, len(fr.data), fr.linkType, inGot, inWant, len(got), len(want), fr.data[:min(len(fr.data), 64)])
		}
		if inGot {
			i++
		}
		if inWant {
			j++
		}
	}
	if i != len(got) || j != len(want) {
		return fmt.Sprintf("%d selected vs %d", len(got), len(want))
	}
	return ""
}

// hostFilters builds filters from the first IPv4 and IPv6 source and
// destination addresses in frames, so host tests select something.
func hostFilters(frames []capturedFrame) []string {
	var filters []string
	ip, _ := Compile("ip")
	ip6, _ := Compile("ip6")
	var have4, have6 bool
	for _, fr := range frames {
		l := layoutOf(fr.linkType)
		n := l.netOffset
		if !have4 && ip.Match(fr.linkType, fr.data, fr.wireLen) && len(fr.data) >= n+20 {
			have4 = true
			src := ipv4String(binary.BigEndian.Uint32(fr.data[n+12:]))
			dst := ipv4String(binary.BigEndian.Uint32(fr.data[n+16:]))
			filters = append(filters, "host "+src, "src host "+src, "dst host "+dst, "host "+src+" or "+dst,
				"ip host "+dst+" and not "+src, "arp host "+src, "not host "+src,
				"src and dst host "+src, "host "+src+" and tcp port 443 or udp and dst "+dst,
				"src net "+ipv4String(binary.BigEndian.Uint32(fr.data[n+12:])&0xffff0000)+" mask 255.255.0.0", "dst "+dst)
			if first, _, ok := strings.Cut(src, "."); ok {
				filters = append(filters, "host "+first+".0", "net "+first)
			}
		}
		if !have6 && ip6.Match(fr.linkType, fr.data, fr.wireLen) && len(fr.data) >= n+40 {
			have6 = true
			var a [16]byte
			copy(a[:], fr.data[n+8:])
			src := netip.AddrFrom16(a).String()
			copy(a[:], fr.data[n+24:])
			dst := netip.AddrFrom16(a).String()
			for i := 8; i < 16; i++ {
				a[i] = 0
			}
			dstNet := netip.AddrFrom16(a).String() + "/64"
			filters = append(filters, "host "+src, "ip6 src host "+src, "dst "+dst, "host "+src+" or "+dst,
				"net "+dstNet, "ip6 and not dst net "+dstNet, "host "+src+" and (udp or tcp port 443)")
		}
	}
	return filters
}

func TestMatchAgreesWithTcpdumpOnCorpus(t *testing.T) {
	tcpdump := needTcpdump(t)
	captures := corpusCaptures
	if os.Getenv("NFDATASET_BPF_FULL_CORPUS") != "" {
		// Every capture of the corpus, not just the chosen ones.
		all, _ := filepath.Glob(filepath.Join(sharedDir, "corpus/nfstream/pcaps/*"))
		captures = nil
		for _, p := range all {
			rel, _ := filepath.Rel(sharedDir, p)
			captures = append(captures, rel)
		}
	}
	pairs, agreed := 0, 0
	for _, rel := range captures {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			path := sharedFile(t, rel)
			frames, err := readCapture(path)
			if err != nil {
				t.Fatalf("reading %s: %v", path, err)
			}
			filters := append(append([]string(nil), comparisonFilters...), hostFilters(frames)...)
			pairs += len(filters)
			agreed += compareWithTcpdump(t, tcpdump, path, filters)
		})
	}
	t.Logf("%d of %d capture×filter pairs agree with tcpdump", agreed, pairs)
}

// syntheticFrames wraps network-layer packets taken from corpus captures,
// plus packets made to exercise what the corpus lacks (SCTP, IPv6
// fragment headers, IPv4 options), in each supported link type, and adds
// truncated and byte-mutated copies so that short frames and odd header
// values are compared too.
func syntheticFrames(t *testing.T) (packets []syntheticPacket) {
	t.Helper()
	sources := []string{
		"corpus/nfstream/pcaps/skype.pcap", "corpus/nfstream/pcaps/http_ipv6.pcap",
		"corpus/nfstream/pcaps/anyconnect-vpn.pcap", "corpus/nfstream/pcaps/ip_fragmented_garbage.pcap",
		"corpus/nfstream/pcaps/dnscrypt-v1-and-resolver-pings.pcap", "corpus/nfstream/pcaps/6in6tunnel.pcap",
	}
	for _, rel := range sources {
		frames, err := readCapture(sharedFile(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		taken := 0
		for _, fr := range frames {
			if fr.linkType != linkTypeEthernet || len(fr.data) < 14 || taken >= 60 {
				continue
			}
			taken++
			et := binary.BigEndian.Uint16(fr.data[12:])
			packets = append(packets, syntheticPacket{etherType: et, payload: fr.data[14:]})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// Variants: SCTP instead of UDP, an IPv6 fragment header, IPv4 options.
	n := len(packets)
	for i := 0; i < n; i++ {
		p := packets[i]
		switch {
		case p.etherType == etherTypeIPv4 && len(p.payload) > 20 && p.payload[9] == ipProtoUDP:
			sctp := append([]byte(nil), p.payload...)
			sctp[9] = ipProtoSCTP
			packets = append(packets, syntheticPacket{etherType: p.etherType, payload: sctp})
			opts := append(append(append([]byte(nil), p.payload[:20]...), 1, 1, 1, 0), p.payload[20:]...)
			opts[0] = 0x46
			packets = append(packets, syntheticPacket{etherType: p.etherType, payload: opts})
		case p.etherType == etherTypeIPv6 && len(p.payload) > 40:
			frag := append(append([]byte(nil), p.payload[:40]...), p.payload[6], 0, 0, byte(rng.IntN(2)), 1, 2, 3, 4)
			frag = append(frag, p.payload[40:]...)
			frag[6] = ipProtoFragment
			packets = append(packets, syntheticPacket{etherType: p.etherType, payload: frag})
		}
	}
	// Mutations and truncations.
	n = len(packets)
	for i := 0; i < n; i++ {
		p := packets[i]
		m := append([]byte(nil), p.payload...)
		for k := 0; k < 3 && len(m) > 0; k++ {
			m[rng.IntN(min(len(m), 48))] = byte(rng.IntN(256))
		}
		packets = append(packets, syntheticPacket{etherType: p.etherType, payload: m})
		if len(p.payload) > 0 {
			cut := rng.IntN(min(len(p.payload), 64))
			packets = append(packets, syntheticPacket{etherType: p.etherType, payload: p.payload[:cut]})
		}
	}
	// Frames cut inside the link-layer header.
	packets = append(packets, syntheticPacket{etherType: etherTypeIPv4, payload: nil, cutLink: 1},
		syntheticPacket{etherType: etherTypeIPv6, payload: nil, cutLink: 3})
	return packets
}

type syntheticPacket struct {
	etherType uint16
	payload   []byte
	cutLink   int // bytes to drop from the end of the link-layer header
}

// encapsulate frames p for link type lt; ok is false when that link type
// cannot carry p's protocol.
func encapsulate(lt uint32, p syntheticPacket, vlanIDs ...uint16) ([]byte, bool) {
	var hdr []byte
	be16 := func(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }
	switch lt {
	case linkTypeEthernet:
		hdr = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
		for _, id := range vlanIDs {
			hdr = append(append(hdr, 0x81, 0x00), be16(id)...)
		}
		hdr = append(hdr, be16(p.etherType)...)
	case linkTypeLinuxSLL:
		hdr = append([]byte{0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0}, be16(p.etherType)...)
	case linkTypeLinuxSLL2:
		hdr = append(be16(p.etherType), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0)
	case linkTypeCHDLC:
		hdr = append([]byte{0x0f, 0}, be16(p.etherType)...)
	case linkTypePPP, linkTypePPPHDLC:
		proto := p.etherType
		switch proto {
		case etherTypeIPv4:
			proto = 0x21
		case etherTypeIPv6:
			proto = 0x57
		}
		hdr = append([]byte{0xff, 0x03}, be16(proto)...)
	case linkTypeNull, linkTypeLoop:
		af := uint32(2)
		switch p.etherType {
		case etherTypeIPv4:
		case etherTypeIPv6:
			af = []uint32{24, 28, 30}[len(p.payload)%3]
		default:
			return nil, false
		}
		if lt == linkTypeNull {
			hdr = binary.LittleEndian.AppendUint32(nil, af)
		} else {
			hdr = binary.BigEndian.AppendUint32(nil, af)
		}
	case linkTypeRaw, linkTypeRaw12:
		if p.etherType != etherTypeIPv4 && p.etherType != etherTypeIPv6 {
			return nil, false
		}
	case linkTypeIPv4:
		if p.etherType != etherTypeIPv4 {
			return nil, false
		}
	case linkTypeIPv6:
		if p.etherType != etherTypeIPv6 {
			return nil, false
		}
	}
	if p.cutLink > 0 {
		if len(hdr) < p.cutLink {
			return nil, false
		}
		return hdr[:len(hdr)-p.cutLink], true
	}
	return append(hdr, p.payload...), true
}

func TestMatchAgreesWithTcpdumpOnSyntheticLinkTypes(t *testing.T) {
	tcpdump := needTcpdump(t)
	packets := syntheticFrames(t)
	filters := append([]string{
		"host 10.0.0.1", "net 192.168.0.0/16", "ip6 net fe80::/10", "ip proto 132", "ip6 proto 6 or 17",
		"ip6 proto 44", "port 80 or 443 or 53", "not port 53", "portrange 0-1024 or ip6",
		"sctp or arp", "not (sctp or arp)", "not tcp and not udp", "icmp6 or icmp",
	}, comparisonFilters...)
	linkTypes := []uint32{linkTypeEthernet, linkTypeLinuxSLL, linkTypeLinuxSLL2, linkTypeCHDLC, linkTypePPP,
		linkTypePPPHDLC, linkTypeNull, linkTypeLoop, linkTypeRaw, linkTypeRaw12, linkTypeIPv4, linkTypeIPv6}
	pairs, agreed := 0, 0
	for _, lt := range linkTypes {
		t.Run(fmt.Sprintf("linktype%d", lt), func(t *testing.T) {
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
			path := filepath.Join(t.TempDir(), "synthetic.pcap")
			if err := writePcap(path, lt, frames); err != nil {
				t.Fatal(err)
			}
			pairs += len(filters)
			agreed += compareWithTcpdump(t, tcpdump, path, filters)
		})
	}
	t.Logf("%d of %d link-type×filter pairs agree with tcpdump", agreed, pairs)
}

// TestCompileRefusalsAgreeWithTcpdump checks libpcap's compile-time
// refusals of arithmetic: a divisor or shift amount is judged by the first
// instruction libpcap generates for it (the leftmost number, even an
// offset: "x / ether[0]" is a division by zero) and again by its
// optimizer once folded to a constant; a constant shifted by a constant is
// folded without complaint. Each filter is compiled by tcpdump -d on an
// Ethernet capture and by Compile; both must refuse with the same words,
// or both accept.
func TestCompileRefusalsAgreeWithTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not on PATH: install it (apt-get install tcpdump) to compare with libpcap")
	}
	capture := filepath.Join(sharedDir, "corpus/nfstream/pcaps/bittorrent.pcap")
	if _, err := os.Stat(capture); err != nil {
		t.Skipf("the shared corpus is absent (%v)", err)
	}
	tests := []struct{ filter, refusal string }{
		{"ip[1] / ether[0] > 0", "division by zero"},
		{"ip[1] % tcp[0] > 0", "modulus by zero"},
		{"ip[1] / (2 - 2) > 0", "division by zero"},
		{"ip[1] > 1 % (2 - 2)", "modulus by zero"},
		{"ip[1] > 0 or 1 / (2 - 2) > 0", "division by zero"},
		{"1 / (ip[0] - 0x45) = 0", "division by zero"},
		{"1 / (ip[1] - 0x45) = 0", ""},
		{"ip[1] / (len - len) > 0", ""},
		{"ip[1] << (20 + 20) > 0", "shift by more than 31 bits"},
		{"ip[1] > 7 << 40", "shift by more than 31 bits"},
		{"ip[1] > (1 << (20 + 20))", ""},
		{"ip[1] > 7 << (2 - 2)", ""},
		{"ip[1] >> -1 > 0", "shift by more than 31 bits"},
		{"ip[1] < (20 << ip[32:4])", "shift by more than 31 bits"},
		{"ip[1] < (20 << ip[31:4])", ""},
		{"ip[1] << (ip[40] + 1) > 0", "shift by more than 31 bits"},
		{"ip[1] << (1 + ip[40]) > 0", ""},
		{"ip[1] << (40 ^ ip[1]) > 0", "shift by more than 31 bits"},
		{"ip[1] < (20 << icmp[12])", ""},
		{"ip[1] / ((2 - 2) + ip[3]) > 0", ""},
		{"tcp[tcp-ack:1] = 1", ""},
		{"icmp[icmp-echo:2] > 1", ""},
		{"port 80 or 10 / 2 > 1", ""},
		{"ip and (0 / (1500 / 13)) >= 1", ""},
		{"icmp-echo / (ether[6:1] * icmp6type) >= 1", "division by zero"},
		{"ip[1] / (ip[2] & 0) > 0", "division by zero"},
		{"ip[1] << (ip[2] * 0 + 40) > 0", "shift by more than 31 bits"},
		{"5 << (ip[2] * 0 + 40) > 0", "expression rejects all packets"},
		{"0 / icmp[200:4] = 0", ""},
		// The optimizer refuses only what it reaches.
		{"(udp[1] >> (2 + 1500)) > 0", "shift by more than 31 bits"},
		{"arp[6:2] = 1 and (udp[1] >> (2 + 1500)) > 0", "expression rejects all packets"},
		{"ip6 and ip[1] / (2 - 2) > 0", "expression rejects all packets"},
		{"ip or ip[1] / (2 - 2) > 0", ""},
	}
	for _, tc := range tests {
		var stderr bytes.Buffer
		cmd := exec.Command(tcpdump, "-r", capture, "-d", "--", tc.filter)
		cmd.Stderr = &stderr
		libpcap := ""
		if cmd.Run() != nil {
			libpcap = strings.TrimSpace(stderr.String())
			if i := strings.LastIndex(libpcap, "tcpdump: "); i >= 0 {
				libpcap = libpcap[i+len("tcpdump: "):]
			}
		}
		if libpcap != tc.refusal {
			t.Errorf("%q: tcpdump says %q, the table %q: fix the table", tc.filter, libpcap, tc.refusal)
		}
		f, err := Compile(tc.filter)
		if tc.refusal == "expression rejects all packets" {
			// libpcap refuses a filter that can match nothing; Compile
			// accepts it, and it matches nothing.
			frame := ethernet(etherTypeIPv4, ipv4TCP)
			if err != nil || f.Match(1, frame, uint32(len(frame))) {
				t.Errorf("Compile(%q) = %v; want a filter that rejects every frame", tc.filter, err)
			}
			continue
		}
		switch {
		case tc.refusal == "" && err != nil:
			t.Errorf("Compile(%q): %v; libpcap accepts it", tc.filter, err)
		case tc.refusal != "" && err == nil:
			t.Errorf("Compile(%q) accepts it; libpcap: %s", tc.filter, tc.refusal)
		case tc.refusal != "" && !strings.Contains(err.Error(), tc.refusal):
			t.Errorf("Compile(%q): %v; libpcap: %s", tc.filter, err, tc.refusal)
		case err == nil:
			// The normal form must keep what the checks look at.
			if _, err := Compile(f.String()); err != nil {
				t.Errorf("Compile(%q).String() = %q, which does not compile: %v", tc.filter, f.String(), err)
			}
		}
	}
}
