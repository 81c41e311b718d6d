package main

import (
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// More regression tests for issue 12's defects (see reliab_test.go and
// reliab2_test.go): link types, timestamps, manifests, messages.

// tcpFrame is an Ethernet/IPv4/TCP frame from src:sp to dst:dp with the
// given flags and payload (checksums zero: the meter does not check them).
func tcpFrame(src, dst [4]byte, sp, dp uint16, flags byte, payload string) []byte {
	b := make([]byte, 0, 54+len(payload))
	b = append(b, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00)
	b = append(b, 0x45, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(40+len(payload)))
	b = append(b, 0, 1, 0x40, 0, 64, 6, 0, 0)
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	b = binary.BigEndian.AppendUint16(b, sp)
	b = binary.BigEndian.AppendUint16(b, dp)
	b = append(b, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0)
	return append(b, payload...)
}

// handshake is a TCP three-way handshake 10.0.0.1:40000 → 10.0.0.2:80.
func handshake() [][]byte {
	c, s := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	return [][]byte{
		tcpFrame(c, s, 40000, 80, 0x02, ""),
		tcpFrame(s, c, 80, 40000, 0x12, ""),
		tcpFrame(c, s, 40000, 80, 0x10, ""),
	}
}

// recTime is a record's raw ts_sec and ts_usec (or ts_nsec) fields.
type recTime struct{ sec, frac uint32 }

// classicPcap writes frames as a classic pcap file in the given byte order
// with the given magic and link type; times[i] stamps frames[i] (second i
// when times is nil).
func classicPcap(order binary.AppendByteOrder, magic, linkType uint32, frames [][]byte, times []recTime) []byte {
	b := order.AppendUint32(nil, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 65535)
	b = order.AppendUint32(b, linkType)
	for i, f := range frames {
		ts := recTime{sec: 1_700_000_000 + uint32(i)}
		if times != nil {
			ts = times[i]
		}
		b = order.AppendUint32(b, ts.sec)
		b = order.AppendUint32(b, ts.frac)
		b = order.AppendUint32(b, uint32(len(f)))
		b = order.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// flowsColumns runs flows on a capture and returns the named columns of
// every row.
func flowsColumns(t *testing.T, capture []byte, columns []string, extra ...string) [][]string {
	t.Helper()
	dir := t.TempDir()
	path, out := filepath.Join(dir, "in.pcap"), filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, capture, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"flows", "-o", out}, extra...)
	if code, _, stderr := runCLI(t, append(args, path)...); code != 0 {
		t.Fatalf("flows exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for i, name := range rows[0] {
		index[name] = i
	}
	var got [][]string
	for _, row := range rows[1:] {
		var r []string
		for _, c := range columns {
			r = append(r, row[index[c]])
		}
		got = append(got, r)
	}
	return got
}

// Defect 8: a classic pcap's ts_sec and ts_usec at or above 2^31. libpcap
// keeps them in an int32 and byte-swaps a foreign-order file into a uint32,
// so on a little-endian host a little-endian file's fields are signed and
// a big-endian file's unsigned. The want rows are NFStream 6.6.0's output
// for the same hand-built captures (python, struct-packed; NFStreamer with
// default settings): first_seen, last_seen, duration and packets per flow.
func TestFlowsPcapTimestampSign(t *testing.T) {
	const (
		micro = 0xa1b2c3d4
		nano  = 0xa1b23c4d
	)
	le, be := binary.AppendByteOrder(binary.LittleEndian), binary.AppendByteOrder(binary.BigEndian)
	cols := []string{"bidirectional_first_seen_ms", "bidirectional_last_seen_ms", "bidirectional_duration_ms", "bidirectional_packets"}
	for _, c := range []struct {
		name  string
		order binary.AppendByteOrder
		magic uint32
		times []recTime
		cols  []string // nil: all of cols
		want  [][]string
	}{
		{
			// ts_usec 0x80000000 is −2147483648 µs (a time going back);
			// 0xFFFFFC18 is −1000 µs.
			name: "little-endian ts_usec", order: le, magic: micro,
			times: []recTime{{1_700_000_000, 0}, {1_700_000_000, 0x8000_0000}, {1_700_000_001, 0xFFFF_FC18}},
			want:  [][]string{{"1700000000000", "1700000000999", "999", "3"}},
		},
		{
			// ts_sec 0x80000000 is 1901-12-13: NFStream's uint64 time_ms
			// wraps below zero (first seen 18446741926225903621, then
			// 18446744073709551615), and −1 ms expires the first flow.
			// Only duration and packets are compared: features' Int
			// columns print such times as negative int64 (a Uint kind
			// would be needed, outside cmd and stages).
			name: "little-endian ts_sec", order: le, magic: micro, cols: cols[2:],
			times: []recTime{{0x8000_0000, 5000}, {0x8000_0001, 0}, {0xFFFF_FFFF, 999_999}},
			want:  [][]string{{"995", "2"}, {"0", "1"}},
		},
		{
			name: "little-endian ts_nsec", order: le, magic: nano,
			times: []recTime{{1_700_000_000, 5_000_000}, {1_700_000_003, 0xFFFF_FC18}, {1_700_000_003, 0x8000_0000}},
			want:  [][]string{{"1700000000005", "1700000003000", "2995", "3"}},
		},
		{
			name: "big-endian ts_usec", order: be, magic: micro,
			times: []recTime{{1_700_000_000, 0}, {1_700_000_002, 0xFFFF_FC18}, {1_700_000_002, 0x8000_0000}},
			want: [][]string{
				{"1700000000000", "1700000000000", "0", "1"},
				{"1700004296966", "1700004296966", "0", "2"},
			},
		},
		{
			name: "big-endian ts_sec", order: be, magic: micro,
			times: []recTime{{0x8000_0000, 5000}, {0x8000_0001, 0}, {0xFFFF_FFFF, 999_999}},
			want: [][]string{
				{"2147483648005", "2147483649000", "995", "2"},
				{"4294967295999", "4294967295999", "0", "1"},
			},
		},
		{
			name: "big-endian ts_nsec", order: be, magic: nano,
			times: []recTime{{1_700_000_000, 5_000_000}, {1_700_000_003, 0xFFFF_FC18}, {1_700_000_003, 0x8000_0000}},
			want:  [][]string{{"1700000000005", "1700000007294", "7289", "3"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			capture := classicPcap(c.order, c.magic, 1, handshake(), c.times)
			use := c.cols
			if use == nil {
				use = cols
			}
			got := flowsColumns(t, capture, use, "--n-dissections", "0")
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("flows (-want +got):\n%s", d)
			}
		})
	}
}

// pcapRecords splits a little-endian microsecond classic pcap into its
// frames and record times.
func pcapRecords(t *testing.T, b []byte) ([][]byte, []recTime) {
	t.Helper()
	if binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
		t.Fatal("not a little-endian microsecond pcap")
	}
	var frames [][]byte
	var times []recTime
	for b = b[24:]; len(b) >= 16; {
		n := int(binary.LittleEndian.Uint32(b[8:]))
		times = append(times, recTime{binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])})
		frames = append(frames, b[16:16+n])
		b = b[16+n:]
	}
	return frames, times
}

