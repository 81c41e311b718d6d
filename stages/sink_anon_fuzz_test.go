package stages

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages/anon"
)

// FuzzAnonymizeValue feeds arbitrary column text to both methods: no
// panic; cryptopan maps an address to an address of the same family and
// a MAC to a MAC (keeping the OUI with keep-oui), refuses anything else,
// and is a function of its input; keyed-hash always gives 128 hex digits.
func FuzzAnonymizeValue(f *testing.F) {
	for _, s := range []string{"192.168.43.18", "::ffff:10.0.0.1", "fe80::1%eth0", "2001:db8::1",
		"80:c6:ca:00:9e:9f", "80-C6-CA-00-9E-9F", "80:c6:ca", "00:00:5e:00:53:00:00:01", "", "x"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	pan := &anonSink{cfg: anon.Config{Method: anon.MethodCryptoPAn}}
	pan.pan, _ = anon.NewCryptoPAn(bytes.Repeat([]byte{9}, 32))
	kh := &anonSink{}
	kh.hash, _ = anon.NewKeyedHash(bytes.Repeat([]byte{3}, 64))
	f.Fuzz(func(t *testing.T, s string, keepOUI bool) {
		pan.keepOUI, kh.keepOUI = keepOUI, keepOUI
		if h := kh.hashValue(features.String, &features.Value{Str: s}); len(h) != 128 && len(h) != 137 {
			t.Fatalf("keyed-hash of %q: %q", s, h)
		}
		out, err := pan.panValue(s)
		if err != nil {
			return
		}
		again, _ := pan.panValue(s)
		if out != again {
			t.Fatalf("%q -> %q, then %q", s, out, again)
		}
		if a, err := netip.ParseAddr(s); err == nil {
			b, err := netip.ParseAddr(out)
			if err != nil || a.Is4() != b.Is4() || a.Is4In6() != b.Is4In6() {
				t.Fatalf("%q -> %q", s, out)
			}
			return
		}
		if m, err := net.ParseMAC(s); err == nil && len(m) == 6 {
			o, err := net.ParseMAC(out)
			if err != nil || len(o) != 6 || keepOUI && !bytes.Equal(o[:3], m[:3]) {
				t.Fatalf("%q -> %q", s, out)
			}
		}
	})
}
