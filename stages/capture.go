package stages

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"unsafe"
)

// ErrNotCapture is wrapped by the error Open returns for input that is
// neither a pcap nor a pcapng capture, compressed or not.
var ErrNotCapture = errors.New("not a pcap or pcapng capture")

// ByteCounter is implemented by sources that can tell how much of their
// input they have consumed, for progress reports.
type ByteCounter interface {
	// BytesRead returns the bytes read so far from the input as stored
	// (compressed bytes for a compressed file), to compare with its size.
	// It advances in steps of the read buffer, and may be called from
	// another goroutine while the source is being read.
	BytesRead() int64
}

// Open opens a capture file: classic pcap (either byte order, microsecond
// or nanosecond timestamps) or pcapng, possibly compressed with gzip, zstd,
// xz or bzip2. Formats are recognised by their magic bytes, never by the
// file name. The path "-" reads standard input.
//
// Open fails for a missing file (the error wraps fs.ErrNotExist) and for
// input that is not a capture (it wraps ErrNotCapture). A capture whose
// headers are damaged opens fine: its Source reports a *CorruptError from
// Next after the frames that could be read.
func Open(path string) (Source, error) {
	return openCapture(context.Background(), path, nil)
}

// openCapture opens one capture; with tee set, every byte read from the
// file (before any decompression) is also written to tee.
func openCapture(ctx context.Context, path string, tee io.Writer) (*captureSource, error) {
	r, c, err := openInput(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open capture: %w", err)
	}
	if f, ok := r.(*os.File); ok && path != "-" {
		if m, err := mapInput(f); err == nil {
			if src, err := newMappedCaptureSource(path, m, c); src != nil || err != nil {
				if err != nil {
					m.close()
					c.Close()
				} else if tee != nil {
					src.tee = startTeeAhead(f, int64(len(m.data)), tee)
				}
				return src, err
			}
			m.close() // compressed: decompress it through a reader
		}
	}
	if tee != nil {
		r = io.TeeReader(r, tee)
	}
	src, err := newCaptureSource(path, r, c)
	if err != nil {
		if c != nil {
			c.Close()
		}
		return nil, err
	}
	return src, nil
}

// NewReader reads a capture from r, recognised as Open does; name labels
// errors. Closing the Source does not close r.
func NewReader(name string, r io.Reader) (Source, error) {
	return newCaptureSource(name, r, nil)
}

// frameReader is one capture format's record decoder.
type frameReader interface {
	next() (Frame, error)
	// corrupt returns err as damage at the packet next would return.
	corrupt(err error) error
	// hold keeps the pages of the records next returns from now on mapped
	// until hold is called again (see recordBuffer.keep): a batch of frames
	// stays valid as a whole.
	hold()
}

// captureSource reads one capture.
type captureSource struct {
	frames       frameReader
	input        *countingReader
	mapped       *mapping  // nil when the capture is read, not mapped
	touched      byte      // see nextMapped
	tee          *teeAhead // nil unless a mapped capture is teed
	decompressor io.Closer // nil when the input is not compressed
	file         io.Closer // nil when the caller owns the input
	err          error     // sticky: io.EOF or the first failure
}

var (
	_ Source      = (*captureSource)(nil)
	_ ByteCounter = (*captureSource)(nil)
)

func newCaptureSource(name string, r io.Reader, file io.Closer) (*captureSource, error) {
	src := &captureSource{input: &countingReader{r: r}, file: file}
	br := newReadBuffer(src.input)
	if head, err := br.Peek(maxMagicLen); len(head) < maxMagicLen && err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", name, err) // a directory, a failing disk
	}
	if c := sniffCompression(br); c != nil {
		dec, err := decompress(c, br)
		if err != nil {
			// The magic says compressed, so this is a damaged file rather
			// than a foreign one: report it like other damage.
			src.err = &CorruptError{File: name, Packet: 1, Err: err}
			return src, nil
		}
		src.decompressor = dec
		br = newReadBuffer(dec)
		if err := src.sniffFormat(name, br); err != nil {
			dec.Close() // the caller closes the file
			return nil, fmt.Errorf("%s: %s data: %w", name, c.name, err)
		}
		return src, nil
	}
	if err := src.sniffFormat(name, br); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return src, nil
}

