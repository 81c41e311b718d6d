package dpi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// crlfsByteWise is the byte-at-a-time scan nextCRLF replaced: every CRLF
// a line splitter stops at, in order.
func crlfsByteWise(b []byte) []int {
	var at []int
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			at = append(at, i)
			i++
		}
	}
	return at
}

func crlfsIndexed(b []byte) []int {
	var at []int
	for i := nextCRLF(b, 0); i >= 0; i = nextCRLF(b, i+2) {
		at = append(at, i)
	}
	return at
}

func TestNextCRLF(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
	}{
		{"", nil},
		{"\r", nil},
		{"\n", nil},
		{"\r\n", []int{0}},
		{"\n\r", nil},
		{"a\r\nb", []int{1}},
		{"\r\r\n", []int{1}},
		{"\r\n\r\n", []int{0, 2}},
		{"\r\n\n\r\n", []int{0, 3}},
		{"x\ry\r", nil},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", []int{14, 23, 25}},
	} {
		if diff := cmp.Diff(c.want, crlfsIndexed([]byte(c.in))); diff != "" {
			t.Errorf("%q: (-want +got)\n%s", c.in, diff)
		}
		if diff := cmp.Diff(crlfsByteWise([]byte(c.in)), crlfsIndexed([]byte(c.in))); diff != "" {
			t.Errorf("%q: byte-wise scan disagrees (-bytewise +indexed)\n%s", c.in, diff)
		}
	}
}

func FuzzNextCRLF(f *testing.F) {
	for _, s := range []string{"", "\r\n", "\r\r\n\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if diff := cmp.Diff(crlfsByteWise(b), crlfsIndexed(b)); diff != "" {
			t.Fatalf("%q: (-bytewise +indexed)\n%s", b, diff)
		}
	})
}
