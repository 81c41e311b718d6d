package stages

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

type frameCopy struct {
	data       string
	ms         uint64
	wire, link uint32
}

func drainFrames(t *testing.T, src Source) ([]frameCopy, error) {
	t.Helper()
	var out []frameCopy
	for {
		fr, err := src.Next()
		if err != nil {
			return out, err
		}
		out = append(out, frameCopy{string(fr.Data), fr.TimeMs, fr.WireLen, fr.LinkType})
	}
}

// TestPrefetchSameFrames: a prefetched source yields exactly the frames and
// the final error of the source below, damaged captures included.
func TestPrefetchSameFrames(t *testing.T) {
	caps, _ := filepath.Glob(filepath.Join("..", "testdata", "nfstream", "*.pcap"))
	if more, _ := filepath.Glob(filepath.Join(sharedDir, "corpus", "nfstream", "pcaps", "*")); len(more) > 0 {
		caps = append(caps, more[:min(len(more), 40)]...)
	}
	whole, err := os.ReadFile(filepath.Join("..", "testdata", "nfstream", "google_ssl.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	os.WriteFile(cut, whole[:3000], 0o644)
	caps = append(caps, cut)
	for _, c := range caps {
		plain, err := Open(c)
		if err != nil {
			t.Fatal(err)
		}
		want, wantErr := drainFrames(t, plain)
		plain.Close()
		pre, err := Open(c)
		if err != nil {
			t.Fatal(err)
		}
		p := Prefetch(pre)
		got, gotErr := drainFrames(t, p)
		if err := p.Close(); err != nil {
			t.Errorf("%s: close: %v", c, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d frames, want %d", c, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: frame %d differs", c, i)
			}
		}
		if (gotErr == io.EOF) != (wantErr == io.EOF) || gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: final error %v, want %v", c, gotErr, wantErr)
		}
	}
}

// TestPrefetchCloseEarly: closing before the end stops the goroutine.
func TestPrefetchCloseEarly(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "nfstream", "google_ssl.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewReader("mem", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := Prefetch(src)
	if _, err := p.Next(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	// Frames already fetched may still come out; then Next must fail, not
	// hang or read a closed source.
	for i := 0; ; i++ {
		if _, err := p.Next(); err != nil {
			break
		}
		if i > 100000 {
			t.Fatal("Next keeps returning frames after Close")
		}
	}
}
