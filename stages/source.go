package stages

import "github.com/nfdataset/nfdataset/meter"

// Frame is one captured frame. Data belongs to the source and is only valid
// until the next call to Next (gopacket's zero-copy rule).
type Frame struct {
	TimeNs int64 // capture time, nanoseconds since the Unix epoch
	// TimeMs is NFStream's time_ms: libpcap's tv_sec×1000 + tv_usec/1000 in
	// uint64 arithmetic. It equals floor(TimeNs/1e6) for any sane capture
	// and stays exact where TimeNs overflows (a pcapng timestamp far in the
	// future, as in the corpus' dhcp_little_endian.pcapng).
	TimeMs   uint64
	Data     []byte // captured bytes (caplen)
	WireLen  uint32 // original length on the wire
	LinkType uint32 // LINKTYPE_* of the interface that captured it
	// File names the capture the frame came from, as the user gave it
	// ("-" for stdin; "" for a live interface), for warnings.
	File string
	// Tick marks a wall-clock tick from a live source instead of a frame:
	// TimeMs is the current time and the job runs the meter's timers.
	Tick bool
}

// Source yields frames in capture order. Next returns io.EOF at the end.
// A damaged capture yields the frames before the damage, then a
// *CorruptError (callers warn and stop, or fail with --strict).
type Source interface {
	Next() (Frame, error)
	Close() error
}

// CorruptError reports a truncated or damaged capture.
type CorruptError struct {
	File   string // file name as given by the user ("-" for stdin)
	Packet int    // 1-based number of the record that could not be read
	Err    error
}

func (e *CorruptError) Error() string {
	return "capture " + e.File + ": packet " + itoa(e.Packet) + ": " + e.Err.Error()
}

func (e *CorruptError) Unwrap() error { return e.Err }

// LinkTypeError reports frames of a link type the meter does not decode:
// NFStream ignores every one of them, so without this warning such a
// capture would give no flows and no word why.
type LinkTypeError struct {
	File     string // as in Frame.File
	LinkType uint32
}

func (e *LinkTypeError) Error() string {
	name := meter.LinkTypeName(e.LinkType)
	if name != "" {
		name = " (" + name + ")"
	}
	file := e.File
	if file == "" {
		file = "live input"
	}
	msg := "capture " + file + ": link type " + itoa(int(e.LinkType)) + name + " is not decoded, its frames are ignored"
	switch e.LinkType {
	case meter.LinkPPI:
		return msg + " (NFStream ignores them too; flows --ppi or [streamer] ppi = true decodes them)"
	case meter.LinkLinuxSLL2:
		return msg + " (NFStream ignores them too; flows --linux-sll2 or [streamer] linux_sll2 = true decodes them)"
	}
	return msg + " (docs/manifest.md lists the link types decoded)"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// TimeUs is the capture time in microseconds (truncated, as libpcap hands
// it), from TimeNs where that holds the time and from TimeMs otherwise.
func (f Frame) TimeUs() uint64 {
	if f.TimeNs >= 0 && uint64(f.TimeNs/1_000_000) == f.TimeMs {
		return uint64(f.TimeNs / 1000)
	}
	return f.TimeMs * 1000
}

// frameBatchSize is how many frames readFrames asks a source for at once.
const frameBatchSize = 128

// frameBatcher is a Source that hands out many frames per call, so that
// the per-frame costs of Next (an interface call, a frame copied out, a
// mapped reader's fault guard) are paid once per batch. nextBatch fills
// the start of dst and returns how many frames it wrote, at least one, or
// 0 and the error that ends the source (io.EOF at its end); the frames'
// Data are valid until the next call.
type frameBatcher interface {
	nextBatch(dst []Frame) (int, error)
}

// batchesOf returns src as a frameBatcher: itself when it is one, else one
// frame per batch through Next.
func batchesOf(src Source) frameBatcher {
	if b, ok := src.(frameBatcher); ok {
		return b
	}
	return oneFrameBatches{src}
}

type oneFrameBatches struct{ Source }

func (s oneFrameBatches) nextBatch(dst []Frame) (int, error) {
	frame, err := s.Next()
	if err != nil {
		return 0, err
	}
	dst[0] = frame
	return 1, nil
}