// ppiHeader is a PPI packet header (version 0, flags 0, length, inner
// DLT; little-endian) with a 20-byte field block nothing should read.
func ppiHeader(inner uint32) []byte {
	b := []byte{0, 0}
	b = binary.LittleEndian.AppendUint16(b, 8+20)
	b = binary.LittleEndian.AppendUint32(b, inner)
	return append(b, make([]byte, 20)...)
}

// asWifi turns an Ethernet frame into an 802.11 data frame sent to the
// access point (ToDS: addr1 BSSID, addr2 source, addr3 destination), with
// the EtherType in an LLC/SNAP header.
func asWifi(eth []byte) []byte {
	b := []byte{0x08, 0x01, 0, 0}                     // frame control: data, ToDS; duration
	b = append(b, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f) // BSSID
	b = append(b, eth[6:12]...)
	b = append(b, eth[0:6]...)
	b = append(b, 0, 0, 0xAA, 0xAA, 0x03, 0, 0, 0, eth[12], eth[13])
	return append(b, eth[14:]...)
}

// Defect 7: a capture whose link type is not decoded warns, naming the
// file and the link type (--strict: exit 1); --ppi decodes PPI, and its
// flows equal those of the same frames as Ethernet.
func TestFlowsLinkTypeNotDecoded(t *testing.T) {
	data, err := os.ReadFile(ownCapture)
	if err != nil {
		t.Fatal(err)
	}
	frames, times := pcapRecords(t, data)
	var ppiEth, ppiWifi [][]byte
	for _, f := range frames {
		ppiEth = append(ppiEth, append(ppiHeader(1), f...))
		ppiWifi = append(ppiWifi, append(ppiHeader(105), asWifi(f)...))
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	le := binary.LittleEndian
	ppiEthPath := write("eth.ppi.pcap", classicPcap(le, 0xa1b2c3d4, 192, ppiEth, times))
	ppiWifiPath := write("wifi.ppi.pcap", classicPcap(le, 0xa1b2c3d4, 192, ppiWifi, times))
	usbPath := write("usb.pcap", classicPcap(le, 0xa1b2c3d4, 189, frames, times))
	sll2Path := write("sll2.pcap", classicPcap(le, 0xa1b2c3d4, 276, frames, times))

	for _, c := range []struct {
		name, path, warning string
		args                []string
	}{
		{"PPI", ppiEthPath, "capture " + ppiEthPath + ": link type 192 (PPI) is not decoded, its frames are ignored (NFStream ignores them too; flows --ppi or [streamer] ppi = true decodes them)", nil},
		{"USB", usbPath, "capture " + usbPath + ": link type 189 (USB_LINUX) is not decoded, its frames are ignored (docs/manifest.md lists the link types decoded)", nil},
		{"Linux SLL2", sll2Path, "link type 276 (LINUX_SLL2) is not decoded", nil},
		{"PPI with --linux-sll2", ppiEthPath, "link type 192 (PPI)", []string{"--linux-sll2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.csv")
			args := append(append([]string{"flows", "-o", out}, c.args...), c.path)
			code, _, stderr := runCLI(t, args...)
			if code != 0 || strings.Count(stderr, c.warning) != 1 {
				t.Errorf("exit %d, stderr %q; want exit 0 and one warning %q", code, stderr, c.warning)
			}
			if b, _ := os.ReadFile(out); strings.Count(string(b), "\n") != 1 {
				t.Errorf("output has rows:\n%s", b)
			}
			strictOut := filepath.Join(t.TempDir(), "strict.csv")
			code, _, stderr = runCLI(t, append([]string{"flows", "--strict", "-o", strictOut}, append(c.args, c.path)...)...)
			if code != 1 || !strings.Contains(stderr, c.warning) {
				t.Errorf("--strict: exit %d, stderr %q; want exit 1 naming %q", code, stderr, c.warning)
			}
			if _, err := os.Stat(strictOut); err == nil {
				t.Error("--strict left an output file")
			}
		})
	}

	// The same frames as Ethernet, PPI+Ethernet and PPI+802.11 give the
	// same flows (IP-layer sizes: the link headers differ in length).
	flows := func(path string, extra ...string) string {
		out := filepath.Join(t.TempDir(), "out.csv")
		args := append(append([]string{"flows", "--accounting-mode", "1", "--statistical-analysis", "-o", out}, extra...), path)
		code, _, stderr := runCLI(t, args...)
		if code != 0 || stderr != "" {
			t.Fatalf("flows %v: exit %d: %s", args, code, stderr)
		}
		b, _ := os.ReadFile(out)
		return string(b)
	}
	want := flows(ownCapture)
	if strings.Count(want, "\n") < 2 {
		t.Fatalf("no flows in %s", ownCapture)
	}
	for _, p := range []string{ppiEthPath, ppiWifiPath} {
		if d := cmp.Diff(want, flows(p, "--ppi")); d != "" {
			t.Errorf("%s with --ppi (-Ethernet +PPI):\n%s", filepath.Base(p), d)
		}
	}
	if d := cmp.Diff(want, flows(sll2Path, "--linux-sll2")); d == "" {
		t.Error("Ethernet frames read as Linux SLL2 gave Ethernet's flows; the test capture proves nothing")
	}
}

