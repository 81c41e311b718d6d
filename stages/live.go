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
}

// ErrLiveUnsupported is returned where live capture is not built in.
var ErrLiveUnsupported = errors.New("live capture is only supported on Linux (AF_PACKET)")

// IsInterface reports whether name is a network interface of this host.
func IsInterface(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}
