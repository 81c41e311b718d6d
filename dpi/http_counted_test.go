package dpi

import (
	"strings"
	"testing"
)

func TestIsCountedHeaderAgreesWithScan(t *testing.T) {
	scan := func(line []byte) bool {
		for _, h := range countedHeaders {
			if len(line) > len(h) && hasPrefixFold(line, h) {
				return true
			}
		}
		return false
	}
	probes := []string{"", "a", "Host: x", "X-Forwarded-For", "x-forwarded-for:1", "ACCEPT: */*", "Accept: ", "accept:x"}
	for _, h := range countedHeaders {
		probes = append(probes, h, h+"v", strings.ToUpper(h)+"v", strings.ToLower(h)+"v", h[:len(h)-1]+"v", "_"+h+"v")
	}
	for _, p := range probes {
		if got, want := isCountedHeader([]byte(p)), scan([]byte(p)); got != want {
			t.Errorf("%q: %v, scan %v", p, got, want)
		}
	}
}
