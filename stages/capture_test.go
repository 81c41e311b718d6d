package stages

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		path     string
		wantIs   error  // nil: any error
		wantText string // the message must contain it
	}{
		{"missing file", filepath.Join(dir, "absent.pcap"), fs.ErrNotExist, "absent.pcap"},
		{"text file", writeTemp(t, "notes.pcap", []byte("these are not packets\n")), ErrNotCapture, "notes.pcap: not a pcap or pcapng capture: starts with 74 68 65 73"},
		{"empty file", writeTemp(t, "empty.pcap", nil), ErrNotCapture, "empty.pcap: not a pcap or pcapng capture: only 0 bytes"},
		{"three bytes", writeTemp(t, "tiny.pcap", []byte{0xd4, 0xc3, 0xb2}), ErrNotCapture, "only 3 bytes"},
		{"gzip of text", writeTemp(t, "notes.gz", gzipBytes(t, []byte("hello, world"))), ErrNotCapture, "notes.gz: gzip data: not a pcap"},
		{"directory", dir, nil, "read " + dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(tt.path)
			if err == nil {
				src.Close()
				t.Fatal("Open succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

// TestOpenStdin reads "-" from a replaced os.Stdin, plain and compressed.
func TestOpenStdin(t *testing.T) {
	plain := multiSectionFile().buf
	want, err := readAll(t, mustReader(t, plain))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"plain": plain, "gzip": gzipBytes(t, plain)} {
		t.Run(name, func(t *testing.T) {
			stdin, err := os.Open(writeTemp(t, "stdin", data))
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			saved := os.Stdin
			os.Stdin = stdin
			defer func() { os.Stdin = saved }()

			src, err := Open("-")
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, src)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("frames (-want +got):\n%s", diff)
			}
			if err := src.Close(); err != nil {
				t.Fatal(err)
			}
			// Closing the source leaves standard input open.
			if _, err := stdin.Stat(); err != nil {
				t.Errorf("standard input was closed: %v", err)
			}
		})
	}
	t.Run("corrupt error names -", func(t *testing.T) {
		stdin, err := os.Open(writeTemp(t, "stdin", plain[:len(plain)-3]))
		if err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		saved := os.Stdin
		os.Stdin = stdin
		defer func() { os.Stdin = saved }()
		src, err := Open("-")
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAll(t, src)
		var corrupt *CorruptError
		if !errors.As(err, &corrupt) || corrupt.File != "-" {
			t.Errorf("error %v, want a *CorruptError for file -", err)
		}
	})
}

func TestOpenFiles(t *testing.T) {
	first := newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, linkEthernet).
		add(testPacket{sec: 1, data: payloadA}).add(testPacket{sec: 2, data: payloadB}).buf
	second := multiSectionFile().buf
	third := gzipBytes(t, newPcapFile(binary.BigEndian, pcapMagicNano, 65535, linkRaw).add(testPacket{sec: 9, frac: 9, data: payloadC}).buf)
	paths := []string{writeTemp(t, "1.pcap", first), writeTemp(t, "2.pcapng", second), writeTemp(t, "3.pcap.gz", third)}

	var want []frameSummary
	for _, path := range paths {
		src, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		frames, err := readAll(t, src)
		if err != nil {
			t.Fatal(err)
		}
		src.Close()
		want = append(want, frames...)
	}

	src, err := OpenFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	counter := src.(ByteCounter)
	if n := counter.BytesRead(); n <= 0 {
		t.Errorf("BytesRead before the first frame = %d, want the sniffed bytes", n)
	}
	got, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	if n, total := counter.BytesRead(), int64(len(first)+len(second)+len(third)); n != total {
		t.Errorf("BytesRead = %d, want the total size %d", n, total)
	}
	if err := src.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestOpenFilesErrors(t *testing.T) {
	good := writeTemp(t, "good.pcap", newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1).add(testPacket{data: payloadA}).buf)
	tests := []struct {
		name     string
		paths    []string
		wantIs   error
		wantText string
	}{
		{"no files", nil, nil, "no files given"},
		{"missing second file", []string{good, filepath.Join(t.TempDir(), "gone.pcap")}, fs.ErrNotExist, "gone.pcap"},
		{"foreign third file", []string{good, good, writeTemp(t, "x.txt", []byte("text file"))}, ErrNotCapture, "x.txt"},
		{"standard input among files", []string{good, "-"}, nil, "standard input cannot be one of several files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := OpenFiles(tt.paths)
			if err == nil {
				src.Close()
				t.Fatal("OpenFiles succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

// TestOpenFilesDamagedMember: a damaged file in the list ends the whole
// source with a *CorruptError naming that file and counting within it.
func TestOpenFilesDamagedMember(t *testing.T) {
	f := newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1).add(testPacket{data: payloadA}).add(testPacket{data: payloadB})
	whole := writeTemp(t, "whole.pcap", f.buf)
	cut := writeTemp(t, "cut.pcap", f.buf[:len(f.buf)-2])
	src, err := OpenFiles([]string{whole, cut, whole})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got, err := readAll(t, src)
	if len(got) != 3 {
		t.Errorf("%d frames before the damage, want 3", len(got))
	}
	var corrupt *CorruptError
	if !errors.As(err, &corrupt) || corrupt.File != cut || corrupt.Packet != 2 {
		t.Errorf("error %v, want a *CorruptError for %s packet 2", err, cut)
	}
}

// TestOpenFilesLikeNFStream reads the four pieces of one_flow.pcap as one
// capture, the list source of NFStream's golden one_flow_multi_files.csv:
// the result is exactly one_flow.pcap's frames.
func TestOpenFilesLikeNFStream(t *testing.T) {
	dir := sharedPath(t, "corpus/nfstream/pcaps")
	whole, err := Open(filepath.Join(dir, "one_flow.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	want, err := readAll(t, whole)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, part := range []string{"one_flow_1_5", "one_flow_6_10", "one_flow_11_15", "one_flow_16_19"} {
		paths = append(paths, filepath.Join(dir, part+".pcap"))
	}
	src, err := OpenFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
}

func TestNextAfterClose(t *testing.T) {
	src := mustReader(t, multiSectionFile().buf)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("Next after Close returned %v, want an error", err)
	}
}

// manyPackets builds a capture of n Ethernet-sized frames.
func manyPackets(n int) (pcap, pcapng []byte) {
	p := newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, linkEthernet)
	g := newPcapngFile().section(binary.LittleEndian).iface(linkEthernet, 65535)
	for i := range n {
		data := payloadC[:60+i%1400]
		p.add(testPacket{sec: uint32(i), data: data})
		g.epb(0, uint64(i)*1000, data, uint32(len(data)))
	}
	return p.buf, g.buf
}

// TestNextAllocatesNothing pins the zero-allocation claim: in steady state
// Next takes frames from the read buffer without any heap allocation, for
// either format, plain or compressed.
func TestNextAllocatesNothing(t *testing.T) {
	pcap, pcapng := manyPackets(3000)
	inputs := map[string][]byte{
		"pcap":        pcap,
		"pcapng":      pcapng,
		"pcap.gz":     gzipBytes(t, pcap),
		"pcapng.zstd": compressors[1].compress(t, pcapng),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			src := mustReader(t, data)
			defer src.Close()
			for range 100 { // warm up: buffers and decoder state
				if _, err := src.Next(); err != nil {
					t.Fatal(err)
				}
			}
			allocs := testing.AllocsPerRun(2000, func() {
				if _, err := src.Next(); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("Next allocates %.2f times per frame, want 0", allocs)
			}
		})
	}
}

// BenchmarkNext reads whole captures from memory, so only parsing is
// measured: go test -bench Next -benchmem ./stages
func BenchmarkNext(b *testing.B) {
	pcap, pcapng := manyPackets(10000)
	inputs := []struct {
		name string
		data []byte
	}{
		{"synthetic.pcap", pcap},
		{"synthetic.pcapng", pcapng},
		{"synthetic.pcap.gz", gzipBytes(b, pcap)},
		{"synthetic.pcap.zst", compressors[1].compress(b, pcap)},
	}
	if _, err := os.Stat(sharedDir); err == nil {
		for _, name := range []string{"instagram.pcap", "alexa-app.pcapng", "quic-33.pcapng"} {
			data, err := os.ReadFile(filepath.Join(sharedDir, "corpus/nfstream/pcaps", name))
			if err != nil {
				b.Fatal(err)
			}
			inputs = append(inputs, struct {
				name string
				data []byte
			}{name, data})
		}
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.data)))
			var frames int
			for b.Loop() {
				src, err := NewReader(in.name, bytes.NewReader(in.data))
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := src.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					frames++
				}
				src.Close()
			}
			b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}
