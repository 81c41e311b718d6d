package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/pipeline/report"
)

var update = flag.Bool("update", false, "rewrite docs/report-quickstart.png from the current report (review it first)")

const labelled = `
[dataset]
name = "labelled"
version = "1"

[[input]]
path = "%s/*.pcap"

[features]
sets = ["base", "stats", "dpi"]

[[label]]
kind = "rules"
default = "BENIGN"
[[label.rule]]
label = "DNS"
dst_port = 53

[output]
path = "out"
`

func build(t *testing.T, manifest string) string {
	t.Helper()
	m, err := pipeline.Load(manifest)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "ds")
	p, err := pipeline.MakePlan(context.Background(), m, pipeline.PlanOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Build(context.Background(), p, pipeline.BuildOptions{Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	return out
}

func buildLabelled(t *testing.T) string {
	t.Helper()
	captures, _ := filepath.Abs("../../testdata/captures")
	path := filepath.Join(t.TempDir(), "labelled.toml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(labelled, filepath.ToSlash(captures))), 0o644); err != nil {
		t.Fatal(err)
	}
	return build(t, path)
}

var external = regexp.MustCompile(`(?i)(\ssrc=|\shref="[^#]|url\(|@import|<script|<link|<iframe|<object|<embed)`)

// TestReportContents checks the page against the dataset read
// independently: every section, the label counts and shares, warnings for
// the default label and the rare labels, no external reference, the same
// bytes twice, and that verify ignores report.html.
func TestReportContents(t *testing.T) {
	dir := buildLabelled(t)
	opts := report.Options{Columns: []string{"bidirectional_bytes"}}
	if err := report.Write(dir, "", opts); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, report.File))
	if err != nil {
		t.Fatal(err)
	}
	again, err := report.Render(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, again) {
		t.Error("two renders of the same dataset differ")
	}
	html := string(page)
	for _, id := range report.Sections {
		if n := strings.Count(html, `<section id="`+id+`">`); n != 1 {
			t.Errorf("section %s appears %d times", id, n)
		}
	}
	if m := external.FindString(html); m != "" {
		t.Errorf("page references something outside itself: %q", m)
	}
	tbl, err := pipeline.ReadDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	li := -1
	for i, c := range tbl.Columns {
		if c == "label" {
			li = i
		}
	}
	counts := map[string]int{}
	for _, r := range tbl.Rows {
		counts[r[li].Str]++
	}
	if len(counts) != 2 || counts["DNS"] == 0 || counts["BENIGN"] == 0 {
		t.Fatalf("test dataset labels: %v", counts)
	}
	for l, n := range counts {
		want := fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(len(tbl.Rows)))
		if !strings.Contains(html, ">"+want+"<") {
			t.Errorf("label %s: page lacks its count and share %q", l, want)
		}
		if n < 10 && !strings.Contains(html, fmt.Sprintf("label <code>%s</code> of <code>label</code> has only %d flow(s)", l, n)) {
			t.Errorf("no warning for label %s with %d flows", l, n)
		}
	}
	if !strings.Contains(html, fmt.Sprintf("%d flow(s) (%.1f%%) of <code>label</code> were left at the default label <code>BENIGN</code>",
		counts["BENIGN"], 100*float64(counts["BENIGN"])/float64(len(tbl.Rows)))) {
		t.Error("no warning for the flows left at the default label")
	}
	if !strings.Contains(html, "column <code>vlan_id</code> is constant (0)") {
		t.Error("no warning for the constant vlan_id column")
	}
	if diffs, err := pipeline.Verify(dir, ""); err != nil || len(diffs) > 0 {
		t.Errorf("verify with report.html present: %v %v", diffs, err)
	}
	prov, _ := os.ReadFile(filepath.Join(dir, pipeline.ProvenanceFile))
	if bytes.Contains(prov, []byte(report.File)) {
		t.Error("dataset.json lists report.html")
	}
	if err := report.Write(dir, "", report.Options{Columns: []string{"application_name"}}); err == nil {
		t.Error("--columns with a string column accepted")
	}
}

// chromium runs headless Chromium on a page with a net log; it returns the
// DOM after load and stderr.
func chromium(t *testing.T, page string, extra ...string) (dom, stderr string, pageRequests []string) {
	t.Helper()
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium not installed (apt-get install chromium): browser checks skipped")
	}
	netlog := filepath.Join(t.TempDir(), "net.json")
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--enable-logging=stderr", "--log-level=0", "--log-net-log=" + netlog,
		"--user-data-dir=" + t.TempDir()}, extra...)
	abs, _ := filepath.Abs(page)
	args = append(args, "file://"+abs)
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	return out.String(), errb.String(), netRequests(t, netlog)
}