// asSLL2 turns an Ethernet frame into a Linux cooked v2 frame: protocol
// type, reserved, interface index, ARPHRD_ETHER, packet type, address
// length and the source MAC padded to 8 bytes.
func asSLL2(eth []byte) []byte {
	b := []byte{eth[12], eth[13], 0, 0, 0, 0, 0, 2, 0, 1, 0, 6}
	b = append(b, eth[6:12]...)
	b = append(b, 0, 0)
	return append(b, eth[14:]...)
}

// Defect 7 in build: [streamer] ppi and linux_sll2 decode those link
// types (the rows of the same frames as Ethernet); without them the input
// has no rows and dataset.json carries the warning naming the file.
func TestBuildLinkTypeOptions(t *testing.T) {
	data, err := os.ReadFile(ownCapture)
	if err != nil {
		t.Fatal(err)
	}
	frames, times := pcapRecords(t, data)
	var ppi, sll2 [][]byte
	for _, f := range frames {
		ppi = append(ppi, append(ppiHeader(1), f...))
		sll2 = append(sll2, asSLL2(f))
	}
	le := binary.LittleEndian
	type input struct {
		Name     string   `json:"name"`
		Rows     int      `json:"rows"`
		Warnings []string `json:"warnings"`
	}
	build := func(t *testing.T, capture []byte, streamer string) input {
		t.Helper()
		caps := t.TempDir()
		if err := os.WriteFile(filepath.Join(caps, "x.pcap"), capture, 0o644); err != nil {
			t.Fatal(err)
		}
		text := strings.Replace(testManifest, "CAPTURES/*.pcap", filepath.Join(caps, "*.pcap"), 1) + streamer
		path, dir := writeTestManifest(t, text)
		if code, _, stderr := runCLI(t, "build", path); code != 0 {
			t.Fatalf("build: exit %d: %s", code, stderr)
		}
		var prov struct {
			Inputs []input `json:"inputs"`
		}
		b, _ := os.ReadFile(filepath.Join(dir, "out", "dataset.json"))
		if err := json.Unmarshal(b, &prov); err != nil || len(prov.Inputs) != 1 {
			t.Fatalf("dataset.json: %v, %d inputs", err, len(prov.Inputs))
		}
		return prov.Inputs[0]
	}
	eth := build(t, data, "")
	if eth.Rows == 0 || len(eth.Warnings) != 0 {
		t.Fatalf("Ethernet build: %+v", eth)
	}
	for _, c := range []struct {
		name     string
		capture  []byte
		key      string
		linkType string
	}{
		{"ppi", classicPcap(le, 0xa1b2c3d4, 192, ppi, times), "ppi", "link type 192 (PPI)"},
		{"linux_sll2", classicPcap(le, 0xa1b2c3d4, 276, sll2, times), "linux_sll2", "link type 276 (LINUX_SLL2)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := build(t, c.capture, "\n[streamer]\n"+c.key+" = true\n")
			if d := cmp.Diff(input{Name: "x.pcap", Rows: eth.Rows}, got); d != "" {
				t.Errorf("with %s = true (-want +got):\n%s", c.key, d)
			}
			got = build(t, c.capture, "")
			want := input{Name: "x.pcap", Warnings: []string{"capture x.pcap: " + c.linkType + " is not decoded, its frames are ignored (NFStream ignores them too; flows --" +
				strings.ReplaceAll(c.key, "_", "-") + " or [streamer] " + c.key + " = true decodes them)"}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("without %s (-want +got):\n%s", c.key, d)
			}
		})
	}
}

