package stages

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// compressor produces one compressed variant of a file.
type compressor struct {
	name     string
	format   string // as error messages name it
	magicLen int    // bytes that identify the format
	compress func(t testing.TB, plain []byte) []byte
}

var compressors = []compressor{
	{"gzip", "gzip", 3, gzipBytes},
	{"zstd", "zstd", 4, func(t testing.TB, plain []byte) []byte {
		var out bytes.Buffer
		enc, err := zstd.NewWriter(&out, zstd.WithEncoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, enc, plain)
		return out.Bytes()
	}},
	{"xz", "xz", 6, func(t testing.TB, plain []byte) []byte {
		var out bytes.Buffer
		enc, err := xz.NewWriter(&out)
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, enc, plain)
		return out.Bytes()
	}},
	// The standard library only decompresses bzip2; use the tool.
	{"bzip2", "bzip2", 4, compressWithTool("bzip2", "-c")},
	// Many small blocks (with a small dictionary, which the xz package
	// allocates for every block): it reports a cut at a block boundary as a
	// clean end, which openXz must catch.
	{"xz-blocks", "xz", 6, compressWithTool("xz", "-c", "--block-size=256", "--lzma2=preset=6,dict=4KiB")},
}

// compressWithTool runs a command-line compressor, skipping the test when
// it is not installed.
func compressWithTool(name string, args ...string) func(t testing.TB, plain []byte) []byte {
	return func(t testing.TB, plain []byte) []byte {
		path, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("%s tool not installed", name)
		}
		cmd := exec.Command(path, args...)
		cmd.Stdin = bytes.NewReader(plain)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func gzipBytes(t testing.TB, plain []byte) []byte {
	var out bytes.Buffer
	enc := gzip.NewWriter(&out)
	mustWrite(t, enc, plain)
	return out.Bytes()
}

func mustWrite(t testing.TB, w interface {
	Write([]byte) (int, error)
	Close() error
}, p []byte) {
	t.Helper()
	if _, err := w.Write(p); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// plainCaptures are the uncompressed inputs every compressor is tried on.
func plainCaptures() map[string][]byte {
	big := newPcapFile(binary.BigEndian, pcapMagicNano, 65535, 1)
	for i := range 2000 {
		big.add(testPacket{sec: uint32(i), frac: uint32(i), data: payloadC[:i%1500]})
	}
	return map[string][]byte{
		"pcapng with two sections":     multiSectionFile().buf,
		"big-endian nanosecond pcap":   big.buf,
		"little-endian microsec. pcap": newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1).add(testPacket{sec: 1, data: payloadA}).buf,
	}
}

func TestCompressedCaptures(t *testing.T) {
	for _, c := range compressors {
		for name, plain := range plainCaptures() {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				want, err := readAll(t, mustReader(t, plain))
				if err != nil {
					t.Fatal(err)
				}
				packed := c.compress(t, plain)
				// The extension lies on purpose: formats are sniffed.
				path := filepath.Join(t.TempDir(), "capture.pcap")
				if err := os.WriteFile(path, packed, 0o644); err != nil {
					t.Fatal(err)
				}
				src, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAll(t, src)
				if err != nil {
					t.Fatalf("after %d frames: %v", len(got), err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("frames (-want +got):\n%s", diff)
				}
				if n := src.(ByteCounter).BytesRead(); n != int64(len(packed)) {
					t.Errorf("BytesRead = %d, want the compressed size %d", n, len(packed))
				}
				if err := src.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
	}
}

func TestGzipMembersReadAsOneStream(t *testing.T) {
	plain := multiSectionFile().buf
	half := len(plain) / 2
	packed := append(gzipBytes(t, plain[:half]), gzipBytes(t, plain[half:])...)
	want, _ := readAll(t, mustReader(t, plain))
	got, err := readAll(t, mustReader(t, packed))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
}

// TestCompressedTruncatedEverywhere cuts compressed captures at every byte:
// no panic, frames are a prefix of the whole file's, and anything short of
// the whole file ends in a *CorruptError (a compressed stream always knows
// it was cut), except cuts inside the magic, which are not captures at all.
func TestCompressedTruncatedEverywhere(t *testing.T) {
	plain := multiSectionFile().buf
	want, _ := readAll(t, mustReader(t, plain))
	for _, c := range compressors {
		t.Run(c.name, func(t *testing.T) {
			packed := c.compress(t, plain)
			for cut := 0; cut < len(packed); cut++ {
				src, err := NewReader("cut", bytes.NewReader(packed[:cut]))
				if cut < c.magicLen {
					if !errors.Is(err, ErrNotCapture) {
						t.Errorf("cut at %d: Open error %v, want ErrNotCapture", cut, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("cut at %d: %v", cut, err)
				}
				got, err := readAll(t, src)
				if len(got) > len(want) {
					t.Fatalf("cut at %d: %d frames, more than the whole file's %d", cut, len(got), len(want))
				}
				if diff := cmp.Diff(want[:len(got)], got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("cut at %d: frames (-want +got):\n%s", cut, diff)
				}
				var corrupt *CorruptError
				if !errors.As(err, &corrupt) || corrupt.Packet != len(got)+1 {
					t.Errorf("cut at %d: after %d frames, error %v; want a *CorruptError for packet %d", cut, len(got), err, len(got)+1)
				}
				src.Close()
			}
		})
	}
}

func TestCompressedNotCapture(t *testing.T) {
	for _, c := range compressors {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader("notes.txt.gz", bytes.NewReader(c.compress(t, []byte("just some notes\n"))))
			if !errors.Is(err, ErrNotCapture) {
				t.Fatalf("error %v, want ErrNotCapture", err)
			}
			if want := "notes.txt.gz: " + c.format + " data: "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
		})
	}
}

// TestZstdWindowBounded feeds a zstd frame header claiming a 2 GiB window
// (window descriptor exponent 21): the decoder must refuse it rather than
// allocate it.
func TestZstdWindowBounded(t *testing.T) {
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x01, 0x00, 0x00}
	src, err := NewReader("huge-window.zst", bytes.NewReader(frame))
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Next()
	var corrupt *CorruptError
	if !errors.As(err, &corrupt) || !errors.Is(err, zstd.ErrWindowSizeExceeded) {
		t.Fatalf("error %v, want a *CorruptError wrapping zstd.ErrWindowSizeExceeded", err)
	}
}
