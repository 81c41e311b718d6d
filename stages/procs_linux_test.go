//go:build linux

package stages

import (
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseProcAddr(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0100007F:1F90", "127.0.0.1:8080"},
		{"0202A8C0:0035", "192.168.2.2:53"},
		{"00000000000000000000000001000000:0016", "[::1]:22"},
		{"0000000000000000FFFF00000100007F:01BB", "127.0.0.1:443"},
	} {
		got, ok := parseProcAddr(c.in)
		if !ok || got.String() != c.want {
			t.Errorf("parseProcAddr(%q) = %v %v, want %s", c.in, got, ok, c.want)
		}
	}
}

func TestProcessTableFindsOwnSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			c.Read(make([]byte, 1))
		}
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := netip.MustParseAddrPort(conn.LocalAddr().String())
	remote := netip.MustParseAddrPort(conn.RemoteAddr().String())
	for _, mode := range []MatchMode{MatchNFStream, MatchExact} {
		tab := NewProcessTable(mode, 3)
		tab.Update(ReadSockets("/proc"))
		pid, name := tab.Lookup(6, remote.Addr(), remote.Port(), local.Addr(), local.Port())
		comm, _ := os.ReadFile("/proc/self/comm")
		want := []any{int64(os.Getpid()), strings.TrimSpace(string(comm))}
		if d := cmp.Diff(want, []any{pid, name}); d != "" {
			t.Errorf("mode %d: lookup (-want +got):\n%s", mode, d)
		}
		if pid, _ := tab.Lookup(17, remote.Addr(), remote.Port(), local.Addr(), local.Port()); pid != -1 {
			t.Errorf("mode %d: UDP lookup found pid %d", mode, pid)
		}
	}
}
