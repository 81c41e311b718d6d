//go:build linux

package stages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// liveSource reads frames from an interface through an AF_PACKET ring.
// Like NFStream's libpcap handle it waits at most ReadTimeout per read; a
// read that times out returns nothing and the meter clock does not move
// (packet time only).
type liveSource struct {
	name    string
	tp      *afpacket.TPacket
	promisc int // extra socket holding the promiscuous membership, or -1
	link    uint32
	cfg     LiveConfig
	ctx     context.Context
	frames  uint64
	bytes   int64
	liveStop
}

// liveStop is what both live sources (one socket, or a fanout group) check
// before each frame: their stop conditions, then the wall-clock tick that
// lets a quiet link expire its flows.
type liveStop struct {
	deadline time.Time
	lastTick time.Time
	ended    string // why the capture ended; "" while it runs
}

func newLiveStop(cfg LiveConfig) liveStop {
	l := liveStop{lastTick: time.Now()}
	if cfg.Duration > 0 {
		l.deadline = l.lastTick.Add(cfg.Duration)
	}
	return l
}

// poll returns io.EOF (ok) once a stop condition holds or the capture has
// ended for another reason, a tick frame (ok) when one is due, and ok =
// false when the source should read its next frame.
func (l *liveStop) poll(ctx context.Context, cfg *LiveConfig, frames uint64) (fr Frame, ok bool, err error) {
	switch {
	case l.ended != "":
	case ctx.Err() != nil:
		l.ended = "stopped"
	case cfg.MaxPackets > 0 && frames >= cfg.MaxPackets:
		l.ended = "packets"
	case !l.deadline.IsZero() && time.Now().After(l.deadline):
		l.ended = "duration"
	}
	if l.ended != "" {
		return Frame{}, true, io.EOF
	}
	if cfg.Tick > 0 {
		if now := time.Now(); now.Sub(l.lastTick) >= cfg.Tick {
			l.lastTick = now
			return Frame{Tick: true, TimeNs: now.UnixNano(), TimeMs: uint64(now.UnixMilli())}, true, nil
		}
	}
	return Frame{}, false, nil
}

// OpenLive starts capturing on interface name. Reading needs CAP_NET_RAW.
func OpenLive(name string, cfg LiveConfig) (Source, error) {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("live capture %s: %w", name, err)
	}
	link, err := interfaceLinkType(name)
	if err != nil {
		return nil, fmt.Errorf("live capture %s: %w", name, err)
	}
	if cfg.SnapLen <= 0 {
		cfg.SnapLen = 1536
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = time.Second
	}
	if cfg.Tick > 0 && cfg.Tick < cfg.ReadTimeout {
		cfg.ReadTimeout = cfg.Tick
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	if cfg.Fanout > 1 {
		return openFanout(name, ifc, link, cfg)
	}
	tp, err := openSocket(name, ifc, link, cfg)
	if err != nil {
		return nil, err
	}
	s := &liveSource{name: name, tp: tp, promisc: -1, link: link, cfg: cfg, ctx: cfg.Context, liveStop: newLiveStop(cfg)}
	if s.promisc, err = promiscuous(name, ifc, cfg); err != nil {
		tp.Close()
		return nil, err
	}
	return s, nil
}

// openSocket opens one AF_PACKET ring on the interface, with the kernel
// filter attached.
func openSocket(name string, ifc *net.Interface, link uint32, cfg LiveConfig) (*afpacket.TPacket, error) {
	opts := []any{
		afpacket.OptInterface(name),
		afpacket.OptPollTimeout(cfg.ReadTimeout),
		afpacket.OptAddVLANHeader(true), // libpcap puts stripped 802.1Q tags back; so do we
	}
	if cfg.BufferSize > 0 {
		blocks := max(1, cfg.BufferSize/afpacket.DefaultBlockSize)
		opts = append(opts, afpacket.OptNumBlocks(blocks))
	}
	tp, err := afpacket.NewTPacket(opts...)
	if err != nil {
		return nil, fmt.Errorf("live capture %s: %w", name, err)
	}
	var prog []bpf.RawInstruction
	if ifc.Flags&net.FlagLoopback != 0 {
		// Loopback frames pass the socket twice, outgoing and incoming;
		// libpcap keeps only the incoming copy, and so do we.
		prog = dropOutgoing
	}
	if cfg.KernelFilter != nil {
		user, err := cfg.KernelFilter(link)
		if err != nil {
			tp.Close()
			return nil, fmt.Errorf("live capture %s: filter: %w", name, err)
		}
		if len(user) > 0 {
			prog = chainFilters(prog, user)
		}
	}
	if prog != nil {
		if err := tp.SetBPF(prog); err != nil {
			tp.Close()
			return nil, fmt.Errorf("live capture %s: the kernel refused the filter (SO_ATTACH_FILTER): %w", name, err)
		}
	}
	return tp, nil
}

