package main

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"math/bits"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// anonCapture has a few dozen flows over many addresses; the test falls
// back to the small bundled capture without the shared corpus.
func anonCapture(t *testing.T) string {
	c := "../../../shared/corpus/nfstream/pcaps/facebook.pcap"
	if _, err := os.Stat(c); err != nil {
		return ownCapture
	}
	return c
}

// flowsCSV runs flows into a file (the command writes "-" to the process's
// standard output, not to runCLI's buffer) and returns the file's text.
func flowsCSV(t *testing.T, args ...string) (code int, text, stderr string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.csv")
	code, _, stderr = runCLI(t, append([]string{"flows", "-o", out}, args...)...)
	b, _ := os.ReadFile(out)
	return code, string(b), stderr
}

func readCSV(t *testing.T, text string) (header []string, rows [][]string) {
	t.Helper()
	all, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(all) < 2 {
		t.Fatalf("output is not CSV with rows: %v\n%s", err, text)
	}
	return all[0], all[1:]
}

func column(t *testing.T, header []string, rows [][]string, name string) []string {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %s", name)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r[i])
	}
	return out
}

func TestFlowsAnonymizeCryptoPAn(t *testing.T) {
	dir := t.TempDir()
	capture := anonCapture(t)
	key1, key2 := filepath.Join(dir, "k1"), filepath.Join(dir, "k2")
	os.WriteFile(key1, bytes.Repeat([]byte{0x11, 0x22}, 16), 0o600)
	os.WriteFile(key2, bytes.Repeat([]byte{0x33, 0x44}, 16), 0o600)
	cols := "src_ip,dst_ip,src_mac,dst_mac"
	run := func(args ...string) string {
		code, out, stderr := flowsCSV(t, append([]string{"--n-dissections", "0"}, append(args, capture)...)...)
		if code != 0 {
			t.Fatalf("flows %v: exit %d: %s", args, code, stderr)
		}
		return out
	}
	plain := run()
	a1 := run("--anonymize-columns", cols, "--anonymize-method", "cryptopan", "--anonymize-key-file", key1)
	a1again := run("--anonymize-columns", cols, "--anonymize-method", "cryptopan", "--anonymize-key-file", key1)
	t.Setenv("NFD_ANON_TEST_KEY", hex.EncodeToString(bytes.Repeat([]byte{0x11, 0x22}, 16)))
	a1env := run("--anonymize-columns", cols, "--anonymize-method", "cryptopan", "--anonymize-key-env", "NFD_ANON_TEST_KEY")
	a2 := run("--anonymize-columns", cols, "--anonymize-method", "cryptopan", "--anonymize-key-file", key2, "--anonymize-mac", "keep-oui")
	if a1 != a1again || a1 != a1env {
		t.Fatal("one key, two outputs")
	}
	ph, prows := readCSV(t, plain)
	h1, rows1 := readCSV(t, a1)
	h2, rows2 := readCSV(t, a2)
	if diff := cmp.Diff(ph, h1); diff != "" {
		t.Fatalf("header changed (-plain +anonymised):\n%s", diff)
	}
	// Columns not listed are untouched.
	for i, name := range ph {
		if strings.Contains(cols, name) {
			continue
		}
		if diff := cmp.Diff(column(t, ph, prows, name), column(t, h1, rows1, name)); diff != "" {
			t.Errorf("column %s changed:\n%s", name, diff)
		}
		_ = i
	}
	var orig, anon1, anon2 []netip.Addr
	for _, name := range []string{"src_ip", "dst_ip"} {
		for j, s := range column(t, ph, prows, name) {
			o := netip.MustParseAddr(s)
			x := netip.MustParseAddr(column(t, h1, rows1, name)[j])
			y := netip.MustParseAddr(column(t, h2, rows2, name)[j])
			if x == o || y == o || x == y {
				t.Errorf("%s row %d: %s -> %s (key 1), %s (key 2)", name, j, o, x, y)
			}
			orig, anon1, anon2 = append(orig, o), append(anon1, x), append(anon2, y)
		}
	}
	// The same prefix structure under both keys: every pair of addresses
	// shares as many leading bits after as before.
	pairs := 0
	for i := range orig {
		for j := i + 1; j < len(orig); j++ {
			if orig[i].Is4() != orig[j].Is4() {
				continue
			}
			want := commonBits(orig[i], orig[j])
			if got := commonBits(anon1[i], anon1[j]); got != want {
				t.Fatalf("%s/%s share %d bits, anonymised %s/%s share %d", orig[i], orig[j], want, anon1[i], anon1[j], got)
			}
			if got := commonBits(anon2[i], anon2[j]); got != want {
				t.Fatalf("%s/%s share %d bits, with key 2 %s/%s share %d", orig[i], orig[j], want, anon2[i], anon2[j], got)
			}
			pairs++
		}
	}
	if pairs == 0 {
		t.Fatal("no address pairs compared")
	}
	// keep-oui keeps the vendor part; the default changes it.
	pm, m1, m2 := column(t, ph, prows, "src_mac"), column(t, h1, rows1, "src_mac"), column(t, h2, rows2, "src_mac")
	for j := range pm {
		if pm[j] == "00:00:00:00:00:00" || pm[j] == "" {
			continue
		}
		if m2[j][:8] != pm[j][:8] || m2[j] == pm[j] {
			t.Errorf("keep-oui: %s -> %s", pm[j], m2[j])
		}
		if m1[j][:8] == pm[j][:8] {
			t.Errorf("hash-oui: %s -> %s kept the OUI", pm[j], m1[j])
		}
	}
}

