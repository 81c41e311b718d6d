package bpf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCompileNormalises(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", ""},
		{"  tcp  ", "tcp"},
		{"tcp and (13 <= len)", "tcp and 13 <= len"},
		{"port 53 or 100 < len and not tcpflags = 1", "(port 53 or 100 < len) and not 13 = 1"},
		{"tcp[13] & 2 != 0", "(tcp[13:1] & 2) != 0"},
		{"tcp[tcpflags] & tcp-syn != 0", "(tcp[13:1] & 2) != 0"},
		{"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack", "(tcp[13:1] & 18) = 18"},
		{"ip[6:2] & 0x1fff != 0", "(ip[6:2] & 8191) != 0"},
		{"icmp[icmptype] = icmp-echo", "icmp[0:1] = 8"},
		{"icmp6[icmp6type] == icmp6-neighborsolicit", "icmp6[0:1] = 135"},
		{"ip[2:2] - ((ip[0]&0xf)<<2) > 100", "(ip[2:2] - ((ip[0:1] & 15) << 2)) > 100"},
		{"udp[4 : 2]>=8", "udp[4:2] >= 8"},
		{"len >= 1 + 2 * 3", "len >= 7"},
		{"len = 1 ^ 2 & 3", "len = 3"},
		{"len = 2 ^ 3 + 1", "len = 6"},
		{"len - 1 - 1 < -len", "((len - 1) - 1) < (-len)"},
		{"ether[len - 1:1] = 0", "ether[(len - 1):1] = 0"},
		{"greater 200", "len >= 200"},
		{"less 100", "len <= 100"},
		{"(tcp[0] = 1) or (len > 2)", "tcp[0:1] = 1 or len > 2"},
		{"((len + 1) * 2 > 3)", "((len + 1) * 2) > 3"},
		{"not len = 5 and tcp", "not len = 5 and tcp"},
		{"ether host 0:1:2:a:Bb:cc", "ether host 00:01:02:0a:bb:cc"},
		{"ether src 01-02-03-04-05-06 or 0102.0304.0507", "ether src host 01:02:03:04:05:06 or ether src host 01:02:03:04:05:07"},
		{"ether dst 010203040506", "ether dst host 01:02:03:04:05:06"},
		{"ether proto 0x800 or ether proto \\arp", "ether proto 2048 or ether proto 2054"},
		{"broadcast or ether multicast", "ether broadcast or ether multicast"},
		{"ip broadcast or ip multicast or ip6 multicast", "ip broadcast or ip multicast or ip6 multicast"},
		{"host 10.0.0.1", "host 10.0.0.1"},
		{"host 10.0.0.1 or 10.0.0.2", "host 10.0.0.1 or host 10.0.0.2"},
		{"src host 10.0.0.1", "src host 10.0.0.1"},
		{"dst 10.0.0.1", "dst host 10.0.0.1"},
		{"src or dst host 10.0.0.1", "host 10.0.0.1"},
		{"dst or src 10.0.0.1", "host 10.0.0.1"},
		{"src and dst host 10.0.0.1", "src and dst host 10.0.0.1"},
		{"dst && src 10.0.0.1", "src and dst host 10.0.0.1"},
		{"ip host 10.0.0.1", "ip host 10.0.0.1"},
		{"arp src host 10.0.0.1", "arp src host 10.0.0.1"},
		{"host ::1", "host ::1"},
		{"ip6 dst host 2001:DB8::1", "ip6 dst host 2001:db8::1"},
		{"host ::ffff:1.2.3.4", "host ::ffff:1.2.3.4"},
		{"net 10.0.0.0/8", "net 10.0.0.0/8"},
		{"net 10", "net 10.0.0.0/8"},
		{"net 10.1", "net 10.1.0.0/16"},
		{"host 10.1", "net 10.1.0.0/16"}, // libpcap: a short address is a network
		{"host 10", "host 0.0.0.10"},     // libpcap: a bare number is a 32-bit address
		{"net 10.0.0.0 mask 255.0.255.0", "net 10.0.0.0 mask 255.0.255.0"},
		{"net 10.0.0.0 mask 255.0.0.0", "net 10.0.0.0/8"},
		{"net 2001:db8::/32", "net 2001:db8::/32"},
		{"src net 0.0.0.0/0", "src net 0.0.0.0/0"},
		{"port 80", "port 80"},
		{"port 0x50", "port 80"},
		{"port 010", "port 8"}, // libpcap reads a leading 0 as octal
		{"tcp port 80 or 443", "tcp port 80 or tcp port 443"},
		{"udp src port 53", "udp src port 53"},
		{"sctp dst port 9", "sctp dst port 9"},
		{"src and dst port 53", "src and dst port 53"},
		{"portrange 1-1024", "portrange 1-1024"},
		{"portrange 90-80", "portrange 80-90"},
		{"portrange 80", "portrange 80-80"},
		{"tcp dst portrange 8000-9000", "tcp dst portrange 8000-9000"},
		{"tcp", "tcp"},
		{"icmp6", "icmp6"},
		{"ip6", "ip6"},
		{"arp", "arp"},
		{"proto 6", "proto 6"},
		{"ip proto 17", "ip proto 17"},
		{"ip6 proto 58", "ip6 proto 58"},
		{`ip proto \tcp`, "ip proto 6"},
		{"ip proto tcp", "ip proto 6"},
		{`proto \udp`, "proto 17"},
		{`ip6 proto \icmp6`, "ip6 proto 58"},
		{`ip proto 6 or \udp`, "ip proto 6 or ip proto 17"},
		{"vlan", "vlan"},
		{"vlan 100", "vlan 100"},
		{"vlan and host 10.0.0.1", "vlan and host 10.0.0.1"},
		{"vlan 10 && vlan 20", "vlan 10 and vlan 20"},
		{"tcp && port 80", "tcp and port 80"},
		// libpcap gives "and" and "or" the same precedence, grouping from the left.
		{"tcp or udp and port 53", "(tcp or udp) and port 53"},
		{"tcp or (udp and port 53)", "tcp or (udp and port 53)"},
		{"tcp or udp or icmp", "tcp or udp or icmp"},
		{"! tcp", "not tcp"},
		{"not not tcp", "not not tcp"},
		{"!(tcp||udp)", "not (tcp or udp)"},
		{"((tcp))", "tcp"},
		{"host 10.0.0.1 and not 10.0.0.2", "host 10.0.0.1 and not host 10.0.0.2"},
		{"host 10.0.0.1 and (10.0.0.2 or 10.0.0.3)", "host 10.0.0.1 and (host 10.0.0.2 or host 10.0.0.3)"},
		{"host not 10.0.0.1", "not host 10.0.0.1"},
		{"not host 10.0.0.1 and 10.0.0.2", "not host 10.0.0.1 and host 10.0.0.2"},
		// A parenthesised term passes on the qualifiers from before it.
		{"host 10.0.0.1 and (tcp) or 10.0.0.2", "(host 10.0.0.1 and tcp) or host 10.0.0.2"},
		{"port 80 or (81)", "port 80 or port 81"},
		{"host 1.2.3.4 and ((1.2.3.5))", "host 1.2.3.4 and host 1.2.3.5"},
		{"tcp port 80 and (443 or 8443)", "tcp port 80 and (tcp port 443 or tcp port 8443)"},
	}
	for _, tt := range tests {
		f, err := Compile(tt.expr)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.expr, err)
			continue
		}
		if diff := cmp.Diff(tt.want, f.String()); diff != "" {
			t.Errorf("Compile(%q).String() (-want +got):\n%s", tt.expr, diff)
		}
		again, err := Compile(f.String())
		if err != nil {
			t.Errorf("Compile(%q) of the normalised %q: %v", tt.expr, f.String(), err)
			continue
		}
		if again.String() != f.String() {
			t.Errorf("normalising %q twice: %q then %q", tt.expr, f.String(), again.String())
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"gateway 1.2.3.4", `bpf: unsupported primitive "gateway" at offset 0`},
		{"ether host 1.2.3.4", `bpf: invalid MAC address "1.2.3.4" (write it as xx:xx:xx:xx:xx:xx; host names are not resolved) at offset 11`},
		{"host 1:2:3:4:5:6", `bpf: ethernet address "1:2:3:4:5:6" used in non-ether expression (write "ether host 1:2:3:4:5:6") at offset 5`},
		{"ether net 1:2:3:4:5:6", `bpf: "ether" qualifier cannot be used with net at offset 10`},
		{"ether port 80", `bpf: "ether" qualifier cannot be used with port at offset 11`},
		{"ip[0:3] = 4", `bpf: data size must be 1, 2, or 4, not 3 at offset 5`},
		{"len / 0 = 1", `bpf: division by zero at offset 4`},
		{"len % (2 - 2) = 1", `bpf: modulus by zero at offset 4`},
		{"len << 32 = 1", `bpf: shift by more than 31 bits at offset 4`},
		{"len > ", `bpf: syntax error: unexpected end of expression, expected a number, len or proto[offset] at offset 6`},
		{"tcp[0 = 1", `bpf: syntax error: unexpected "=", expected "]" at offset 6`},
		{"len + 1", `bpf: syntax error: expected a comparison (=, !=, <, <=, >, >=) at end of expression at offset 7`},
		{"igmp[0] = 1", `bpf: unsupported primitive "igmp[...]" at offset 0`},
		{"greater x", `bpf: syntax error: expected a length after "greater", found "x" at offset 8`},
		{"ether foo", `bpf: syntax error: unexpected "foo" after "ether" (expected host, src, dst, proto, broadcast, multicast or [) at offset 6`},
		{"ip6 broadcast", `bpf: unsupported primitive "ip6 broadcast" at offset 0`},
		{"rarp", `bpf: unsupported primitive "rarp" at offset 0`},
		{"mpls", `bpf: unsupported primitive "mpls" at offset 0`},
		{"ip protochain 6", `bpf: unsupported primitive "ip protochain" at offset 0`},
		{"src gateway x", `bpf: unsupported primitive "src gateway" at offset 0`},
		{"host 1.2.3.4 & 2", `bpf: unsupported operator "&" (arithmetic and packet-data expressions are not supported) at offset 13`},
		{"(tcp[0] = 1", `bpf: syntax error: missing ")" at offset 11`},
		{"tcp and", `bpf: syntax error: unexpected end of expression at offset 7`},
		{"and tcp", `bpf: syntax error: unexpected "and" at offset 0`},
		{"(tcp", `bpf: syntax error: missing ")" at offset 4`},
		{"tcp)", `bpf: syntax error: unexpected ")" at offset 3`},
		{"()", `bpf: syntax error: unexpected ")" at offset 1`},
		{"host", `bpf: syntax error: expected a value at end of expression at offset 4`},
		{"host 1.2.3.4 or", `bpf: syntax error: unexpected end of expression at offset 15`},
		{"net 10/8", `bpf: syntax error: unexpected "/" at offset 6`},
		{"host ü", `bpf: syntax error: unexpected "ü", expected a value at offset 5`},
		{"src proto 6", `bpf: syntax error: unexpected "proto", expected a value at offset 4`},
		{"host 1.2.3.4 and (1.2.3.5 or tcp)", `bpf: syntax error: unexpected "tcp", expected a value at offset 29`},
		{"net 10.0.0.0 mask ffff", `bpf: syntax error: expected an IPv4 netmask after "mask", found "ffff" at offset 18`},
		{"net 10.0.0.0 mask", `bpf: syntax error: expected an IPv4 netmask after "mask", found end of expression at offset 17`},
		{"net 10.0.0.0/", `bpf: syntax error: expected a prefix length after "/", found end of expression at offset 13`},
		{"host example.com", `bpf: unsupported host name "example.com" (names are not resolved; use an IP address) at offset 5`},
		{"port http", `bpf: unsupported port name "http" (service names are not supported; use a number) at offset 5`},
		{"port 70000", `bpf: port "70000" out of range 0-65535 at offset 5`},
		{"port 08", `bpf: invalid port "08" at offset 5`},
		{"port 1.2.3.4", `bpf: invalid port "1.2.3.4" at offset 5`},
		{"portrange 1-70000", `bpf: port "70000" out of range 0-65535 at offset 10`},
		{"portrange 1-2-3", `bpf: invalid port range "1-2-3" at offset 10`},
		{"host 1.2.3.4/24", `bpf: mask syntax is only valid with net at offset 5`},
		{"src 10.0.0.0/8", `bpf: mask syntax is only valid with net at offset 4`},
		{"host ::/0", `bpf: mask syntax is only valid with net at offset 5`},
		{"net 10.0.0.1/8", `bpf: non-network bits set in "10.0.0.1/8" at offset 4`},
		{"net 10.1.0.0 mask 255.0.0.0", `bpf: non-network bits set in "10.1.0.0 mask 255.0.0.0" at offset 4`},
		{"net ::1/64", `bpf: non-network bits set in "::1/64" at offset 4`},
		{"net 10.0.0.0/33", `bpf: prefix length "33" out of range 0-32 at offset 13`},
		{"net ::/129", `bpf: prefix length "129" out of range 0-128 at offset 7`},
		{"host 1.2.3.999", `bpf: invalid IPv4 address "1.2.3.999" at offset 5`},
		{"host 1.2.3.4.5", `bpf: invalid IPv4 address "1.2.3.4.5" at offset 5`},
		{"host 1::2::3", `bpf: invalid IPv6 address "1::2::3" at offset 5`},
		{"ip6 host 1.2.3.4", `bpf: "ip6" qualifier cannot be used with IPv4 host "1.2.3.4" at offset 9`},
		{"ip6 net 10.0.0.0/8", `bpf: "ip6" qualifier cannot be used with IPv4 net "10.0.0.0" at offset 8`},
		{"ip host ::1", `bpf: "ip" qualifier cannot be used with IPv6 host "::1" at offset 8`},
		{"tcp host 1.2.3.4", `bpf: "tcp" qualifier cannot be used with host at offset 9`},
		{"udp net 10", `bpf: "udp" qualifier cannot be used with net at offset 8`},
		{"ip port 80", `bpf: "ip" qualifier cannot be used with port at offset 8`},
		{"icmp port 80", `bpf: "icmp" qualifier cannot be used with port at offset 10`},
		{"tcp proto 6", `bpf: "tcp" qualifier cannot be used with proto at offset 10`},
		{"proto 300", `bpf: protocol number 300 out of range 0-255 at offset 6`},
		{`proto \foo`, `bpf: unknown protocol name "\foo" (use a number or one of icmp, icmp6, sctp, tcp, udp) at offset 6`},
		{"proto 0x1ffffffff", `bpf: invalid number "0x1ffffffff" at offset 6`},
		{"vlan 5000", `bpf: VLAN ID 5000 out of range 0-4095 at offset 5`},
		{"vlan 1 or 2", `bpf: value "2" has no qualifier to inherit (write e.g. "host 2") at offset 10`},
		{"tcp and 80", `bpf: value "80" has no qualifier to inherit (write e.g. "host 80") at offset 8`},
		{"(host 1.2.3.4 or 1.2.3.5) and 1.2.3.6", `bpf: value "1.2.3.6" has no qualifier to inherit (write e.g. "host 1.2.3.6") at offset 30`},
		{"10.0.0.1", `bpf: value "10.0.0.1" needs a qualifier such as host, net or port at offset 0`},
		{"TCP", `bpf: value "TCP" needs a qualifier such as host, net or port at offset 0`},
	}
	for _, tt := range tests {
		f, err := Compile(tt.expr)
		if err == nil {
			t.Errorf("Compile(%q) = %q, want error %q", tt.expr, f.String(), tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("Compile(%q) error (-want +got):\n%s", tt.expr, diff)
		}
		var ce *CompileError
		if !errors.As(err, &ce) || ce.Expr != tt.expr {
			t.Errorf("Compile(%q) error %T is not a *CompileError for the expression", tt.expr, err)
		}
	}
}

func TestCompileLimitsNesting(t *testing.T) {
	deep := ""
	for i := 0; i < 1000; i++ {
		deep += "("
	}
	_, err := Compile(deep + "tcp")
	// The relation tried first at each "(" counts one level per "(".
	want := `bpf: expression nested too deeply (more than 256 levels) at offset 254`
	if err == nil || err.Error() != want {
		t.Errorf("Compile(1000 parentheses) error = %v, want %s", err, want)
	}
}

// TestCompileLargeExpressionQuickly guards the optimizer's cost: a long
// host list, as users write them, compiles in well under a second.
func TestCompileLargeExpressionQuickly(t *testing.T) {
	var b strings.Builder
	b.WriteString("host 10.0.0.0")
	for i := 1; i < 300; i++ {
		fmt.Fprintf(&b, " or 10.0.%d.%d", i/256, i%256)
	}
	start := time.Now()
	if _, err := Compile(b.String()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("compiling 300 hosts took %v", d)
	}
}
