package pipeline

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nfdataset/nfdataset/stages/anon"
)

func anonManifest(keyEnv string) string {
	return `[dataset]
name = "anon"
[[input]]
path = "CAPTURES/*.pcap"
[output]
path = "OUT"
format = "csv"
anonymize = { columns = ["src_ip", "dst_ip", "src_mac"], method = "cryptopan", key_env = "` + keyEnv + `", mac = "keep-oui" }
`
}

// TestBuildAnonymize: one key gives byte-identical datasets; another key
// other addresses; dataset.json records columns, method and a key digest,
// never the key; the CSV's address columns are the Crypto-PAn images
// (anon's own tests check Crypto-PAn on the reference vectors).
func TestBuildAnonymize(t *testing.T) {
	k1 := bytes.Repeat([]byte{0x42}, 32)
	k2 := bytes.Repeat([]byte{0x24}, 32)
	t.Setenv("NFD_PIPE_K1", hex.EncodeToString(k1))
	t.Setenv("NFD_PIPE_K2", hex.EncodeToString(k2))
	read := func(out string) (csv, prov string) {
		t.Helper()
		c, err := os.ReadFile(filepath.Join(out, "part-00000.csv"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := os.ReadFile(filepath.Join(out, ProvenanceFile))
		if err != nil {
			t.Fatal(err)
		}
		return string(c), string(p)
	}
	c1, p1 := read(buildTestDataset(t, anonManifest("NFD_PIPE_K1"), 1))
	c1b, _ := read(buildTestDataset(t, anonManifest("NFD_PIPE_K1"), 3))
	c2, p2 := read(buildTestDataset(t, anonManifest("NFD_PIPE_K2"), 1))
	plain, _ := read(buildTestDataset(t, strings.Replace(anonManifest("X"), "anonymize =", "#", 1), 1))
	if c1 != c1b {
		t.Error("one key, two datasets")
	}
	if c1 == c2 {
		t.Error("two keys, one dataset")
	}
	for _, key := range [][]byte{k1, k2} {
		if strings.Contains(p1+p2, hex.EncodeToString(key)) {
			t.Error("dataset.json shows the key")
		}
	}
	var prov struct {
		Anonymization *AnonymizationInfo `json:"anonymization"`
	}
	if err := json.Unmarshal([]byte(p1), &prov); err != nil || prov.Anonymization == nil {
		t.Fatalf("dataset.json has no anonymization record: %v", err)
	}
	want := AnonymizationInfo{Columns: []string{"src_ip", "dst_ip", "src_mac"}, Method: "cryptopan", MAC: "keep-oui", KeyDigest: "blake2b:" + anon.Digest(k1)}
	if got := *prov.Anonymization; got.Method != want.Method || got.MAC != want.MAC || got.KeyDigest != want.KeyDigest || strings.Join(got.Columns, ",") != strings.Join(want.Columns, ",") {
		t.Errorf("anonymization = %+v, want %+v", got, want)
	}
	pan, _ := anon.NewCryptoPAn(k1)
	pl, an := strings.Split(plain, "\n"), strings.Split(c1, "\n")
	if len(pl) != len(an) || len(pl) < 3 {
		t.Fatalf("%d plain lines, %d anonymised", len(pl), len(an))
	}
	hdr := strings.Split(pl[0], ",")
	col := func(name string) int {
		for i, h := range hdr {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	src, dst, oui := col("src_ip"), col("dst_ip"), col("dst_oui")
	for i := 1; i < len(pl) && pl[i] != ""; i++ {
		a, b := strings.Split(pl[i], ","), strings.Split(an[i], ",")
		for _, c := range []int{src, dst} {
			if got, want := b[c], pan.Addr(netip.MustParseAddr(a[c])).String(); got != want {
				t.Fatalf("line %d: %s -> %s, want %s", i, a[c], got, want)
			}
		}
		if a[oui] != b[oui] {
			t.Fatalf("line %d: dst_oui not listed but changed", i)
		}
	}
}

func TestManifestAnonymizeErrors(t *testing.T) {
	for _, c := range []struct{ table, want string }{
		{`{ columns = ["src_ip"], method = "rot13", key_env = "K" }`, `unknown anonymisation method "rot13"`},
		{`{ columns = ["src_ip"] }`, "needs a key"},
		{`{ columns = [], key_env = "K" }`, "without any column"},
		{`{ columns = ["src_ip"], key_env = "K", salt = "x" }`, "salt"},
	} {
		path := writeManifest(t, "[dataset]\nname = \"x\"\n[[input]]\npath = \"CAPTURES/*.pcap\"\n[output]\npath = \"out\"\nanonymize = "+c.table+"\n")
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "m.toml:7") {
			t.Errorf("%s: error %v, want one at m.toml:7 mentioning %q", c.table, err, c.want)
		}
	}
}
