package stages

import (
	"context"
	"errors"
	"net"
	"time"
)

// LiveConfig holds NFStreamer's live-capture parameters.
type LiveConfig struct {
	SnapLen     int             // snapshot_length: bytes kept per frame (default 1536)
	Promiscuous bool            // promiscuous_mode
	BufferSize  int             // socket_buffer_size in bytes; 0 = the default ring
	ReadTimeout time.Duration   // how long one read may wait (NFStream: 1 s)
	Duration    time.Duration   // stop after this long (0: until the context ends)
	MaxPackets  uint64          // stop after this many frames (0: no limit)
	Context     context.Context // ends the capture when done
	// Tick, when > 0, makes the source hand the job a wall-clock tick
	// (Frame.Tick) at least this often, so that idle and active timeouts
	// expire flows on a quiet link. Reads then wait at most Tick.
	Tick time.Duration
	// KernelFilter, when set, returns the classic BPF program to attach
	// to the socket for the interface's LINKTYPE, so that the kernel drops
	// unwanted frames before they are copied (bpf_filter); nil program:
	// none. The job's user-space filter still sees every frame kept.
	KernelFilter func(linkType uint32) ([]KernelInsn, error)
	// Fanout, when > 1, captures with that many sockets in one
	// PACKET_FANOUT group (fanout = true): the kernel spreads frames over
	// their rings by flow hash, so each flow's frames keep their order on
	// one socket. Each socket is drained on its own goroutine and the
	// source hands their frames on as they arrive.
	Fanout int
}

// KernelInsn is one classic BPF instruction (struct sock_filter).
type KernelInsn struct {
	Op     uint16
	Jt, Jf uint8
	K      uint32
}

// LiveStats is implemented by live sources: the socket's counters.
type LiveStats interface {
	// Stats returns the frames the kernel delivered to the socket and the
	// frames it dropped because the ring was full.
	Stats() (received, dropped uint64)
	// EndReason says why the source reported the end of input: "duration",
	// "packets", "stopped" (its context ended), or what went wrong with
	// the interface ("interface eth0 went down"); "" while it runs.
	EndReason() string
}

// ErrLiveUnsupported is returned where live capture is not built in.
var ErrLiveUnsupported = errors.New("live capture is only supported on Linux (AF_PACKET)")

// IsInterface reports whether name is a network interface of this host.
func IsInterface(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}
