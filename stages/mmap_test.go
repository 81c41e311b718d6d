package stages

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// describeFrames reads src to its end and describes every frame (times,
// lengths, link type, file, a digest of the bytes) and the final error, for
// comparing two ways of reading one capture with cmp.Diff.
func describeFrames(src Source) []string {
	var out []string
	for {
		fr, err := src.Next()
		if err != nil {
			return append(out, "end: "+err.Error())
		}
		out = append(out, fmt.Sprintf("%d %d %d %d %s %x", fr.TimeNs, fr.TimeMs, fr.WireLen, fr.LinkType, fr.File, sha256.Sum256(fr.Data)))
	}
}

// describeBatches is describeFrames through nextBatch, size frames at a
// time: every frame of a batch is described only once the batch is whole,
// so its bytes must have stayed valid that long.
func describeBatches(src Source, size int) []string {
	var out []string
	batches := batchesOf(src)
	dst := make([]Frame, size)
	for {
		n, err := batches.nextBatch(dst)
		if n == 0 {
			return append(out, "end: "+err.Error())
		}
		for _, fr := range dst[:n] {
			out = append(out, fmt.Sprintf("%d %d %d %d %s %x", fr.TimeNs, fr.TimeMs, fr.WireLen, fr.LinkType, fr.File, sha256.Sum256(fr.Data)))
		}
	}
}

// mapEverything makes every file worth mapping for the length of a test.
func mapEverything(t *testing.T) {
	old := minMappedSize
	minMappedSize = 0
	t.Cleanup(func() { minMappedSize = old })
}