// newMappedCaptureSource reads an uncompressed capture from its mapping; it
// returns nil and no error for a compressed one, which is read instead.
func newMappedCaptureSource(name string, m *mapping, file io.Closer) (*captureSource, error) {
	if compressionOf(m.data[:min(len(m.data), maxMagicLen)]) != nil {
		return nil, nil
	}
	src := &captureSource{input: &countingReader{}, mapped: m, file: file}
	if err := src.sniffFormatOf(name, m.data[:min(len(m.data), 4)], nil, newMappedRecordBuffer(m)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return src, nil
}

// sniffFormat picks the record decoder from the first four bytes of br.
func (s *captureSource) sniffFormat(name string, br *bufio.Reader) error {
	head, err := br.Peek(4)
	return s.sniffFormatOf(name, head, err, newRecordBuffer(br))
}

// sniffFormatOf picks the record decoder from head, the first four bytes of
// the capture (fewer if reading them failed with err), and starts it on
// records.
func (s *captureSource) sniffFormatOf(name string, head []byte, err error, records recordBuffer) error {
	if len(head) < 4 {
		if err != nil && !errors.Is(err, io.EOF) {
			// A damaged compressed stream or a failing read.
			s.err = &CorruptError{File: name, Packet: 1, Err: err}
			return nil
		}
		return fmt.Errorf("%w: only %d bytes", ErrNotCapture, len(head))
	}
	magic := binary.LittleEndian.Uint32(head)
	_, isPcap := pcapOrder(magic)
	if !isPcap && magic != blockSectionHeader {
		return fmt.Errorf("%w: starts with % x", ErrNotCapture, head)
	}
	if isPcap {
		pcap, err := newPcapReader(name, records)
		s.frames, s.err = pcap, err
		return nil
	}
	s.frames = newPcapngReader(name, records)
	return nil
}

// Next returns the next frame. Frame.Data belongs to the source and is valid
// only until the next call to Next or Close. At the end it returns io.EOF;
// on damage, a *CorruptError; both repeat on later calls.
func (s *captureSource) Next() (Frame, error) {
	if s.err != nil {
		return Frame{}, s.err
	}
	if s.mapped != nil {
		return s.nextMapped()
	}
	frame, err := s.frames.next()
	if err != nil {
		s.err = err
	}
	return frame, err
}

// nextMapped is Next over a mapping. If the file shrinks while it is read,
// touching a page past its new end faults; that is reported as damage at
// this packet instead of crashing the process.
func (s *captureSource) nextMapped() (frame Frame, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !inMapping(r, s.mapped) {
				panic(r)
			}
			frame, err = Frame{}, s.frames.corrupt(errFileShrank)
			s.err = err
		}
	}()
	frame, err = s.frames.next()
	if err != nil {
		s.err = err
	}
	if n := len(frame.Data); n > 0 {
		// Fault the frame's last page in here, under the recover, rather
		// than in the caller.
		s.touched ^= frame.Data[n-1]
	}
	return frame, err
}

var errFileShrank = errors.New("the file became shorter while it was read")

// nextBatch implements frameBatcher. A mapped capture fills dst under one
// fault guard; a read one yields a frame at a time, since its buffer is
// reused by the next read.
func (s *captureSource) nextBatch(dst []Frame) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.mapped == nil {
		frame, err := s.Next()
		if err != nil {
			return 0, err
		}
		dst[0] = frame
		return 1, nil
	}
	if n := s.nextMappedBatch(dst); n > 0 {
		return n, nil
	}
	return 0, s.err
}

// nextMappedBatch is nextMapped for many frames: the guard's cost (two
// SetPanicOnFault calls, a deferred recover) is paid once per batch. It
// stops at the first error, which it leaves in s.err.
func (s *captureSource) nextMappedBatch(dst []Frame) (n int) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !inMapping(r, s.mapped) {
				panic(r)
			}
			s.err = s.frames.corrupt(errFileShrank)
		}
	}()
	s.frames.hold()
	batcher, _ := s.frames.(frameBatcher)
	for n < len(dst) {
		k := 1
		if batcher != nil {
			var err error
			if k, err = batcher.nextBatch(dst[n:]); err != nil {
				s.err = err
				return n
			}
		} else {
			frame, err := s.frames.next()
			if err != nil {
				s.err = err
				return n
			}
			dst[n] = frame
		}
		for i := n; i < n+k; i++ {
			if last := len(dst[i].Data); last > 0 {
				s.touched ^= dst[i].Data[last-1]
			}
		}
		n += k
	}
	return n
}

// inMapping tells whether a recovered panic is the fault of an access to
// m's pages (runtime/debug.SetPanicOnFault), not a bug.
func inMapping(r any, m *mapping) bool {
	e, ok := r.(interface{ Addr() uintptr })
	if !ok || len(m.data) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
	return e.Addr() >= start && e.Addr()-start < uintptr(len(m.data))
}

// Close releases the decompressor and closes the file Open opened.
func (s *captureSource) Close() error {
	if s.err == nil {
		s.err = errClosed
	}
	var errs []error
	if s.decompressor != nil {
		errs = append(errs, s.decompressor.Close())
		s.decompressor = nil
	}
	if s.tee != nil {
		s.tee.wait(s.err == io.EOF)
		s.tee = nil
	}
	if s.mapped != nil {
		// s.mapped stays set: BytesRead may still be called.
		errs = append(errs, s.mapped.close())
	}
	if s.file != nil {
		errs = append(errs, s.file.Close())
		s.file = nil
	}
	return errors.Join(errs...)
}

// readsMapped tells Prefetch that the capture is read from its mapping.
func (s *captureSource) readsMapped() bool { return s.mapped != nil }

// BytesRead implements ByteCounter.
func (s *captureSource) BytesRead() int64 {
	if m := s.mapped; m != nil {
		return m.consumed.Load()
	}
	return s.input.n.Load()
}

