package features_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// Parity of the bundled plugins with NFStream's (spec/golden/plugins, see
// its README for how each file was produced). Only the core columns and the
// udps.* columns are compared: the goldens made with the default streamer
// also hold nDPI's columns, which are the dpi set's business.

type pluginParityCase struct {
	golden   string // file in spec/golden/plugins
	capture  string // file in corpus/nfstream/pcaps
	streamer func(*stages.Streamer)
	sets     []features.Request
	plugins  []string // --plugin flags, after sets
	// floatRel is the relative tolerance for float columns (0: exact).
	floatRel float64
}

func pluginRequest(t *testing.T, flag string) features.Request {
	t.Helper()
	r, err := features.ParsePluginFlag(flag)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParityBundledPlugins(t *testing.T) {
	shared := needPluginShared(t)
	pcaps := filepath.Join(shared, "corpus", "nfstream", "pcaps")
	gold := filepath.Join(shared, "spec", "golden", "plugins")
	base := features.Request{Name: "base"}
	noDPI := func(*stages.Streamer) {} // n_dissections=0 only removes DPI columns, which we do not request
	var cases []pluginParityCase
	for _, c := range []string{"443-chrome.pcap", "443-curl.pcap", "443-safari.pcap", "facebook.pcap", "google_ssl.pcap", "tls_alert.pcap"} {
		cases = append(cases, pluginParityCase{golden: c + ".JA4.csv", capture: c, streamer: noDPI,
			sets: []features.Request{base}, plugins: []string{"ja4"}})
	}
	cases = append(cases,
		pluginParityCase{golden: "dhcp.pcap.DHCP.csv", capture: "dhcp.pcap", streamer: noDPI,
			sets: []features.Request{base}, plugins: []string{"dhcp"}},
		pluginParityCase{golden: "mdns.pcap.MDNS.csv", capture: "mdns.pcap", streamer: noDPI,
			sets: []features.Request{base}, plugins: []string{"mdns"}},
		pluginParityCase{golden: "google_ssl.pcap.FlowSlicer4.csv", capture: "google_ssl.pcap", streamer: noDPI,
			sets: []features.Request{base}, plugins: []string{"slicer:limit=4"}},
		pluginParityCase{golden: "google_ssl.pcap.SPLT.csv", capture: "google_ssl.pcap", streamer: noDPI,
			sets:    []features.Request{base, {Name: "splt", Options: features.Options{"n": int64(5)}}},
			plugins: []string{"splt:sequence_length=5,accounting_mode=0"}},
	)
	for _, c := range []string{"google_ssl.pcap", "facebook.pcap", "android.pcap", "443-chrome.pcap", "dhcp.pcap", "dropbox.pcap", "viber.pcap", "telegram.pcap"} {
		cases = append(cases, pluginParityCase{golden: c + ".WF.csv", capture: c, streamer: noDPI,
			sets: []features.Request{base}, plugins: []string{"wfeatures:levels=4,active_timeout=1800"}, floatRel: 1e-9})
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			st := stages.DefaultStreamer()
			c.streamer(&st)
			sets := append([]features.Request(nil), c.sets...)
			for _, p := range c.plugins {
				sets = append(sets, pluginRequest(t, p))
			}
			checkPluginParity(t, filepath.Join(gold, c.golden), pluginRun{
				captures: []string{filepath.Join(pcaps, c.capture)}, streamer: st, sets: sets}, c.floatRel)
		})
	}
}

// checkPluginParity compares every non-DPI column of the golden, in order.
func checkPluginParity(t *testing.T, golden string, c pluginRun, floatRel float64) {
	t.Helper()
	header, rows, err := readPluginGolden(golden)
	if err != nil {
		t.Fatal(err)
	}
	got := runPlugins(t, c)
	var want, have []string
	for _, h := range header {
		if !pluginDPIColumns[h] && !isBuiltinSPLT(h) {
			want = append(want, h)
		}
	}
	for _, col := range got.Schema {
		if !isBuiltinSPLT(col.Name) {
			have = append(have, col.Name)
		}
	}
	if strings.Join(want, ",") != strings.Join(have, ",") {
		t.Fatalf("columns differ:\n got %v\nwant %v", have, want)
	}
	if len(rows) != len(got.Records) {
		t.Errorf("%d flows, want %d", len(got.Records), len(rows))
	}
	bad := 0
	for i := 0; i < min(len(rows), len(got.Records)); i++ {
		for j, name := range header {
			if pluginDPIColumns[name] {
				continue
			}
			k := got.Schema.Index(name)
			col, v, w := got.Schema[k], got.Records[i][k], rows[i][j]
			var err error
			switch {
			case v.Null:
				if w != "" {
					err = fmt.Errorf("got null, want %q", w)
				}
			case col.Kind == features.Float && floatRel > 0:
				err = comparePluginFloat(v.Float, w, floatRel)
			default:
				err = stages.CompareNFStreamText(col, v, w)
			}
			if err != nil {
				bad++
				if bad <= 10 {
					t.Errorf("flow %d column %s: %v", i, name, err)
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("… %d mismatching fields in all", bad)
	}
}

// isBuiltinSPLT tells the built-in splt columns (compared by the main parity
// test) from the plugin's udps.splt_* ones.
func isBuiltinSPLT(name string) bool { return strings.HasPrefix(name, "splt_") }

func comparePluginFloat(got float64, want string, rel float64) error {
	w, err := strconv.ParseFloat(want, 64)
	if err != nil {
		return fmt.Errorf("got %q, want %q", strconv.FormatFloat(got, 'g', -1, 64), want)
	}
	if got == w || math.Abs(got-w) <= rel*math.Max(math.Abs(got), math.Abs(w)) {
		return nil
	}
	return fmt.Errorf("got %q, want %q", strconv.FormatFloat(got, 'g', -1, 64), want)
}

// pluginSharedDir is the team's shared reference material beside the repository.
const pluginSharedDir = "../../shared"

func needPluginShared(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pluginSharedDir, "spec", "golden")); err != nil {
		t.Skip("../shared is absent (a user's clone): NFStream plugin parity tests skipped")
	}
	return pluginSharedDir
}

// pluginDPIColumns are nDPI's; the JA4, SPLT and FlowSlicer goldens hold them.
var pluginDPIColumns = map[string]bool{
	"application_name": true, "application_category_name": true, "application_is_guessed": true,
	"application_confidence": true, "requested_server_name": true, "client_fingerprint": true,
	"server_fingerprint": true, "user_agent": true, "content_type": true,
}

// readPluginGolden reads NFStream's to_csv output: strings quoted, quotes
// inside escaped with a backslash, no quoted line breaks.
func readPluginGolden(path string) (header []string, rows [][]string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return stages.ReadNFStreamCSV(f)
}

type pluginSink = stages.MemorySink

type pluginRun struct {
	captures []string
	streamer stages.Streamer
	sets     []features.Request
}

func runPlugins(t *testing.T, c pluginRun) *pluginSink {
	t.Helper()
	sink, err := stages.Collect(context.Background(), c.captures, c.streamer, c.sets, func(err error) { t.Logf("warning: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	return sink
}
