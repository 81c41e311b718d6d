package stages

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
		want := describeFrames(plain)
		plain.Close()
		// Through NewReader, which never maps a file, so that Prefetch
		// really reads on its goroutine whatever the capture's size.
		f, err := os.Open(c)
		if err != nil {
			t.Fatal(err)
		}
		pre, err := NewReader(c, f)
		if err != nil {
			t.Fatal(err)
		}
		p := Prefetch(pre)
		if p == pre {
			t.Fatalf("%s: Prefetch returned a read capture unchanged", c)
		}
		got := describeFrames(p)
		if err := p.Close(); err != nil {
			t.Errorf("%s: close: %v", c, err)
		}
		f.Close()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: prefetched frames differ (-source +prefetched):\n%s", c, diff)
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
