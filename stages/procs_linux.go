//go:build linux

package stages

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// PollProcesses fills t from /proc every interval until ctx ends.
func PollProcesses(ctx context.Context, t *ProcessTable, interval time.Duration) {
	for {
		t.Update(ReadSockets("/proc"))
		if interval <= 0 {
			interval = time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// ReadSockets lists the connected TCP and UDP sockets under procRoot (a
// /proc mount) with the process that holds each.
func ReadSockets(procRoot string) []Socket {
	byInode := map[string]Socket{}
	for _, f := range []struct {
		name  string
		proto uint8
	}{{"tcp", 6}, {"tcp6", 6}, {"udp", 17}, {"udp6", 17}} {
		readSocketTable(filepath.Join(procRoot, "net", f.name), f.proto, byInode)
	}
	if len(byInode) == 0 {
		return nil
	}
	var out []Socket
	pids, _ := os.ReadDir(procRoot)
	for _, p := range pids {
		pid, err := strconv.ParseInt(p.Name(), 10, 64)
		if err != nil {
			continue
		}
		fdDir := filepath.Join(procRoot, p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		name := ""
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(target, "socket:[") {
				continue
			}
			s, ok := byInode[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")]
			if !ok {
				continue
			}
			if name == "" {
				b, _ := os.ReadFile(filepath.Join(procRoot, p.Name(), "comm"))
				name = strings.TrimSpace(string(b))
			}
			s.PID, s.ProcessName = pid, name
			out = append(out, s)
		}
	}
	return out
}

// readSocketTable parses one /proc/net table; only sockets with a peer
// (connected ones) are kept, as NFStream keeps connections with a remote
// address.
func readSocketTable(path string, proto uint8, into map[string]Socket) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		local, ok1 := parseProcAddr(fields[1])
		peer, ok2 := parseProcAddr(fields[2])
		if !ok1 || !ok2 || peer.Port() == 0 || peer.Addr().IsUnspecified() {
			continue
		}
		into[fields[9]] = Socket{Proto: proto, Local: local, Peer: peer}
	}
}

// parseProcAddr reads "0100007F:1F90" (IPv4) or a 32-digit IPv6 address:
// the address is written as 32-bit words in host (little-endian) order.
func parseProcAddr(s string) (netip.AddrPort, bool) {
	host, port, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(host)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	var b [16]byte
	for i := 0; i+4 <= len(raw); i += 4 {
		binary.BigEndian.PutUint32(b[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	var a netip.Addr
	if len(raw) == 4 {
		a = netip.AddrFrom4([4]byte(b[:4]))
	} else {
		a = netip.AddrFrom16(b).Unmap()
	}
	return netip.AddrPortFrom(a, uint16(p)), true
}