var errClosed = errors.New("capture source is closed")

// countingReader counts the bytes read through it; the count may be read
// concurrently by a progress reporter.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// OpenFiles reads several capture files one after another as one capture,
// like NFStream's list source. Every file is opened and recognised up front,
// so a missing or foreign file fails here rather than half-way; each is then
// reopened in turn. A *CorruptError names the damaged file and counts
// packets within it.
func OpenFiles(paths []string) (Source, error) {
	return openFiles(context.Background(), paths, nil)
}

// OpenFilesTee is OpenFilesContext that also writes every byte of
// paths[i], as stored in the file, to tee(i): a build hashes its inputs
// while it reads them instead of in a pass of its own. A file is teed only
// while it is open for its frames, from its first byte; tee(i) receives a
// prefix of the file, all of it once the source has reached io.EOF and been
// closed. A mapped file is teed on a goroutine of its own (so tee(i) must
// not be read before Close), any other as its bytes are read.
func OpenFilesTee(ctx context.Context, paths []string, tee func(i int) io.Writer) (Source, error) {
	return openFiles(ctx, paths, tee)
}

func openFiles(ctx context.Context, paths []string, tee func(int) io.Writer) (Source, error) {
	teeOf := func(i int) io.Writer {
		if tee == nil {
			return nil
		}
		return tee(i)
	}
	if len(paths) == 0 {
		return nil, errors.New("open captures: no files given")
	}
	if len(paths) == 1 {
		src, err := openCapture(ctx, paths[0], teeOf(0))
		if err != nil {
			return nil, err
		}
		return src, nil
	}
	var first *captureSource
	allMapped := true
	for i, path := range paths {
		if path == "-" {
			if first != nil {
				first.Close()
			}
			return nil, errors.New("open captures: standard input cannot be one of several files")
		}
		// Only the first file is kept open; the others are checked here
		// and teed when they are reopened for reading.
		var w io.Writer
		if i == 0 {
			w = teeOf(0)
		}
		src, err := openCapture(ctx, path, w)
		if err != nil {
			if first != nil {
				first.Close()
			}
			return nil, err
		}
		allMapped = allMapped && src.readsMapped()
		if i == 0 {
			first = src
		} else {
			src.Close()
		}
	}
	return &fileListSource{ctx: ctx, paths: paths, current: first, tee: teeOf, mapped: allMapped}, nil
}

// fileListSource chains the sources of several files.
type fileListSource struct {
	ctx    context.Context
	paths  []string
	tee    func(int) io.Writer
	index  int // of the file being read
	err    error
	mapped bool // every file was mapped when it was checked

	mu        sync.Mutex     // guards the two fields below for BytesRead
	current   *captureSource // nil once every file is done
	bytesDone int64          // read from the finished files
}

var (
	_ Source      = (*fileListSource)(nil)
	_ ByteCounter = (*fileListSource)(nil)
)

// Next returns the next frame of the current file, moving on to the next
// file at each end. Frame.Data is valid until the next call to Next or Close.
func (m *fileListSource) Next() (Frame, error) {
	for m.err == nil {
		frame, err := m.current.Next()
		if err == nil {
			return frame, nil
		}
		m.moveOn(err)
	}
	return Frame{}, m.err
}

// nextBatch implements frameBatcher over the files in turn.
func (m *fileListSource) nextBatch(dst []Frame) (int, error) {
	for m.err == nil {
		n, err := m.current.nextBatch(dst)
		if n > 0 {
			return n, nil
		}
		m.moveOn(err)
	}
	return 0, m.err
}

// moveOn opens the next file when the current one ended with io.EOF, and
// otherwise records err as the list's.
func (m *fileListSource) moveOn(err error) {
	if err != io.EOF {
		m.err = err
		return
	}
	if err := m.finishCurrent(); err != nil {
		m.err = err
		return
	}
	m.index++
	if m.index == len(m.paths) {
		m.err = io.EOF
		return
	}
	src, err := openCapture(m.ctx, m.paths[m.index], m.tee(m.index))
	if err != nil {
		m.err = err // the file changed since OpenFiles checked it
		return
	}
	m.mu.Lock()
	m.current = src
	m.mu.Unlock()
}

func (m *fileListSource) finishCurrent() error {
	m.mu.Lock()
	current := m.current
	m.bytesDone += current.BytesRead()
	m.current = nil
	m.mu.Unlock()
	return current.Close()
}

// readsMapped tells Prefetch that every file is read from its mapping.
func (m *fileListSource) readsMapped() bool { return m.mapped }

// Close closes the file being read.
func (m *fileListSource) Close() error {
	if m.err == nil {
		m.err = errClosed
	}
	if m.current == nil {
		return nil
	}
	return m.finishCurrent()
}

// BytesRead implements ByteCounter: bytes of the finished files plus those
// read so far from the current one. It may be called concurrently with Next.
func (m *fileListSource) BytesRead() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.bytesDone
	if m.current != nil {
		n += m.current.BytesRead()
	}
	return n
}