// promiscuous raises the device's promiscuity while the capture runs, when
// asked: it returns the socket holding the membership (-1: none).
func promiscuous(name string, ifc *net.Interface, cfg LiveConfig) (int, error) {
	if !cfg.Promiscuous {
		return -1, nil
	}
	// A membership on a second socket raises the device's promiscuity
	// count for as long as the capture runs, without touching the
	// interface flags other programs see.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0)
	if err == nil {
		mreq := unix.PacketMreq{Ifindex: int32(ifc.Index), Type: unix.PACKET_MR_PROMISC}
		if err = unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		return -1, fmt.Errorf("live capture %s: promiscuous mode: %w", name, err)
	}
	return fd, nil
}

// dropOutgoing is a socket filter that rejects PACKET_OUTGOING frames: it
// loads the kernel's packet-type ancillary field (SKF_AD_OFF +
// SKF_AD_PKTTYPE) and returns 0 (drop) when it is 4.
var dropOutgoing = []bpf.RawInstruction{
	{Op: 0x30, K: 0xfffff000 + 4},  // ldb [SKF_AD_OFF+SKF_AD_PKTTYPE]
	{Op: 0x15, Jt: 0, Jf: 1, K: 4}, // jeq #PACKET_OUTGOING
	{Op: 0x06, K: 0},               // ret #0
	{Op: 0x06, K: 0x00040000},      // ret #262144
}

// chainFilters runs the user's program only on frames first accepts:
// first's accepting returns become jumps to the start of second.
func chainFilters(first []bpf.RawInstruction, second []KernelInsn) []bpf.RawInstruction {
	out := make([]bpf.RawInstruction, 0, len(first)+len(second))
	for i, in := range first {
		if in.Op == 0x06 && in.K != 0 { // ret #k, k > 0: go on to second
			in = bpf.RawInstruction{Op: 0x05, K: uint32(len(first) - i - 1)} // ja
		}
		out = append(out, in)
	}
	for _, in := range second {
		out = append(out, bpf.RawInstruction{Op: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K})
	}
	return out
}

// interfaceLinkType maps the device's ARPHRD type to the LINKTYPE the
// frames carry on an AF_PACKET SOCK_RAW socket.
func interfaceLinkType(name string) (uint32, error) {
	b, err := os.ReadFile("/sys/class/net/" + name + "/type")
	if err != nil {
		return 0, err
	}
	t, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, err
	}
	switch t {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		return 1, nil // Ethernet framing
	case unix.ARPHRD_NONE, unix.ARPHRD_PPP, unix.ARPHRD_TUNNEL, unix.ARPHRD_TUNNEL6, unix.ARPHRD_SIT:
		return 101, nil // raw IP
	}
	return 0, fmt.Errorf("unsupported interface type %d (ARPHRD)", t)
}

// interfaceDown reports whether the interface is gone or not up.
func interfaceDown(name string) bool {
	ifc, err := net.InterfaceByName(name)
	return err != nil || ifc.Flags&net.FlagUp == 0
}

func (s *liveSource) Next() (Frame, error) {
	for {
		if fr, ok, err := s.poll(s.ctx, &s.cfg, s.frames); ok {
			return fr, err
		}
		data, ci, err := s.tp.ZeroCopyReadPacketData()
		if err != nil {
			// A downed or removed interface either stops delivering (a
			// quiet read) or fails the poll: either way say so, checked
			// once per quiet or failed read. The flows so far are kept:
			// the job ends as at a stop condition, with the reason.
			if interfaceDown(s.name) {
				s.ended = "interface " + s.name + " went down"
			} else if !errors.Is(err, afpacket.ErrTimeout) {
				s.ended = fmt.Sprintf("capture error on %s: %v", s.name, err)
			}
			continue
		}
		if len(data) > s.cfg.SnapLen {
			data = data[:s.cfg.SnapLen]
		}
		s.frames++
		s.bytes += int64(len(data))
		ns := ci.Timestamp.UnixNano()
		sec, usec := ci.Timestamp.Unix(), int64(ci.Timestamp.Nanosecond()/1000)
		return Frame{
			TimeNs:   ns,
			TimeMs:   uint64(sec)*1000 + uint64(usec)/1000,
			Data:     data,
			WireLen:  uint32(ci.Length),
			LinkType: s.link,
		}, nil
	}
}

// EndReason says why the capture ended ("" while it runs).
func (s *liveSource) EndReason() string { return s.ended }

// BytesRead counts captured bytes, for progress reports.
func (s *liveSource) BytesRead() int64 { return s.bytes }

// Stats returns the kernel's received and dropped counters.
func (s *liveSource) Stats() (received, dropped uint64) {
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return s.frames, 0
	}
	return uint64(v3.Packets()), uint64(v3.Drops())
}

func (s *liveSource) Close() error {
	s.tp.Close()
	if s.promisc >= 0 {
		unix.Close(s.promisc)
		s.promisc = -1
	}
	return nil
}