// describeBuffered reads path through the bufio path, never mapped.
func describeBuffered(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := NewReader(path, f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer src.Close()
	return describeFrames(src)
}

// describeMapped opens path as Open does, and checks it was mapped unless
// it is compressed.
func describeMapped(t *testing.T, path string) []string {
	t.Helper()
	src, err := Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer src.Close()
	if cs := src.(*captureSource); cs.mapped == nil && cs.decompressor == nil && runtime.GOOS == "linux" {
		t.Fatalf("%s was read, not mapped", path)
	}
	return describeFrames(src)
}

// describeMappedBatches is describeMapped through nextBatch.
func describeMappedBatches(t *testing.T, path string, size int) []string {
	t.Helper()
	src, err := Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer src.Close()
	return describeBatches(src, size)
}

// TestMappedCaptureReadsLikeBuffered reads every corpus capture, whole and
// cut short at several places, both from its mapping and through the read
// buffer: the frames, their bytes and the final error (damage included) must
// be the same.
func TestMappedCaptureReadsLikeBuffered(t *testing.T) {
	mapEverything(t)
	var paths []string
	for _, dir := range []string{"corpus/nfstream/pcaps", "corpus/ndpi/pcaps"} {
		found, _ := filepath.Glob(filepath.Join(sharedPath(t, dir), "*.pcap*"))
		paths = append(paths, found...)
	}
	if len(paths) < 300 {
		t.Fatalf("found %d corpus captures, want the whole corpus", len(paths))
	}
	tmp := t.TempDir()
	for i, path := range paths {
		buffered := describeBuffered(t, path)
		if diff := cmp.Diff(buffered, describeMapped(t, path)); diff != "" {
			t.Fatalf("%s: mapped differs from buffered (-buffered +mapped):\n%s", path, diff)
		}
		if diff := cmp.Diff(buffered, describeMappedBatches(t, path, 5)); diff != "" {
			t.Fatalf("%s: mapped in batches differs from buffered (-buffered +mapped):\n%s", path, diff)
		}
		if i%10 != 0 {
			continue // the cuts: every tenth capture
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{4, 30, len(data) / 3, len(data) - 1} {
			if cut <= 0 || cut >= len(data) {
				continue
			}
			short := filepath.Join(tmp, fmt.Sprintf("cut%d-%s", cut, filepath.Base(path)))
			if err := os.WriteFile(short, data[:cut], 0o644); err != nil {
				t.Fatal(err)
			}
			want := describeBuffered(t, short)
			if diff := cmp.Diff(want, describeMapped(t, short)); diff != "" {
				t.Fatalf("%s cut at %d: mapped differs (-buffered +mapped):\n%s", path, cut, diff)
			}
			if diff := cmp.Diff(want, describeMappedBatches(t, short, 128)); diff != "" {
				t.Fatalf("%s cut at %d: mapped in batches differs (-buffered +mapped):\n%s", path, cut, diff)
			}
		}
	}
}

// bigCapture writes a classic pcap of n 1,000-byte frames, several mapping
// chunks long.
func bigCapture(t *testing.T, n int) string {
	t.Helper()
	file := newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1)
	payload := bytes.Repeat([]byte{0xab}, 1000)
	for i := range n {
		payload[0] = byte(i)
		file.add(testPacket{sec: uint32(i), data: payload})
	}
	path := filepath.Join(t.TempDir(), "big.pcap")
	if err := os.WriteFile(path, file.buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMappedTeeSeesTheFile: a build hashes what the reader consumed, so the
// tee of a mapped capture must receive the file from its first byte, all of
// it at io.EOF, and only a prefix of it when reading stops early.
func TestMappedTeeSeesTheFile(t *testing.T) {
	mapEverything(t)
	path := bigCapture(t, 3*mapChunk/1000)
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, frames := range []int{-1, 1, mapChunk/1000 + 5} {
		var teed bytes.Buffer
		src, err := OpenFilesTee(t.Context(), []string{path}, func(int) io.Writer { return &teed })
		if err != nil {
			t.Fatal(err)
		}
		if src.(*captureSource).mapped == nil && runtime.GOOS == "linux" {
			t.Fatal("not mapped")
		}
		for n := 0; frames < 0 || n < frames; n++ {
			if _, err := src.Next(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
		src.Close()
		if !bytes.HasPrefix(want, teed.Bytes()) {
			t.Fatalf("after %d frames the tee holds %d bytes that are not the file's start", frames, teed.Len())
		}
		if frames < 0 && teed.Len() != len(want) {
			t.Fatalf("at the end the tee holds %d of %d bytes", teed.Len(), len(want))
		}
	}
}

// TestMappedFileShrinks: a capture cut short by another process while it is
// read faults on the pages past its new end. Next must report that as
// damage at the right packet, not crash.
func TestMappedFileShrinks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("captures are mapped on Linux only")
	}
	mapEverything(t)
	// Both ways of reading a mapped capture: a frame at a time, and in
	// batches of 64 (the fault then comes inside a batch).
	for _, readers := range []struct {
		name string
		next func(Source) (int, error)
	}{
		{"Next", func(src Source) (int, error) {
			if _, err := src.Next(); err != nil {
				return 0, err
			}
			return 1, nil
		}},
		{"nextBatch", func(src Source) (int, error) {
			return batchesOf(src).nextBatch(make([]Frame, 64))
		}},
	} {
		t.Run(readers.name, func(t *testing.T) {
			path := bigCapture(t, 3*mapChunk/1000)
			src, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var n int
			for n < 10 {
				k, err := readers.next(src)
				if err != nil {
					t.Fatal(err)
				}
				n += k
			}
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			for {
				k, err2 := readers.next(src)
				if err2 != nil {
					err = err2
					break
				}
				n += k
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, errFileShrank) || ce.Packet != n+1 {
				t.Fatalf("after %d frames: %v, want damage at packet %d saying the file shrank", n, err, n+1)
			}
			if _, again := readers.next(src); again != err {
				t.Fatalf("reading after the fault returned %v, want %v again", again, err)
			}
		})
	}
}

// TestPrefetchLeavesMappedSourcesInline: a mapped capture is cheaper to
// read on the meter's goroutine than to hand over, so Prefetch returns it
// as it is; a capture that is read (here, a small one) still gets the
// goroutine.
func TestPrefetchLeavesMappedSourcesInline(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("captures are mapped on Linux only")
	}
	big := bigCapture(t, 2000)
	small := filepath.Join(t.TempDir(), "small.pcap")
	if err := os.WriteFile(small, newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1).add(testPacket{data: payloadB}).buf, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		paths  []string
		inline bool
	}{
		{[]string{big}, true},
		{[]string{big, big}, true},
		{[]string{small}, false},
		{[]string{big, small}, false},
	} {
		src, err := OpenFiles(c.paths)
		if err != nil {
			t.Fatal(err)
		}
		p := Prefetch(src)
		if inline := p == src; inline != c.inline {
			t.Errorf("%v: read inline %v, want %v", c.paths, inline, c.inline)
		}
		p.Close()
	}
}