// Defect 9: a derived +Inf, −Inf or NaN is written by one rule (CSV's
// inf/-inf/nan text, the same text as a JSON string, the IEEE value in
// Parquet), so diff finds no difference between two formats of one dataset.
func TestDiffNonFiniteAcrossFormats(t *testing.T) {
	const derived = `
[[features.derived]]
name = "pos"
expr = "bidirectional_packets / 0.0"
type = "float"
[[features.derived]]
name = "neg"
expr = "-1.0 * bidirectional_packets / 0.0"
type = "float"
[[features.derived]]
name = "nan"
expr = "(bidirectional_packets - bidirectional_packets) / 0.0"
type = "float"
`
	text := strings.Replace(testManifest, "splt = { n = 5 }\n", "splt = { n = 5 }\n"+derived, 1)
	outs := map[string]string{}
	for _, format := range []string{"csv", "parquet", "jsonl"} {
		path, dir := writeTestManifest(t, strings.Replace(text, "[output]\n", "[output]\nformat = \""+format+"\"\n", 1))
		if code, _, stderr := runCLI(t, "build", path); code != 0 {
			t.Fatalf("build %s: exit %d: %s", format, code, stderr)
		}
		outs[format] = filepath.Join(dir, "out")
	}
	csvPart, _ := os.ReadFile(filepath.Join(outs["csv"], "part-00000.csv"))
	if !strings.Contains(string(csvPart), ",inf,-inf,nan,") {
		t.Fatalf("CSV rows do not hold inf,-inf,nan:\n%.400s", csvPart)
	}
	jsonPart, _ := os.ReadFile(filepath.Join(outs["jsonl"], "part-00000.jsonl"))
	if !strings.Contains(string(jsonPart), `"pos":"inf","neg":"-inf","nan":"nan"`) {
		t.Fatalf("JSON lines do not hold the strings inf, -inf, nan:\n%.400s", jsonPart)
	}
	for _, pair := range [][2]string{{"csv", "parquet"}, {"csv", "jsonl"}, {"jsonl", "parquet"}} {
		code, stdout, stderr := runCLI(t, "diff", outs[pair[0]], outs[pair[1]])
		if code != 0 || !strings.HasPrefix(stdout, "same:") {
			t.Errorf("diff %s %s: exit %d\n%s%s", pair[0], pair[1], code, stdout, stderr)
		}
	}
}

