package anon

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyedHashMatchesPython checks Sum against Python's hashlib.blake2b
// with NFStream's parameters (digest_size=64, key=the secret), the call
// NFStream's anonymiser makes, on the texts its str() gives for the kinds
// of columns it anonymises.
func TestKeyedHashMatchesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: no independent BLAKE2b to compare with")
	}
	key := bytes.Repeat([]byte{0x5a, 0x01, 0xfe}, 22)[:64]
	texts := []string{"192.168.43.18", "2001:db8::1", "80:c6:ca:00:9e:9f", "52066", "0.123", "", "é"}
	script := `import hashlib,sys
key=bytes.fromhex(sys.argv[1])
for t in sys.argv[2:]:
    print(hashlib.blake2b(t.encode(), digest_size=64, key=key).hexdigest())`
	out, err := exec.Command(py, append([]string{"-c", script, hex.EncodeToString(key)}, texts...)...).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	want := strings.Fields(string(out))
	h, err := NewKeyedHash(key)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		if got := h.Sum([]byte(text)); got != want[i] {
			t.Errorf("Sum(%q) = %s, Python %s", text, got, want[i])
		}
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	raw := bytes.Repeat([]byte{7}, 32)
	file := filepath.Join(dir, "k")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NFD_TEST_KEY", hex.EncodeToString(raw))
	t.Setenv("NFD_TEST_BADKEY", "zz")
	for _, tc := range []struct {
		cfg     Config
		wantErr string
	}{
		{Config{Columns: []string{"src_ip"}, Method: MethodCryptoPAn, KeyFile: file}, ""},
		{Config{Columns: []string{"src_ip"}, Method: MethodCryptoPAn, KeyEnv: "NFD_TEST_KEY"}, ""},
		{Config{Columns: []string{"src_ip"}, KeyFile: file}, "holds 32 bytes; keyed-hash needs exactly 64"},
		{Config{Columns: []string{"src_ip"}, Method: MethodCryptoPAn, KeyEnv: "NFD_TEST_BADKEY"}, "is not hex"},
		{Config{Columns: []string{"src_ip"}, Method: MethodCryptoPAn, KeyEnv: "NFD_TEST_UNSET_XYZ"}, "is not set"},
	} {
		cfg := tc.cfg
		err := cfg.Normalize()
		if err == nil {
			err = cfg.LoadKey()
		}
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%+v: %v", tc.cfg, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%+v: error %v, want one containing %q", tc.cfg, err, tc.wantErr)
		case tc.wantErr == "" && !bytes.Equal(cfg.Key, raw):
			t.Errorf("%+v: key %x", tc.cfg, cfg.Key)
		}
		if err != nil && strings.Contains(err.Error(), hex.EncodeToString(raw)) {
			t.Errorf("error reveals the key: %v", err)
		}
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		cfg     Config
		wantErr string
	}{
		{Config{}, ""},
		{Config{Method: MethodCryptoPAn}, "without any column"},
		{Config{Columns: []string{"a"}, KeyEnv: "X", Method: "md5"}, `unknown anonymisation method "md5"`},
		{Config{Columns: []string{"a"}, KeyEnv: "X", MAC: "drop"}, `unknown MAC mode "drop"`},
		{Config{Columns: []string{"a"}}, "needs a key"},
		{Config{Columns: []string{"a"}, KeyEnv: "X", KeyFile: "f"}, "not both"},
		{Config{Columns: []string{"a", "a"}, KeyEnv: "X"}, `column "a" is listed twice`},
	} {
		err := tc.cfg.Normalize()
		if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%+v: error %v, want %q", tc.cfg, err, tc.wantErr)
		}
	}
}

func TestDigest(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, 64), bytes.Repeat([]byte{2}, 64)
	if Digest(a) == Digest(b) {
		t.Error("two keys have one digest")
	}
	if Digest(a) != Digest(bytes.Clone(a)) {
		t.Error("one key has two digests")
	}
	if strings.Contains(Digest(a), hex.EncodeToString(a)[:16]) {
		t.Error("the digest shows the key")
	}
}
