package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

// captures is the directory of the bundled quickstart captures.
var captures, _ = filepath.Abs("../testdata/captures")

// minimal is a valid manifest; cases append to it or replace parts.
const minimal = `[dataset]
name = "t"

[[input]]
path = "CAPTURES/dhcp.pcap"

[output]
path = "out"
`

func writeManifest(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	text = strings.ReplaceAll(text, "CAPTURES", captures)
	path := filepath.Join(dir, "m.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// firstError returns the first *ManifestError in err.
func firstError(t *testing.T, err error) *ManifestError {
	t.Helper()
	var me *ManifestError
	if !errors.As(err, &me) {
		t.Fatalf("error %v (%T) is not a *ManifestError", err, err)
	}
	return me
}

func TestLoadErrors(t *testing.T) {
	type want struct {
		Line int
		Key  string
		Msg  string // substring of the message
	}
	tests := []struct {
		name string
		text string
		want want
	}{
		{"syntax", "[dataset]\nname = \"t\"\nversion = \n", want{3, "", "syntax error"}},
		{"unknown top-level table", minimal + "\n[extra]\nx = 1\n", want{10, "extra", "unknown key"}},
		{"unknown streamer key", minimal + "[streamer]\nidle_timeout = 10\nidle_timout = 20\n", want{11, "streamer.idle_timout", "unknown key"}},
		{"unknown input key", strings.Replace(minimal, "path = \"CAPTURES/dhcp.pcap\"", "path = \"CAPTURES/dhcp.pcap\"\nsha = \"x\"", 1), want{6, "input[0].sha", "unknown key"}},
		{"wrong type", minimal + "[streamer]\nidle_timeout = \"120\"\n", want{10, "streamer.idle_timeout", "want an integer, got a string"}},
		{"bad value", minimal + "[streamer]\naccounting_mode = 7\n", want{10, "streamer.accounting_mode", "must be in 0…3"}},
		{"bool as int", minimal + "[streamer]\ndecode_tunnels = 1\n", want{10, "streamer.decode_tunnels", "want true or false"}},
		{"unknown set", minimal + "[features]\nsets = [\"base\", \"nope\"]\n", want{10, "features.sets[1]", "unknown feature set \"nope\""}},
		{"options of unlisted set", minimal + "[features]\nsets = [\"base\"]\nsplt = { n = 5 }\n", want{11, "features.splt", "not in features.sets"}},
		{"unknown option", minimal + "[features]\nsets = [\"splt\"]\nsplt = { n = 5, m = 3 }\n", want{11, "features.splt.m", "unknown key"}},
		{"option type", minimal + "[features]\nsets = [\"splt\"]\nsplt = { n = \"ten\" }\n", want{11, "features.splt.n", "want an integer, got a string"}},
		{"option value", minimal + "[features]\nsets = [\"splt\"]\nsplt = { n = 0 }\n", want{11, "features.splt", "n must be in 1…65535"}},
		{"unknown plugin", minimal + "[features]\nplugins = [\"nope\"]\n", want{10, "features.plugins[0]", "unknown plugin \"nope\""}},
		{"derived expression", minimal + "[features]\n[[features.derived]]\nname = \"x\"\nexpr = \"nope_column + 1\"\ntype = \"int\"\n", want{10, "features.derived[0]", "nope_column"}},
		{"derived key", minimal + "[features]\n[[features.derived]]\nname = \"x\"\nexpr = \"1\"\ntype = \"int\"\nunit = \"s\"\n", want{14, "features.derived[0].unit", "unknown key"}},
		{"bpf filter", minimal + "[streamer]\nbpf_filter = \"tcp port\"\n", want{10, "streamer.bpf_filter", "bpf:"}},
		{"missing dataset", "[[input]]\npath = \"a.pcap\"\n[output]\npath = \"o\"\n", want{0, "dataset", "missing [dataset]"}},
		{"missing output", "[dataset]\nname = \"t\"\n[[input]]\npath = \"a.pcap\"\n", want{0, "output", "missing [output]"}},
		{"path and files", strings.Replace(minimal, "path = \"CAPTURES/dhcp.pcap\"", "path = \"a.pcap\"\nfiles = [\"b.pcap\"]", 1), want{6, "input[0].files", "not both"}},
		{"bad sha256", strings.Replace(minimal, "path = \"CAPTURES/dhcp.pcap\"", "path = \"a.pcap\"\nsha256 = \"abc\"", 1), want{6, "input[0].sha256", "64 hexadecimal digits"}},
		{"bad format", strings.Replace(minimal, "path = \"out\"", "path = \"out\"\nformat = \"xlsx\"", 1), want{9, "output.format", "unknown format"}},
		{"compression for csv", strings.Replace(minimal, "path = \"out\"", "path = \"out\"\nformat = \"csv\"\ncompression = \"zstd\"", 1), want{10, "output.compression", "only Parquet"}},
		{"unknown column", strings.Replace(minimal, "path = \"out\"", "path = \"out\"\ndrop = [\"nope\"]", 1), want{9, "output.drop", "unknown column \"nope\""}},
		{"label without kind", minimal + "[[label]]\ndefault = \"x\"\n", want{9, "label[0].kind", "missing"}},
		{"label rule value", minimal + "[[label]]\nkind = \"rules\"\ndefault = \"B\"\n[[label.rule]]\nlabel = \"x\"\n[[label.rule]]\nlabel = \"y\"\ndst = \"not-an-ip\"\n", want{16, "label[0].rule[1].dst", "not-an-ip"}},
		{"bad variable", strings.Replace(minimal, "path = \"out\"", "path = \"${1X}\"", 1), want{8, "output.path", "bad variable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeManifest(t, tt.text))
			if err == nil {
				t.Fatal("no error")
			}
			me := firstError(t, err)
			got := want{me.Line, me.Key, tt.want.Msg}
			if !strings.Contains(err.Error(), tt.want.Msg) {
				got.Msg = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	tests := []struct {
		name, text string
		line       int
		key, msg   string
	}{
		{"missing input", strings.Replace(minimal, "dhcp.pcap", "nope.pcap", 1), 5, "input[0].path", "no such file"},
		{"no glob match", strings.Replace(minimal, "dhcp.pcap", "*.nope", 1), 5, "input[0].path", "no file matches"},
		{"sha256 mismatch", strings.Replace(minimal, "path = \"CAPTURES/dhcp.pcap\"", "path = \"CAPTURES/dhcp.pcap\"\nsha256 = \""+strings.Repeat("0", 64)+"\"", 1), 6, "input[0].sha256", "the manifest pins 0000"},
		{"unwritable output", strings.Replace(minimal, "path = \"out\"", "path = \""+file+"/out\"", 1), 8, "output.path", "is not a directory"},
		{"unset variable", strings.Replace(minimal, "CAPTURES", "${NFDATASET_TEST_UNSET}", 1), 5, "input[0].path", "NFDATASET_TEST_UNSET is not set"},
		{"name for several files", strings.Replace(minimal, "dhcp.pcap\"", "*.pcap\"\nname = \"all\"", 1), 6, "input[0].name", "one name for 3 files"},
		{"duplicate names", minimal + "[[input]]\npath = \"CAPTURES/dhcp.pcap\"\n", 9, "input[1]", "input name \"dhcp.pcap\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Load(writeManifest(t, tt.text))
			if err != nil {
				t.Fatal(err)
			}
			_, err = MakePlan(context.Background(), m, PlanOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			me := firstError(t, err)
			type res struct {
				Line int
				Key  string
				Ok   bool
			}
			if diff := cmp.Diff(res{tt.line, tt.key, true}, res{me.Line, me.Key, strings.Contains(err.Error(), tt.msg)}); diff != "" {
				t.Errorf("(-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestLoadDefaults(t *testing.T) {
	m, err := Load(writeManifest(t, minimal))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(DefaultStreamerParams(), m.Streamer); diff != "" {
		t.Errorf("streamer (-want +got):\n%s", diff)
	}
	wantOut := OutputConfig{Path: "out", Format: "parquet", Compression: "zstd", RowsPerFile: DefaultRowsPerFile}
	if diff := cmp.Diff(wantOut, m.Output); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]features.Request{{Name: "base"}}, m.Features.Requests); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
}

// TestEveryDocumentedKeyLoads sets every documented key to its documented
// default: docs and decoder agree.
func TestEveryDocumentedKeyLoads(t *testing.T) {
	var b strings.Builder
	b.WriteString("[dataset]\nname = \"t\"\n")
	tables := map[string]string{"dataset": "", "input": "path = \"CAPTURES/dhcp.pcap\"\n", "streamer": "", "output": "path = \"out\"\n"}
	for _, k := range manifestKeys {
		if k.Table == "" || k.Table == "features" || k.Default == "" || strings.Contains(k.Default, " ") {
			continue
		}
		tables[k.Table] += k.Key + " = " + k.Default + "\n"
	}
	b.WriteString(tables["dataset"])
	b.WriteString("[[input]]\n" + tables["input"])
	b.WriteString("[streamer]\n" + tables["streamer"])
	b.WriteString("[features]\nsets = [\"base\"]\nplugins = []\n")
	b.WriteString("[output]\n" + tables["output"])
	if _, err := Load(writeManifest(t, b.String())); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	for _, k := range manifestKeys {
		if k.Table != "" && !strings.HasPrefix(k.Key, "<") && !strings.Contains(b.String(), k.Key+" = ") &&
			k.Default != "" && !strings.Contains(k.Default, " ") && k.Table != "features" {
			t.Errorf("key %s.%s not exercised", k.Table, k.Key)
		}
	}
}

func TestPluginsAndOptions(t *testing.T) {
	text := minimal + "[features]\nsets = [\"splt\", \"stats\"]\nsplt = { n = 4 }\n"
	if _, ok := features.Lookup("plugin.slicer"); ok {
		text += "plugins = [{ name = \"slicer\", limit = 4 }]\n"
	}
	m, err := Load(writeManifest(t, text))
	if err != nil {
		t.Fatal(err)
	}
	want := []features.Request{{Name: "base"}, {Name: "splt", Options: features.Options{"n": int64(4)}}, {Name: "stats"}}
	if _, ok := features.Lookup("plugin.slicer"); ok {
		want = append(want, features.Request{Name: "plugin.slicer", Options: features.Options{"limit": int64(4)}})
	}
	if diff := cmp.Diff(want, m.Features.Requests); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLineIndex(t *testing.T) {
	src := `# comment
[dataset]
name = "x"   # trailing
"quoted key" = 1

[[input]]
path = "a"
[[input]]
path = """multi
line = 3
"""
name = 'lit'

[features]
dpi = { n_dissections = 20, sub = { deep = 1 } }
plugins = [
  "ja4",
  { name = "slicer",
    limit = 4 },
]

[[label]]
kind = "rules"
[[label.rule]]
dst = "a"
[[label.rule]]
dst = "b"
`
	got := indexLines(src)
	want := map[string]int{
		"dataset":                       2,
		"dataset.name":                  3,
		"dataset.quoted key":            4,
		"input":                         6,
		"input[0]":                      6,
		"input[0].path":                 7,
		"input[1]":                      8,
		"input[1].path":                 9,
		"input[1].name":                 12,
		"features.dpi":                  15,
		"features.dpi.n_dissections":    15,
		"features.dpi.sub.deep":         15,
		"features.plugins":              16,
		"features.plugins[0]":           17,
		"features.plugins[1]":           18,
		"features.plugins[1].name":      18,
		"features.plugins[1].limit":     19,
		"label[0].kind":                 23,
		"label[0].rule[0]":              24,
		"label[0].rule[0].dst":          25,
		"label[0].rule[1].dst":          27,
		"label[0].rule[1].missing.deep": 26, // nearest ancestor
	}
	gotSel := map[string]int{}
	for k := range want {
		gotSel[k] = got.line(k)
	}
	if diff := cmp.Diff(want, gotSel); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestShippedManifestsLoad: every manifest in manifests/ passes the
// manifest checks (their inputs may be absent here).
func TestShippedManifestsLoad(t *testing.T) {
	paths, _ := filepath.Glob("../manifests/*.toml")
	if len(paths) == 0 {
		t.Fatal("no manifests")
	}
	for _, p := range paths {
		if _, err := Load(p); err != nil {
			t.Errorf("%v", err)
		}
	}
}