func commonBits(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	n := 0
	for i := range x {
		if x[i] == y[i] {
			n += 8
			continue
		}
		n += bits.LeadingZeros8(x[i] ^ y[i])
		break
	}
	if a.Is4() {
		n -= 96
	}
	return n
}

// TestFlowsAnonymizeKeyedHash compares with Python's hashlib.blake2b over
// the plain values' text, NFStream's anonymiser's computation.
func TestFlowsAnonymizeKeyedHash(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: no independent BLAKE2b to compare with")
	}
	dir := t.TempDir()
	key := bytes.Repeat([]byte{0xa5, 0x5a, 0x01, 0x02}, 16)
	keyFile := filepath.Join(dir, "k")
	os.WriteFile(keyFile, key, 0o600)
	cols := []string{"src_ip", "src_port", "bidirectional_mean_ps"}
	_, plain, _ := flowsCSV(t, "--n-dissections", "0", "--statistical-analysis", ownCapture)
	code, out, stderr := flowsCSV(t, "--n-dissections", "0", "--statistical-analysis",
		"--anonymize-columns", strings.Join(cols, ","), "--anonymize-key-file", keyFile, ownCapture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ph, prows := readCSV(t, plain)
	ah, arows := readCSV(t, out)
	for _, c := range cols {
		vals := column(t, ph, prows, c)
		script := "import hashlib,sys\nk=bytes.fromhex(sys.argv[1])\nfor v in sys.argv[2:]: print(hashlib.blake2b(v.encode(), digest_size=64, key=k).hexdigest())"
		res, err := exec.Command(py, append([]string{"-c", script, hex.EncodeToString(key)}, vals...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Fields(string(res)), column(t, ah, arows, c)); diff != "" {
			t.Errorf("column %s (-python +nfdataset):\n%s", c, diff)
		}
	}
}

func TestFlowsAnonymizeErrors(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("0123456789"), 0o600)
	k32 := filepath.Join(dir, "k32")
	os.WriteFile(k32, bytes.Repeat([]byte{1}, 32), 0o600)
	for _, c := range []struct {
		args    []string
		message string
	}{
		{[]string{"--anonymize-columns", "src_ip"}, "needs a key"},
		{[]string{"--anonymize-columns", "src_ip", "--anonymize-key-file", short}, "holds 10 bytes; keyed-hash needs exactly 64"},
		{[]string{"--anonymize-columns", "src_ip", "--anonymize-method", "sha1", "--anonymize-key-file", k32}, `unknown anonymisation method "sha1"`},
		{[]string{"--anonymize-columns", "nope", "--anonymize-method", "cryptopan", "--anonymize-key-file", k32}, `no column "nope"`},
		{[]string{"--anonymize-columns", "src_port", "--anonymize-method", "cryptopan", "--anonymize-key-file", k32}, `column "src_port" holds int values`},
		{[]string{"--anonymize-method", "cryptopan"}, "without any column"},
	} {
		code, _, stderr := runCLI(t, append(append([]string{"flows", "--n-dissections", "0", "-o", filepath.Join(dir, "o.csv")}, c.args...), ownCapture)...)
		if code == 0 || !strings.Contains(stderr, c.message) {
			t.Errorf("%v: exit %d, stderr %q, want it to mention %q", c.args, code, stderr, c.message)
		}
		if _, err := os.Stat(filepath.Join(dir, "o.csv")); err == nil {
			t.Errorf("%v: output written despite the error", c.args)
		}
	}
}
