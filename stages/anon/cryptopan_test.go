package anon

import (
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// referenceKey is the key of the sample in the Crypto-PAn reference
// distribution (sample.cpp).
var referenceKey = []byte{21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
	216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2}

// TestCryptoPAnReferenceVectors checks every distinct address pair of the
// reference distribution's sample_trace_raw.dat / sample_trace_sanitized.dat.
func TestCryptoPAnReferenceVectors(t *testing.T) {
	vectors := [][2]string{
		{"128.11.68.132", "135.242.180.132"}, {"129.118.74.4", "134.136.186.123"},
		{"130.132.252.244", "133.68.164.234"}, {"141.223.7.43", "141.167.8.160"},
		{"141.233.145.108", "141.129.237.235"}, {"152.163.225.39", "151.140.114.167"},
		{"156.29.3.236", "147.225.12.42"}, {"165.247.96.84", "162.9.99.234"},
		{"166.107.77.190", "160.132.178.185"}, {"192.102.249.13", "252.138.62.131"},
		{"192.215.32.125", "252.43.47.189"}, {"192.233.80.103", "252.25.108.8"},
		{"192.41.57.43", "252.222.221.184"}, {"193.150.244.223", "253.169.52.216"},
		{"195.205.63.100", "255.186.223.5"}, {"198.200.171.101", "249.199.68.213"},
		{"198.26.132.101", "249.36.123.202"}, {"198.36.213.5", "249.7.21.132"},
		{"198.51.77.238", "249.18.186.254"}, {"199.217.79.101", "248.38.184.213"},
		{"202.49.198.20", "245.206.7.234"}, {"203.12.160.252", "244.248.163.4"},
		{"204.184.162.189", "243.192.77.90"}, {"204.202.136.230", "243.178.4.198"},
		{"204.29.20.4", "243.33.20.123"}, {"205.178.38.67", "242.108.198.51"},
		{"205.188.147.153", "242.96.16.101"}, {"205.188.248.25", "242.96.88.27"},
		{"205.245.121.43", "242.21.121.163"}, {"207.105.49.5", "241.118.205.138"},
		{"207.135.65.238", "241.202.129.222"}, {"207.155.9.214", "241.220.250.22"},
		{"207.188.7.45", "241.255.249.220"}, {"207.25.71.27", "241.33.119.156"},
		{"207.33.151.131", "241.1.233.131"}, {"208.147.89.59", "227.237.98.191"},
		{"208.234.120.210", "227.154.67.17"}, {"208.28.185.184", "227.39.94.90"},
		{"208.52.56.122", "227.8.63.165"}, {"209.12.231.7", "226.243.167.8"},
		{"209.238.72.3", "226.6.119.243"}, {"209.246.74.109", "226.22.124.76"},
		{"209.68.60.238", "226.184.220.233"}, {"209.85.249.6", "226.170.70.6"},
		{"212.120.124.31", "228.135.163.231"}, {"212.146.8.236", "228.19.4.234"},
		{"212.186.227.154", "228.59.98.98"}, {"212.204.172.118", "228.71.195.169"},
		{"212.206.130.201", "228.69.242.193"}, {"216.148.237.145", "235.84.194.111"},
		{"216.157.30.252", "235.89.31.26"}, {"216.184.159.48", "235.96.225.78"},
		{"216.227.10.221", "235.28.253.36"}, {"216.254.18.172", "235.7.16.162"},
		{"216.32.132.250", "235.192.139.38"}, {"216.35.217.178", "235.195.157.81"},
		{"24.0.250.221", "100.15.198.226"}, {"24.13.62.231", "100.2.192.247"},
		{"24.14.213.138", "100.1.42.141"}, {"24.5.0.80", "100.9.15.210"},
		{"24.7.198.88", "100.10.6.25"}, {"24.94.26.44", "100.88.228.35"},
		{"38.15.67.68", "64.3.66.187"}, {"4.3.88.225", "124.60.155.63"},
		{"63.14.55.111", "95.9.215.7"}, {"63.195.241.44", "95.179.238.44"},
		{"63.97.7.140", "95.97.9.123"}, {"64.14.118.196", "0.255.183.58"},
		{"64.34.154.117", "0.221.154.117"}, {"64.39.15.238", "0.219.7.41"},
	}
	c, err := NewCryptoPAn(referenceKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vectors {
		in, want := netip.MustParseAddr(v[0]), netip.MustParseAddr(v[1])
		if got := c.Addr(in); got != want {
			t.Errorf("Addr(%s) = %s, want %s", in, got, want)
		}
		mapped := netip.AddrFrom16(in.As16())
		if got := c.Addr(mapped); got != netip.AddrFrom16(want.As16()) {
			t.Errorf("Addr(%s) = %s, want %s mapped", mapped, got, want)
		}
	}
}

// TestCryptoPAnIPv6 checks the 128-bit extension (the same construction
// over 128 bits, which the reference leaves out) against the values that
// another, independent Go implementation publishes for the reference key.
func TestCryptoPAnIPv6(t *testing.T) {
	c, err := NewCryptoPAn(referenceKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range [][2]string{
		{"::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"},
		{"::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"},
		{"::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"},
		{"2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"},
		{"2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"},
	} {
		in, want := netip.MustParseAddr(v[0]), netip.MustParseAddr(v[1])
		if got := c.Addr(in); got != want {
			t.Errorf("Addr(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestCryptoPAnPrefixPreserving: for random pairs, the anonymised pair
// shares exactly as many leading bits as the original pair, with two keys,
// and the two keys map the same address to different ones.
func TestCryptoPAnPrefixPreserving(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key2 := make([]byte, 32)
	for i := range key2 {
		key2[i] = byte(rng.Uint32())
	}
	c1, _ := NewCryptoPAn(referenceKey)
	c2, err := NewCryptoPAn(key2)
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for range 2000 {
		a := rng.Uint32()
		// b shares a random number of leading bits with a.
		k := rng.IntN(33)
		b := a
		if k < 32 {
			b = a&^(^uint32(0)>>k) | rng.Uint32()&(^uint32(0)>>k)
		}
		want := common4(a, b)
		for _, c := range []*CryptoPAn{c1, c2} {
			x, y := c.Addr(addr4(a)), c.Addr(addr4(b))
			if got := common4(u32(x), u32(y)); got != want {
				t.Fatalf("%s and %s share %d bits, anonymised %s and %s share %d", addr4(a), addr4(b), want, x, y, got)
			}
		}
		if c1.Addr(addr4(a)) != c2.Addr(addr4(a)) {
			differ++
		}
	}
	if differ < 1990 {
		t.Errorf("two keys gave the same address for %d of 2000 addresses", 2000-differ)
	}
}

func TestCryptoPAnMAC(t *testing.T) {
	c, _ := NewCryptoPAn(referenceKey)
	m1 := [6]byte{0x80, 0xc6, 0xca, 0x00, 0x9e, 0x9f}
	m2 := [6]byte{0x80, 0xc6, 0xca, 0x00, 0x9e, 0x10}
	k1, k2 := m1, m2
	c.MAC(&k1, true)
	c.MAC(&k2, true)
	if [3]byte(k1[:3]) != [3]byte(m1[:3]) || k1 == m1 {
		t.Errorf("keep-oui: %x -> %x, want the OUI kept and the rest changed", m1, k1)
	}
	h1, h2 := m1, m2
	c.MAC(&h1, false)
	c.MAC(&h2, false)
	if [3]byte(h1[:3]) == [3]byte(m1[:3]) {
		t.Errorf("hash-oui: %x -> %x kept the OUI", m1, h1)
	}
	// Both modes preserve the 42 leading bits the two cards share.
	for _, p := range [][2][6]byte{{k1, k2}, {h1, h2}} {
		if got := common48(p[0], p[1]); got != common48(m1, m2) {
			t.Errorf("%x and %x share %d bits, want %d", p[0], p[1], got, common48(m1, m2))
		}
	}
}

func TestCryptoPAnKeyLength(t *testing.T) {
	if _, err := NewCryptoPAn(referenceKey[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

func addr4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func common4(a, b uint32) int { return bits.LeadingZeros32(a ^ b) }

func common48(a, b [6]byte) int {
	var x, y uint64
	for i := range 6 {
		x, y = x<<8|uint64(a[i]), y<<8|uint64(b[i])
	}
	return bits.LeadingZeros64(x^y) - 16
}
