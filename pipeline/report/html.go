package report

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// File is the report's default name in a dataset directory. verify
// ignores it and dataset.json does not list it: it is a view of the
// dataset, not part of it.
const File = "report.html"

// fewFlows is the count under which a label gets a warning.
const fewFlows = 10

// Sections are the ids of the page's sections, in order.
var Sections = []string{"identity", "labels", "timeline", "applications", "features", "warnings"}

// Write renders the report of the dataset in dir to out (dir/report.html
// when empty), under a temporary name first.
func Write(dir, out string, opts Options) error {
	if out == "" {
		out = filepath.Join(dir, File)
	}
	b, err := Render(dir, opts)
	if err != nil {
		return err
	}
	var r [6]byte
	rand.Read(r[:])
	tmp := filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".tmp-"+hex.EncodeToString(r[:]))
	if err := os.WriteFile(tmp, b, 0o666); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Render returns the report page of the dataset in dir.
func Render(dir string, opts Options) ([]byte, error) {
	s, err := collect(dir, opts)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	p := s.prov
	title := p.Dataset.Name
	if p.Dataset.Version != "" {
		title += " " + p.Dataset.Version
	}
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s — nfdataset report</title>
<style>%s</style></head><body>
<header><h1>%s</h1><p>%s</p><nav>`, esc(title), css, esc(title), esc(p.Dataset.Description))
	for _, id := range Sections {
		fmt.Fprintf(&b, `<a href="#%s">%s</a> `, id, id)
	}
	b.WriteString("</nav></header>\n")
	s.identity(&b)
	legend := s.labels(&b)
	s.timelineSection(&b, legend)
	s.applications(&b)
	s.features(&b, legend)
	s.warnings(&b)
	b.WriteString("</body></html>\n")
	return []byte(b.String()), nil
}

const css = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 48px;color:#222}
h1{margin:24px 0 4px}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
nav a{margin-right:12px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px;word-break:break-all}
.t{font-size:12px;fill:#222}.s{font-size:10px;fill:#555}.axis{stroke:#999}.feat{display:inline-block;margin:6px 12px 6px 0;vertical-align:top}
.warn li{margin:4px 0}.muted{color:#666}`

func (s *summary) identity(b *strings.Builder) {
	p := s.prov
	b.WriteString(`<section id="identity"><h2>Identity</h2><table>`)
	row := func(k, v string) { fmt.Fprintf(b, "<tr><th>%s</th><td>%s</td></tr>", k, v) }
	row("name", esc(p.Dataset.Name))
	row("version", esc(p.Dataset.Version))
	row("flows", fmt.Sprint(s.rows))
	row("manifest", "<code>manifest.json</code>, sha256 <code>"+esc(p.ManifestSHA256)+"</code>")
	span := "—"
	if s.firstMS >= 0 && s.lastMS >= 0 {
		span = fmt.Sprintf("%s → %s (UTC), %s", time.UnixMilli(s.firstMS).UTC().Format("2006-01-02 15:04:05.000"),
			time.UnixMilli(s.lastMS).UTC().Format("2006-01-02 15:04:05.000"), time.Duration(s.lastMS-s.firstMS)*time.Millisecond)
	}
	row("capture span", esc(span)+` <span class="muted">(first to last packet of any flow)</span>`)
	row("nfdataset", esc(p.Nfdataset.Version))
	b.WriteString("</table><h3>Inputs</h3><table><tr><th>input</th><th>file</th><th>size</th><th>sha256</th><th>flows</th><th>warnings</th></tr>")
	for _, in := range p.Inputs {
		for i, f := range in.Files {
			name, flows, warn := "", "", ""
			if i == 0 {
				name, flows, warn = esc(in.Name), fmt.Sprint(in.Rows), fmt.Sprint(len(in.Warnings))
			}
			fmt.Fprintf(b, `<tr><td>%s</td><td>%s</td><td class="n">%d</td><td><code>%s</code></td><td class="n">%s</td><td class="n">%s</td></tr>`,
				name, esc(f.Name), f.Size, esc(f.SHA256), flows, warn)
		}
	}
	b.WriteString("</table><h3>Feature sets</h3><table><tr><th>set</th><th>version</th><th>logic hash</th></tr>")
	for _, fs := range p.FeatureSets {
		fmt.Fprintf(b, `<tr><td>%s</td><td class="n">%d</td><td><code>%s</code></td></tr>`, esc(fs.Name), fs.Version, esc(fs.LogicHash))
	}
	b.WriteString("</table></section>\n")
}

// labels writes the label balance and returns the legend of the first
// label column (the timeline's and per-label histograms' colours).
func (s *summary) labels(b *strings.Builder) []bar {
	b.WriteString(`<section id="labels"><h2>Labels</h2>`)
	if len(s.labs) == 0 {
		b.WriteString("<p>The dataset has no label column.</p></section>\n")
		return []bar{{"flows", s.rows, palette[0]}}
	}
	var legend []bar
	for li, l := range s.labs {
		bars := topBars(l.counts, 9)
		if li == 0 {
			legend = bars
		}
		fmt.Fprintf(b, "<h3>Column <code>%s</code> (labeler %s)</h3>", esc(l.column), esc(l.kind))
		if l.rules != "" {
			fmt.Fprintf(b, "<p>Rules (<code>[[label]]</code> of the manifest): <code>%s</code></p>", esc(l.rules))
		}
		if l.report != "" {
			fmt.Fprintf(b, "<p>Labeler report: <code>%s</code></p>", esc(l.report))
		}
		b.WriteString(hbars(bars, s.rows))
		keys, _ := l.counts.top(len(l.counts))
		for _, by := range []struct {
			what string
			m    map[string]counter
		}{{"input", l.byInput}, {"day (UTC)", l.byDay}} {
			fmt.Fprintf(b, "<table><tr><th>%s</th>", by.what)
			for _, k := range keys {
				fmt.Fprintf(b, "<th>%s</th>", esc(k))
			}
			b.WriteString("<th>total</th></tr>")
			groups := make([]string, 0, len(by.m))
			for g := range by.m {
				groups = append(groups, g)
			}
			sort.Strings(groups)
			for _, g := range groups {
				c := by.m[g]
				t := c.total()
				fmt.Fprintf(b, "<tr><td>%s</td>", esc(g))
				for _, k := range keys {
					fmt.Fprintf(b, `<td class="n">%d (%s)</td>`, c[k], share(c[k], t))
				}
				fmt.Fprintf(b, `<td class="n">%d</td></tr>`, t)
			}
			b.WriteString("</table>")
		}
	}
	b.WriteString("</section>\n")
	return legend
}

func (s *summary) timelineSection(b *strings.Builder, legend []bar) {
	b.WriteString(`<section id="timeline"><h2>Flows over time</h2><p class="muted">Flows by first packet, stacked by label.</p>`)
	b.WriteString(stacked(s.timeline, legend, s.firstMS, s.lastMS))
	b.WriteString("</section>\n")
}

func (s *summary) applications(b *strings.Builder) {
	b.WriteString(`<section id="applications"><h2>Applications</h2>`)
	if !s.hasApps {
		b.WriteString("<p>No <code>application_name</code> column: the dataset was built without the <code>dpi</code> feature set.</p></section>\n")
		return
	}
	fmt.Fprintf(b, "<h3>Applications (top %d)</h3>", s.opts.TopN)
	b.WriteString(hbars(topBars(s.apps, s.opts.TopN), s.rows))
	if len(s.cats) > 0 {
		fmt.Fprintf(b, "<h3>Categories (top %d)</h3>", s.opts.TopN)
		b.WriteString(hbars(topBars(s.cats, s.opts.TopN), s.rows))
	}
	b.WriteString("</section>\n")
}

func (s *summary) features(b *strings.Builder, legend []bar) {
	b.WriteString(`<section id="features"><h2>Features</h2><table><tr><th>column</th><th>count</th><th>nulls</th><th>min</th><th>p25</th><th>median</th><th>p75</th><th>p99</th><th>max</th><th>mean</th></tr>`)
	for _, c := range s.columns {
		st := s.num[c.Name]
		if st == nil {
			continue
		}
		fmt.Fprintf(b, `<tr><td><code>%s</code></td><td class="n">%d</td><td class="n">%d</td>`, esc(c.Name), st.count, st.nulls)
		if st.count == 0 {
			b.WriteString(`<td colspan="7">no values</td></tr>`)
			continue
		}
		q := st.quantiles(0.25, 0.5, 0.75, 0.99)
		for _, v := range []float64{st.min, q[0], q[1], q[2], q[3], st.max, st.mean()} {
			fmt.Fprintf(b, `<td class="n">%s</td>`, fmtNum(v))
		}
		b.WriteString("</tr>")
	}
	b.WriteString(`</table><p class="muted">Quantiles are exact for integers below 1024 and within 4.4% elsewhere (bounded histograms).</p><h3>Histograms</h3>`)
	for _, c := range s.columns {
		st := s.num[c.Name]
		if st == nil || st.count == 0 || st.min == st.max {
			continue
		}
		fmt.Fprintf(b, `<div class="feat"><div><code>%s</code></div>%s<div class="s">%s</div></div>`,
			esc(c.Name), histogram(st, st.logScale()), esc(clipText(s.docs[c.Name], 60)))
	}
	if len(s.opts.Columns) > 0 && len(s.labs) > 0 {
		fmt.Fprintf(b, "<h3>Per label (<code>%s</code>)</h3>", esc(s.labs[0].column))
		for _, c := range s.opts.Columns {
			fmt.Fprintf(b, `<div class="feat"><div><code>%s</code></div>%s</div>`, esc(c), perLabel(s.num[c], s.labs[0].perCol[c], legend))
		}
	}
	b.WriteString("</section>\n")
}

func (s *summary) warnings(b *strings.Builder) {
	var w []string
	for _, c := range s.columns {
		if st := s.num[c.Name]; st != nil {
			switch {
			case st.count == 0:
				w = append(w, fmt.Sprintf("column <code>%s</code> is empty (every value null)", esc(c.Name)))
			case st.min == st.max && s.rows > 1:
				w = append(w, fmt.Sprintf("column <code>%s</code> is constant (%s)", esc(c.Name), fmtNum(st.min)))
			}
		}
		if st := s.str[c.Name]; st != nil {
			switch {
			case st.values == 0:
				w = append(w, fmt.Sprintf("column <code>%s</code> is empty (every value null or empty)", esc(c.Name)))
			case !st.varied && st.nulls == 0 && s.rows > 1:
				w = append(w, fmt.Sprintf("column <code>%s</code> is constant (%q)", esc(c.Name), esc(st.first)))
			}
		}
	}
	for _, l := range s.labs {
		keys, _ := l.counts.top(len(l.counts))
		for _, k := range keys {
			if n := l.counts[k]; n < fewFlows {
				w = append(w, fmt.Sprintf("label <code>%s</code> of <code>%s</code> has only %d flow(s)", esc(k), esc(l.column), n))
			}
		}
		if l.def != "" {
			if n := l.counts[l.def]; n > 0 {
				w = append(w, fmt.Sprintf("%d flow(s) (%s) of <code>%s</code> were left at the default label <code>%s</code>: no rule matched them",
					n, share(n, s.rows), esc(l.column), esc(l.def)))
			}
		}
	}
	for _, in := range s.prov.Inputs {
		if len(in.Warnings) == 0 {
			continue
		}
		first := in.Warnings
		if len(first) > 3 {
			first = first[:3]
		}
		w = append(w, fmt.Sprintf("input <code>%s</code> raised %d damage warning(s): %s", esc(in.Name), len(in.Warnings), esc(strings.Join(first, "; "))))
	}
	b.WriteString(`<section id="warnings"><h2>Warnings</h2>`)
	if len(w) == 0 {
		b.WriteString("<p>None.</p>")
	} else {
		fmt.Fprintf(b, `<p>%d item(s) worth a reviewer's eye.</p><ul class="warn">`, len(w))
		for _, x := range w {
			fmt.Fprintf(b, "<li>%s</li>", x)
		}
		b.WriteString("</ul>")
	}
	b.WriteString("</section>\n")
}