// Defect 9: flows --help names every compression it reads and the link
// type options.
func TestFlowsHelpListsInputs(t *testing.T) {
	code, stdout, _ := runCLI(t, "flows", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"gzip", "zstd", "xz", "bzip2", "-ppi", "-linux-sll2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("flows --help does not mention %q:\n%s", want, stdout)
		}
	}
}

// Defect 9: an error names what failed once, without a doubled prefix.
func TestMessagesNameOnce(t *testing.T) {
	dir := t.TempDir()
	missingDir := filepath.Join(dir, "nodir")
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		want   string // the whole stderr
		onceIn string // and this appears once
	}{
		{"output in a missing folder", []string{"flows", "-o", filepath.Join(missingDir, "x.csv"), ownCapture}, 1,
			"nfdataset flows: output " + filepath.Join(missingDir, "x.csv") + ": create temporary file: no such file or directory\n", missingDir},
		{"missing manifest", []string{"validate", filepath.Join(dir, "m.toml")}, 2,
			"nfdataset validate: " + filepath.Join(dir, "m.toml") + ": cannot open it: no such file or directory\n", "m.toml"},
		{"unknown plugin", []string{"flows", "--plugin", "x", ownCapture}, 2,
			"", "--plugin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (%s)", code, c.code, stderr)
			}
			if c.want != "" {
				if d := cmp.Diff(c.want, stderr); d != "" {
					t.Errorf("stderr (-want +got):\n%s", d)
				}
			}
			if n := strings.Count(stderr, c.onceIn); n != 1 {
				t.Errorf("%q appears %d times in %q", c.onceIn, n, stderr)
			}
		})
	}
}
