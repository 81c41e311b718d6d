package dpi

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ftpRequestByPrefix is the command test as first written, one prefix
// comparison per command: the reference for the set lookup.
func ftpRequestByPrefix(b []byte) (ok bool, s ftpFlow) {
	switch {
	case bytes.HasPrefix(b, []byte("USER")):
		return true, s
	case bytes.HasPrefix(b, []byte("PASS")):
		s.password = len(b) > 5 && b[5] >= ' '
		return true, s
	case bytes.HasPrefix(b, []byte("AUTH")), bytes.HasPrefix(b, []byte("auth")):
		s.authFound = true
		return true, s
	}
	for _, c := range ftpCommands {
		if bytes.HasPrefix(b, []byte(c)) {
			return true, s
		}
	}
	return false, s
}

func TestFTPRequestAgreesWithPrefixScan(t *testing.T) {
	probes := []string{"", "U", "US", "USE", "USER", "USER bob\r\n", "PASS", "PASS x", "PASS \x01", "AUTH TLS\r\n",
		"auth tls", "user x", "pass x", "CC", "CCC", "CCCX", "cwd /", "CWDX", "Cwd", "GET / HTTP/1.1\r\n", "\x16\x03\x01"}
	for _, c := range ftpCommands {
		probes = append(probes, c, c+"\r\n", c[:len(c)-1], c+" arg", "x"+c)
	}
	for _, in := range probes {
		wantOK, want := ftpRequestByPrefix([]byte(in))
		var got ftpFlow
		gotOK := got.request([]byte(in))
		if gotOK != wantOK {
			t.Errorf("%q: request %v, prefix scan %v", in, gotOK, wantOK)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(ftpFlow{})); diff != "" {
			t.Errorf("%q: state (-prefix scan +request)\n%s", in, diff)
		}
	}
}
