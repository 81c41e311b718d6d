package stages

import (
	"bufio"
	"errors"
	"io"
	"math"
	"slices"
)

// readBufferSize is the size of the bufio buffer a capture is read through.
// Records up to this size (every Ethernet, jumbo and 64 KiB loopback frame)
// are handed out straight from that buffer, with no copy; larger ones go
// through recordBuffer.large.
const readBufferSize = 64 << 10

// maxPacketFloor is the smallest caplen limit: a record may always carry up to
// 256 KiB (libpcap's MAXIMUM_SNAPLEN), or the file's snaplen if that is larger.
const maxPacketFloor = 256 << 10

// maxPacketCeiling caps that limit whatever a (possibly damaged) snaplen
// says: libpcap itself refuses anything above 256 KiB, and 16 MiB is also
// the pcapng block bound. It keeps lengths far from int overflow on 32-bit
// platforms.
const maxPacketCeiling = 16 << 20

// captureLimit returns the largest caplen accepted for a snaplen.
func captureLimit(snaplen uint32) uint32 {
	return min(max(snaplen, maxPacketFloor), maxPacketCeiling)
}

// newReadBuffer returns the buffered reader a capture is read through.
func newReadBuffer(r io.Reader) *bufio.Reader {
	return bufio.NewReaderSize(r, readBufferSize)
}

// recordBuffer hands out whole records (record header plus packet bytes)
// from a bufio.Reader. A record that fits the bufio buffer is returned as a
// slice of that buffer and consumed at the next call, so reading a frame
// neither copies nor allocates. A larger record is assembled in one reusable
// slice that grows only as bytes actually arrive, so a damaged length field
// cannot make us allocate what the file does not contain.
type recordBuffer struct {
	br      *bufio.Reader // nil when the capture is mapped
	mapped  *mapping      // non-nil: win is the whole file
	mark    int           // where to call mapped.advance next (bufio: never)
	pending int           // bytes of the previously returned record, consumed lazily
	large   []byte        // reused for records larger than the bufio buffer
	// keep is the start of the oldest record still in use (mapped only):
	// pages from there on are not given back. A batch of frames holds
	// every record it returned; one frame at a time, keep is unbounded
	// and pages go back as soon as they are consumed.
	keep int
	// win is what the bufio buffer held at the last refill and off how much
	// of it was consumed: records are cut from it without a bufio call each
	// (two Peeks and a Discard per record had been a tenth of a run).
	win []byte
	off int
}

// newRecordBuffer reads records through br.
func newRecordBuffer(br *bufio.Reader) recordBuffer {
	return recordBuffer{br: br, mark: math.MaxInt}
}

// newMappedRecordBuffer cuts records from a mapped file.
func newMappedRecordBuffer(m *mapping) recordBuffer {
	return recordBuffer{mapped: m, win: m.data, keep: math.MaxInt}
}

// hold keeps the records returned from now on mapped until the next hold.
func (b *recordBuffer) hold() { b.keep = b.off + b.pending }

// release consumes the record returned by the previous call.
func (b *recordBuffer) release() {
	b.off += b.pending
	b.pending = 0
}

// sync hands the consumed bytes back to the bufio.Reader, before reading
// from it directly.
func (b *recordBuffer) sync() error {
	b.release()
	n := b.off
	b.win, b.off = nil, 0
	if n == 0 {
		return nil
	}
	_, err := b.br.Discard(n) // the bytes were peeked, so this cannot fail short
	return err
}

// peek returns the next n bytes (n ≤ readBufferSize) without consuming them.
// The slice is valid until the next call on b. It returns io.EOF when the
// input ends exactly here and io.ErrUnexpectedEOF when it ends within the n
// bytes.
func (b *recordBuffer) peek(n int) ([]byte, error) {
	b.release()
	if b.off+n <= len(b.win) && b.off < b.mark {
		return b.win[b.off : b.off+n], nil
	}
	if b.mapped != nil {
		return b.peekMapped(n)
	}
	if err := b.sync(); err != nil {
		return nil, err
	}
	p, err := b.br.Peek(n)
	if len(p) < n {
		return p, shortRead(len(p), err)
	}
	b.win, _ = b.br.Peek(b.br.Buffered()) // at least the n bytes just peeked
	return b.win[:n], nil
}

// take returns the next n bytes and consumes them at the next call on b. The
// slice is valid until then.
func (b *recordBuffer) take(n int) ([]byte, error) {
	if b.mapped != nil || n <= b.br.Size() {
		p, err := b.peek(n)
		if err != nil {
			return p, err
		}
		b.pending = n
		return p, nil
	}
	if err := b.sync(); err != nil {
		return nil, err
	}
	// Read in steps that at most double what has already arrived, so memory
	// stays proportional to the bytes present in the file.
	b.large = b.large[:0]
	for len(b.large) < n {
		step := min(n-len(b.large), max(len(b.large), b.br.Size()))
		b.large = slices.Grow(b.large, step)
		have := len(b.large)
		got, err := io.ReadFull(b.br, b.large[have:have+step])
		b.large = b.large[:have+got]
		if err != nil {
			return b.large, shortRead(len(b.large), err)
		}
	}
	return b.large, nil
}

// skip consumes the next n bytes without looking at them.
func (b *recordBuffer) skip(n int) error {
	b.release()
	if b.off+n <= len(b.win) && b.off < b.mark {
		b.off += n
		return nil
	}
	if b.mapped != nil {
		p, err := b.peekMapped(n)
		b.off += len(p)
		return err
	}
	if err := b.sync(); err != nil {
		return err
	}
	got, err := b.br.Discard(n)
	if got == n {
		return nil
	}
	return shortRead(got, err)
}

// peekMapped is peek's slow path over a mapping: it moves the mapping's
// window on, and reports the end of the file like a short read.
func (b *recordBuffer) peekMapped(n int) ([]byte, error) {
	if b.off >= b.mark {
		b.mark = b.mapped.advance(b.off, min(b.off, b.keep))
	}
	if rest := len(b.win) - b.off; rest < n {
		if rest == 0 {
			b.mapped.advance(b.off, min(b.off, b.keep)) // give the last pages back
		}
		return b.win[b.off:], shortRead(rest, io.EOF)
	}
	return b.win[b.off : b.off+n], nil
}

// shortRead turns the error of a read that returned got bytes of the ones
// asked for into io.EOF (nothing at all was left) or io.ErrUnexpectedEOF
// (the input stopped inside a record); other errors, such as a damaged
// compressed stream, pass through.
func shortRead(got int, err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
		if got == 0 && (err == nil || errors.Is(err, io.EOF)) {
			return io.EOF
		}
		return io.ErrUnexpectedEOF
	}
	return err
}
