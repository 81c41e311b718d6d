package report

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// palette colours labels in the order of their counts; the last is for
// grouped remainders.
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

const otherColor = "#cccccc"

func esc(s string) string { return html.EscapeString(s) }

func fmtNum(v float64) string {
	switch {
	case math.IsInf(v, 0) || math.IsNaN(v):
		return "—"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

type bar struct {
	label string
	n     int64
	color string
}

// hbars draws one horizontal bar per item with its count and share.
func hbars(items []bar, total int64) string {
	const rowH, labelW, barW = 20, 220, 360
	var b strings.Builder
	h := rowH*len(items) + 4
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, labelW+barW+140, h)
	var maxN int64 = 1
	for _, it := range items {
		maxN = max(maxN, it.n)
	}
	for i, it := range items {
		y := i*rowH + 2
		w := float64(barW) * float64(it.n) / float64(maxN)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="t">%s</text>`, labelW-6, y+14, esc(clipText(it.label, 32)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, labelW, y+2, w, rowH-5, it.color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="t">%d (%s)</text>`, float64(labelW)+w+6, y+14, it.n, share(it.n, total))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func share(n, total int64) string {
	if total == 0 {
		return "—"
	}
	return strconv.FormatFloat(100*float64(n)/float64(total), 'f', 1, 64) + "%"
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// topBars turns a counter into bars: the top n coloured, the rest grouped.
func topBars(c counter, n int) []bar {
	keys, rest := c.top(n)
	var out []bar
	for i, k := range keys {
		out = append(out, bar{k, c[k], palette[i%(len(palette)-1)]})
	}
	if rest > 0 {
		out = append(out, bar{fmt.Sprintf("other (%d more)", len(c)-len(keys)), rest, otherColor})
	}
	return out
}

// stacked draws flows over time, one stacked bar per time slice, with the
// labels in legend order (colours from legend).
func stacked(t *timeline, legend []bar, firstMS, lastMS int64) string {
	const W, H, left, bottom, slices = 760, 240, 60, 40, 60
	if len(t.b) == 0 || firstMS < 0 {
		return "<p>No flow has a first-seen time.</p>"
	}
	span := max(lastMS-firstMS, 1)
	width := max((span+slices-1)/slices, t.widthMS)
	n := int((span + width - 1) / width)
	n = max(n, 1)
	colour := map[string]string{}
	for _, l := range legend {
		colour[l.label] = l.color
	}
	counts := make([]counter, n)
	for i := range counts {
		counts[i] = counter{}
	}
	keys := make([]int64, 0, len(t.b))
	for k := range t.b {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		i := int((k*t.widthMS - firstMS) / width)
		i = min(max(i, 0), n-1)
		for l, c := range t.b[k] {
			if _, ok := colour[l]; !ok {
				l = "other"
			}
			counts[i][l] += c
		}
	}
	var maxN int64 = 1
	for _, c := range counts {
		maxN = max(maxN, c.total())
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, W, H)
	plotW, plotH := float64(W-left-10), float64(H-bottom-10)
	bw := plotW / float64(n)
	fmt.Fprintf(&b, `<line x1="%d" y1="%.0f" x2="%d" y2="%.0f" class="axis"/>`, left, plotH+10, W-10, plotH+10)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="t">%d</text>`, left-4, 20, maxN)
	fmt.Fprintf(&b, `<text x="%d" y="%.0f" text-anchor="end" class="t">0</text>`, left-4, plotH+10)
	for i, c := range counts {
		y := plotH + 10
		for _, l := range legend {
			v := c[l.label]
			if l.color == otherColor {
				v = c["other"]
			}
			if v == 0 {
				continue
			}
			h := plotH * float64(v) / float64(maxN)
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d</title></rect>`,
				float64(left)+float64(i)*bw, y, math.Max(bw-1, 0.5), h, l.color, esc(l.label), v)
		}
	}
	for _, f := range []float64{0, 0.5, 1} {
		ms := firstMS + int64(f*float64(span))
		x := float64(left) + f*plotW
		anchor := map[float64]string{0: "start", 0.5: "middle", 1: "end"}[f]
		fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="%s" class="t">%s</text>`, x, H-18, anchor,
			time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05"))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="t">one bar = %s (UTC)</text>`, left, H-3, time.Duration(width)*time.Millisecond)
	b.WriteString(`</svg>`)
	return b.String()
}

// histogram draws a small histogram of one column.
func histogram(s *numStats, log bool) string {
	const W, H, n = 260, 90, 24
	if s.count == 0 {
		return ""
	}
	edges, counts := s.bins(n, log)
	var maxN int64 = 1
	for _, c := range counts {
		maxN = max(maxN, c)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, W, H)
	bw := float64(W) / float64(n)
	for i, c := range counts {
		if c == 0 {
			continue
		}
		h := float64(H-16) * float64(c) / float64(maxN)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#4e79a7"><title>≥ %s: %d</title></rect>`,
			float64(i)*bw, float64(H-16)-h, math.Max(bw-1, 0.5), h, fmtNum(edges[i]), c)
	}
	scale := "linear"
	if log {
		scale = "log₁₀ (first bar: 0)"
	}
	fmt.Fprintf(&b, `<text x="0" y="%d" class="s">%s</text><text x="%d" y="%d" text-anchor="end" class="s">%s · %s</text>`,
		H-3, fmtNum(s.min), W, H-3, fmtNum(s.max), scale)
	b.WriteString(`</svg>`)
	return b.String()
}

// perLabel draws one histogram outline per label over a shared axis.
func perLabel(all *numStats, byLabel map[string]*numStats, legend []bar) string {
	const W, H, n = 520, 160, 30
	if all == nil || all.count == 0 {
		return ""
	}
	log := all.logScale()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, W, H+16*len(legend))
	bw := float64(W) / float64(n)
	for li, l := range legend {
		s := byLabel[l.label]
		if s == nil || s.count == 0 {
			continue
		}
		// Shared edges: re-bin this label with the whole column's range.
		sub := *s
		sub.min, sub.max = all.min, all.max
		_, counts := sub.bins(n, log)
		var maxN int64 = 1
		for _, c := range counts {
			maxN = max(maxN, c)
		}
		var pts []string
		for i, c := range counts {
			y := float64(H-4) - float64(H-8)*float64(c)/float64(maxN)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f %.1f,%.1f", float64(i)*bw, y, float64(i+1)*bw, y))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5"/>`, strings.Join(pts, " "), l.color)
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="10" height="10" fill="%s"/><text x="14" y="%d" class="s">%s (%d flows; each outline scaled to its own peak)</text>`,
			H+4+16*li, l.color, H+13+16*li, esc(l.label), s.count)
	}
	scale := "linear"
	if log {
		scale = "log₁₀"
	}
	fmt.Fprintf(&b, `<text x="0" y="12" class="s">%s … %s, %s</text>`, fmtNum(all.min), fmtNum(all.max), scale)
	b.WriteString(`</svg>`)
	return b.String()
}
