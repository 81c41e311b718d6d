package stages

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// compression is a compressed-stream format recognised by its magic bytes,
// never by the file name's extension.
type compression struct {
	name  string
	magic []byte
	// next, when set, must accept the byte after magic; it keeps
	// three-letter magics such as bzip2's "BZh" from matching text.
	next func(byte) bool
	open func(io.Reader) (io.ReadCloser, error)
}

// maxZstdWindow is the largest zstd window we accept: 128 MiB, the limit
// the reference zstd tool decodes without --long. The window is allocated up
// front from a frame header that has no checksum, so it must be bounded.
const maxZstdWindow = 128 << 20

var compressions = []compression{
	{name: "gzip", magic: []byte{0x1f, 0x8b, 0x08}, open: openGzip}, // 8: deflate, the only method
	{name: "zstd", magic: []byte{0x28, 0xb5, 0x2f, 0xfd}, open: openZstd},
	{name: "xz", magic: []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, open: openXz},
	{name: "bzip2", magic: []byte{'B', 'Z', 'h'}, next: isBzip2BlockSize, open: openBzip2},
}

// maxMagicLen is the number of leading bytes that identify any format we
// read, compressed or not.
const maxMagicLen = 8

// sniffCompression returns the compression that the stream in br starts
// with, or nil for an uncompressed stream.
func sniffCompression(br *bufio.Reader) *compression {
	head, _ := br.Peek(maxMagicLen) // a short stream simply matches nothing
	return compressionOf(head)
}

// compressionOf returns the compression whose magic head starts with.
func compressionOf(head []byte) *compression {
	for i := range compressions {
		c := &compressions[i]
		if !bytes.HasPrefix(head, c.magic) {
			continue
		}
		if c.next == nil || len(head) > len(c.magic) && c.next(head[len(c.magic)]) {
			return c
		}
	}
	return nil
}

// isBzip2BlockSize accepts the block-size digit after "BZh".
func isBzip2BlockSize(b byte) bool { return b >= '1' && b <= '9' }

func openGzip(r io.Reader) (io.ReadCloser, error) {
	// klauspost's gzip is the standard library's API, faster, and does not
	// allocate per block. It reads concatenated members as one stream.
	return gzip.NewReader(r)
}

func openZstd(r io.Reader) (io.ReadCloser, error) {
	// One decoder goroutine-free: the stream is consumed sequentially anyway
	// and nothing is left running if the caller forgets Close.
	dec, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow))
	if err != nil {
		return nil, err
	}
	return zstdReadCloser{dec}, nil
}

type zstdReadCloser struct{ *zstd.Decoder }

func (z zstdReadCloser) Close() error {
	z.Decoder.Close()
	return nil
}

func openXz(r io.Reader) (io.ReadCloser, error) {
	// The dictionary size comes from CRC-protected block headers, so
	// damage is caught before it can size an allocation.
	raw := &xzTail{r: r}
	dec, err := xz.NewReader(raw)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(&xzEndCheck{dec: dec, raw: raw}), nil
}

// xzFooterMagic ends every complete xz stream (before optional zero padding).
var xzFooterMagic = [2]byte{'Y', 'Z'}

// xzEndCheck turns the xz package's clean end of stream into
// io.ErrUnexpectedEOF when the input was cut at a block boundary: the
// package then reports io.EOF although no stream footer was read.
type xzEndCheck struct {
	dec io.Reader
	raw *xzTail
}

func (x *xzEndCheck) Read(p []byte) (int, error) {
	n, err := x.dec.Read(p)
	if err == io.EOF && x.raw.last != xzFooterMagic {
		err = fmt.Errorf("xz: stream ends without its footer: %w", io.ErrUnexpectedEOF)
	}
	return n, err
}

// xzTail remembers the last two non-zero bytes the xz decoder read, which
// for a complete file are the footer magic (stream padding is zeros).
type xzTail struct {
	r    io.Reader
	last [2]byte
}

func (t *xzTail) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	data := bytes.TrimRight(p[:n], "\x00")
	switch len(data) {
	case 0:
	case 1:
		t.last = [2]byte{t.last[1], data[0]}
	default:
		t.last = [2]byte{data[len(data)-2], data[len(data)-1]}
	}
	return n, err
}

func openBzip2(r io.Reader) (io.ReadCloser, error) {
	return io.NopCloser(bzip2.NewReader(r)), nil
}

// decompress wraps r in the decompressor for c.
func decompress(c *compression, r io.Reader) (io.ReadCloser, error) {
	rc, err := c.open(r)
	if err != nil {
		return nil, fmt.Errorf("%s stream: %w", c.name, err)
	}
	return rc, nil
}