// netRequests lists the URLs the page itself asked for: requests whose
// network isolation key is the file:// page's (Chromium's own background
// requests to its update and account services have other keys).
func netRequests(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("net log: %v", err)
	}
	var log struct {
		Constants struct {
			Types map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int            `json:"type"`
			Params map[string]any `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatalf("net log: %v", err)
	}
	start, ok := log.Constants.Types["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatal("net log without URL_REQUEST_START_JOB")
	}
	var out []string
	for _, e := range log.Events {
		if e.Type != start {
			continue
		}
		if nik, _ := e.Params["network_isolation_key"].(string); strings.HasPrefix(nik, "file://") {
			out = append(out, fmt.Sprint(e.Params["url"]))
		}
	}
	return out
}

// consoleLine is how Chromium logs a page's console message.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// TestChromiumCatchesRequests: the checks of TestReportInChromium see an
// external request and a console error when a page has them, so that
// their silence on the report means something.
func TestChromiumCatchesRequests(t *testing.T) {
	page := filepath.Join(t.TempDir(), "bad.html")
	os.WriteFile(page, []byte(`<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script></body></html>`), 0o644)
	_, stderr, reqs := chromium(t, page, "--dump-dom")
	if len(reqs) == 0 {
		t.Error("net log shows no request for an external image")
	}
	if !consoleLine.MatchString(stderr) {
		t.Error("stderr shows no console error")
	}
}

// TestReportInChromium opens the quickstart's report in headless Chromium:
// no request leaves the page, no console message, every section in the
// loaded DOM, and a screenshot whose layout matches the reviewed one in
// docs/report-quickstart.png.
func TestReportInChromium(t *testing.T) {
	dir := build(t, "../../manifests/quickstart.toml")
	if err := report.Write(dir, "", report.Options{}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, report.File)
	dom, stderr, reqs := chromium(t, page, "--dump-dom")
	if len(reqs) > 0 {
		t.Errorf("the report made requests: %q", reqs)
	}
	if m := consoleLine.FindAllString(stderr, -1); len(m) > 0 {
		t.Errorf("console messages: %q", m)
	}
	for _, id := range report.Sections {
		if !strings.Contains(dom, `<section id="`+id+`">`) {
			t.Errorf("loaded DOM lacks section %s", id)
		}
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	chromium(t, page, "--window-size=1200,2400", "--screenshot="+shot)
	const golden = "../../docs/report-quickstart.png"
	if *update {
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := inkGrid(t, golden)
	if bad, cells := layoutDiff(t, inkGrid(t, shot), want); bad > cells/20 {
		t.Errorf("layout differs from docs/report-quickstart.png in %d of %d cells; look at %s, and if it is right: go test ./pipeline/report -run Chromium -update", bad, cells, shot)
	}

	// The comparison sees a different layout: the labelled dataset's
	// report, with its label bars and tables, against the quickstart's.
	other := buildLabelled(t)
	if err := report.Write(other, "", report.Options{}); err != nil {
		t.Fatal(err)
	}
	shot2 := filepath.Join(t.TempDir(), "other.png")
	chromium(t, filepath.Join(other, report.File), "--window-size=1200,2400", "--screenshot="+shot2)
	if bad, cells := layoutDiff(t, inkGrid(t, shot2), want); bad <= cells/20 {
		t.Errorf("a report with a labels section passes as the quickstart's layout (%d of %d cells differ)", bad, cells)
	}
}

// layoutDiff counts the cells whose ink differs by more than 8 points.
func layoutDiff(t *testing.T, got, want [][]float64) (bad, cells int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("screenshot has %d bands, the reviewed one %d", len(got), len(want))
	}
	for i := range got {
		for j := range got[i] {
			if math.Abs(got[i][j]-want[i][j]) > 0.08 {
				bad++
			}
		}
	}
	return bad, len(got) * len(got[0])
}

// inkGrid is a screenshot's layout: the share of non-white pixels in
// each cell of a 12-column grid of 100-pixel bands. Text reflowing by a
// few pixels or a changed digit does not move it; a missing section, a
// plot drawn elsewhere or a broken style does.
func inkGrid(t *testing.T, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	const cols, band = 12, 100
	var grid [][]float64
	for y0 := b.Min.Y; y0 < b.Max.Y; y0 += band {
		row := make([]float64, cols)
		for c := 0; c < cols; c++ {
			x0, x1 := b.Min.X+c*b.Dx()/cols, b.Min.X+(c+1)*b.Dx()/cols
			var ink, n int
			for y := y0; y < min(y0+band, b.Max.Y); y++ {
				for x := x0; x < x1; x++ {
					r, g, bl, _ := img.At(x, y).RGBA()
					if r+g+bl < 3*0xF000 {
						ink++
					}
					n++
				}
			}
			row[c] = float64(ink) / float64(n)
		}
		grid = append(grid, row)
	}
	return grid
}

// TestReportDamagedInput: a capture cut short mid-packet is named in the
// warnings with the warning dataset.json records for it.
func TestReportDamagedInput(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("../../testdata/captures/google_ssl.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cut.pcap"), b[:len(b)-100], 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "m.toml")
	os.WriteFile(manifest, []byte("[dataset]\nname = \"damaged\"\n[[input]]\npath = \"cut.pcap\"\n[output]\npath = \"ds\"\n"), 0o644)
	ds := build(t, manifest)
	prov, err := pipeline.ReadProvenance(ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(prov.Inputs[0].Warnings) == 0 {
		t.Fatal("a capture cut mid-packet raised no warning")
	}
	page, err := report.Render(ds, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("input <code>cut.pcap</code> raised %d damage warning(s): %s", len(prov.Inputs[0].Warnings), prov.Inputs[0].Warnings[0])
	if !strings.Contains(string(page), want) {
		t.Errorf("warnings lack %q", want)
	}
}
