package labelers

import (
	"net/netip"
	"sync/atomic"

	"github.com/nfdataset/nfdataset/features"
)

const rulesExample = `[[label]]
kind = "rules"
default = "BENIGN"
zero_payload_suffix = " - Attempted"

[[label.rule]]
label = "FTP-Patator"
src = "172.16.0.1"
dst = "192.168.10.50"
dst_port = 21
protocol = "tcp"
start = "2017-07-04T09:17:00-03:00"
end = "2017-07-04T10:30:00.999-03:00"
time_match = "first"

[[label.rule]]
label = "Bot"
dst = ["205.174.165.73", "52.0.0.0/8"]
dst_port = [8080, "8000-8100"]
bidirectional = true
min_packets = 2
src2dst_payload = "nonzero"
`

func init() {
	Register(Spec{
		Kind:    "rules",
		Version: 1,
		Doc:     "Rules by address, port, protocol, application, time window and flow size, tried in order; the first match writes its label, unmatched flows get default.",
		Example: rulesExample,
		Keys: []Key{
			{"zero_payload_suffix", "appended to the label of every matched TCP flow whose src→dst direction (the flow's first packet's sender) carried no transport payload; rules inherit it"},
			{"zero_payload_label", "written instead of the rule's label for such flows (instead of a suffix); rules inherit it"},
			{"rule", "the [[label.rule]] tables, tried in order"},
			{"rule.label", "the value written when the rule matches (required)"},
			{"rule.src", "source address or CIDR prefix, or a list of them"},
			{"rule.dst", "destination address or CIDR prefix, or a list of them"},
			{"rule.src_port", "source port: a number, a \"from-to\" range, or a list of either"},
			{"rule.dst_port", "destination port: a number, a \"from-to\" range, or a list of either"},
			{"rule.protocol", "IP protocol number or name (tcp, udp, icmp, …), or a list"},
			{"rule.application", "glob on application_name (needs the dpi set), or a list"},
			{"rule.category", "glob on application_category_name (needs the dpi set), or a list"},
			{"rule.start", "RFC 3339 time with an offset: the window opens (inclusive)"},
			{"rule.end", "RFC 3339 time with an offset: the window closes (inclusive)"},
			{"rule.time_match", "overlap (default: the flow's [first, last] packet times meet the window), first (first packet inside) or last (last packet inside)"},
			{"rule.min_packets", "at least this many packets (bidirectional_packets)"},
			{"rule.max_packets", "at most this many packets"},
			{"rule.min_bytes", "at least this many bytes (bidirectional_bytes)"},
			{"rule.max_bytes", "at most this many bytes"},
			{"rule.min_duration_ms", "bidirectional_duration_ms at least this"},
			{"rule.max_duration_ms", "bidirectional_duration_ms at most this"},
			{"rule.min_src2dst_packets", "at least this many src→dst packets"},
			{"rule.max_src2dst_packets", "at most this many src→dst packets"},
			{"rule.min_dst2src_packets", "at least this many dst→src packets"},
			{"rule.max_dst2src_packets", "at most this many dst→src packets"},
			{"rule.src2dst_payload", "zero or nonzero: src→dst transport payload bytes"},
			{"rule.dst2src_payload", "zero or nonzero: dst→src transport payload bytes"},
			{"rule.bidirectional", "true: also match with source and destination (addresses, ports, per-direction predicates) swapped"},
			{"rule.zero_payload_suffix", "replaces the inherited zero-payload behaviour with this suffix (\"\" turns it off for the rule)"},
			{"rule.zero_payload_label", "replaces the inherited zero-payload behaviour: write this label instead"},
		},
		New: newRules,
	})
}

type timeMatch uint8

const (
	matchOverlap timeMatch = iota
	matchFirst
	matchLast
)

type bound struct {
	set bool
	v   int64
}

type payloadCond uint8

const (
	payloadAny payloadCond = iota
	payloadZero
	payloadNonzero
)

type rule struct {
	src, dst           []netip.Prefix
	srcPorts, dstPorts []portRange
	protos             []uint8
	apps, cats         []glob
	start, end         bound // ns since the epoch
	timeMatch          timeMatch
	minPackets, maxPackets,
	minBytes, maxBytes,
	minDur, maxDur,
	minS2D, maxS2D,
	minD2S, maxD2S bound
	s2dPayload, d2sPayload payloadCond
	bidirectional          bool
	needApp                bool

	label, zeroLabel  string
	zeroSet           bool // zeroLabel applies
	outLabel, outZero int  // indices into Rules.outputs
	hits              atomic.Int64
}

// zeroRule is what happens to a matched TCP flow whose source sent no
// payload: nothing (value ""), a suffix, or a replacement label.
type zeroRule struct {
	value   string
	isLabel bool
}

// parseZero reads zero_payload_suffix or zero_payload_label; either
// replaces the inherited rule (a rule inherits its labeler's).
func parseZero(c *Config, inherited zeroRule) (zeroRule, error) {
	suffix, hasSuffix, err := c.OptString("zero_payload_suffix")
	if err != nil {
		return inherited, err
	}
	label, hasLabel, err := c.OptString("zero_payload_label")
	if err != nil {
		return inherited, err
	}
	switch {
	case hasSuffix && hasLabel:
		return inherited, c.Errorf("zero_payload_label", "set either zero_payload_label or zero_payload_suffix, not both")
	case hasSuffix:
		return zeroRule{value: suffix}, nil
	case hasLabel:
		return zeroRule{value: label, isLabel: true}, nil
	}
	return inherited, nil
}

// Rules is the "rules" labeler.
type Rules struct {
	column, def string
	rules       []*rule
	outputs     []string // distinct labels written, in first-use order
	counts      []atomic.Int64
	defaultIdx  int
	flows       atomic.Int64
	facts       factReader
}

var _ Labeler = (*Rules)(nil)

func newRules(c *Config) (Labeler, error) {
	r := &Rules{column: c.Column, def: c.Default}
	index := map[string]int{}
	out := func(s string) int {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(r.outputs)
		r.outputs = append(r.outputs, s)
		return index[s]
	}
	r.defaultIdx = out(r.def)
	zero, err := parseZero(c, zeroRule{})
	if err != nil {
		return nil, err
	}
	tables, err := c.Tables("rule")
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		ru, err := parseRule(t, zero)
		if err != nil {
			return nil, err
		}
		if err := t.Done(); err != nil {
			return nil, err
		}
		ru.outLabel = out(ru.label)
		ru.outZero = ru.outLabel
		if ru.zeroSet {
			ru.outZero = out(ru.zeroLabel)
		}
		r.rules = append(r.rules, ru)
	}
	r.counts = make([]atomic.Int64, len(r.outputs))
	return r, nil
}

func parseRule(t *Config, zero zeroRule) (*rule, error) {
	ru := &rule{}
	var err error
	if ru.label, err = t.String("label", ""); err != nil {
		return nil, err
	}
	if !t.Has("label") {
		return nil, t.Errorf("label", "missing: the value the rule writes")
	}
	if ru.src, err = parsePrefixes(t, "src"); err != nil {
		return nil, err
	}
	if ru.dst, err = parsePrefixes(t, "dst"); err != nil {
		return nil, err
	}
	if ru.srcPorts, err = parsePorts(t, "src_port"); err != nil {
		return nil, err
	}
	if ru.dstPorts, err = parsePorts(t, "dst_port"); err != nil {
		return nil, err
	}
	if ru.protos, err = parseProtocols(t, "protocol"); err != nil {
		return nil, err
	}
	for _, g := range []struct {
		key string
		dst *[]glob
	}{{"application", &ru.apps}, {"category", &ru.cats}} {
		pats, err := t.Strings(g.key)
		if err != nil {
			return nil, err
		}
		for _, p := range pats {
			gl, err := newGlob(p)
			if err != nil {
				return nil, t.Errorf(g.key, "bad pattern %q: %v", p, err)
			}
			*g.dst = append(*g.dst, gl)
		}
	}
	ru.needApp = len(ru.apps) > 0 || len(ru.cats) > 0
	for _, tb := range []struct {
		key string
		dst *bound
	}{{"start", &ru.start}, {"end", &ru.end}} {
		tm, ok, err := t.Time(tb.key)
		if err != nil {
			return nil, err
		}
		if ok {
			*tb.dst = bound{true, tm.UnixNano()}
		}
	}
	if ru.start.set && ru.end.set && ru.end.v < ru.start.v {
		return nil, t.Errorf("end", "ends before start")
	}
	tmode, err := t.String("time_match", "overlap")
	if err != nil {
		return nil, err
	}
	switch tmode {
	case "overlap":
		ru.timeMatch = matchOverlap
	case "first":
		ru.timeMatch = matchFirst
	case "last":
		ru.timeMatch = matchLast
	default:
		return nil, t.Errorf("time_match", "want overlap, first or last, got %q", tmode)
	}
	for _, b := range []struct {
		key string
		dst *bound
	}{
		{"min_packets", &ru.minPackets}, {"max_packets", &ru.maxPackets},
		{"min_bytes", &ru.minBytes}, {"max_bytes", &ru.maxBytes},
		{"min_duration_ms", &ru.minDur}, {"max_duration_ms", &ru.maxDur},
		{"min_src2dst_packets", &ru.minS2D}, {"max_src2dst_packets", &ru.maxS2D},
		{"min_dst2src_packets", &ru.minD2S}, {"max_dst2src_packets", &ru.maxD2S},
	} {
		n, ok, err := t.Int(b.key)
		if err != nil {
			return nil, err
		}
		if ok {
			if n < 0 {
				return nil, t.Errorf(b.key, "must not be negative")
			}
			*b.dst = bound{true, n}
		}
	}
	for _, p := range []struct {
		key string
		dst *payloadCond
	}{{"src2dst_payload", &ru.s2dPayload}, {"dst2src_payload", &ru.d2sPayload}} {
		s, err := t.String(p.key, "")
		if err != nil {
			return nil, err
		}
		switch s {
		case "":
		case "zero":
			*p.dst = payloadZero
		case "nonzero":
			*p.dst = payloadNonzero
		default:
			return nil, t.Errorf(p.key, "want zero or nonzero, got %q", s)
		}
	}
	if ru.bidirectional, err = t.Bool("bidirectional", false); err != nil {
		return nil, err
	}
	if zero, err = parseZero(t, zero); err != nil {
		return nil, err
	}
	switch {
	case zero.isLabel:
		ru.zeroLabel, ru.zeroSet = zero.value, true
	case zero.value != "":
		ru.zeroLabel, ru.zeroSet = ru.label+zero.value, true
	}
	return ru, nil
}

func (r *Rules) Name() string   { return "rules" }
func (r *Rules) Version() int   { return 1 }
func (r *Rules) Column() string { return r.column }

// Label returns the label of the first matching rule, or the default.
func (r *Rules) Label(v features.View) string {
	r.flows.Add(1)
	f := r.facts.read(v)
	var app, cat string
	appRead := false
	for _, ru := range r.rules {
		if ru.needApp && !appRead {
			app, cat = r.facts.app(v)
			appRead = true
		}
		if !ru.match(&f, app, cat) {
			continue
		}
		ru.hits.Add(1)
		i := ru.outLabel
		if ru.zeroSet && f.proto == 6 && f.hasPayload && f.s2dPayload == 0 {
			i = ru.outZero
		}
		r.counts[i].Add(1)
		return r.outputs[i]
	}
	r.counts[r.defaultIdx].Add(1)
	return r.def
}

// match reports whether the rule matches the flow as metered or, for a
// bidirectional rule, seen from the other side.
func (ru *rule) match(f *facts, app, cat string) bool {
	if !ru.common(f, app, cat) {
		return false
	}
	if ru.directed(f) {
		return true
	}
	if ru.bidirectional {
		s := f.swapped()
		return ru.directed(&s)
	}
	return false
}

// common checks what does not depend on direction.
func (ru *rule) common(f *facts, app, cat string) bool {
	if len(ru.protos) > 0 && !containsProto(ru.protos, f.proto) {
		return false
	}
	if ru.start.set || ru.end.set {
		first, last := f.firstMs*1e6, f.lastMs*1e6
		lo, hi := int64(-1<<63), int64(1<<63-1)
		if ru.start.set {
			lo = ru.start.v
		}
		if ru.end.set {
			hi = ru.end.v
		}
		switch ru.timeMatch {
		case matchOverlap:
			if first > hi || last < lo {
				return false
			}
		case matchFirst:
			if first < lo || first > hi {
				return false
			}
		case matchLast:
			if last < lo || last > hi {
				return false
			}
		}
	}
	if !within(f.packets, ru.minPackets, ru.maxPackets) || !within(f.bytes, ru.minBytes, ru.maxBytes) ||
		!within(f.lastMs-f.firstMs, ru.minDur, ru.maxDur) {
		return false
	}
	if len(ru.apps) > 0 && !anyGlob(ru.apps, app) {
		return false
	}
	if len(ru.cats) > 0 && !anyGlob(ru.cats, cat) {
		return false
	}
	return true
}

// directed checks addresses, ports and per-direction predicates.
func (ru *rule) directed(f *facts) bool {
	if len(ru.src) > 0 && !inPrefixes(ru.src, f.srcIP) {
		return false
	}
	if len(ru.dst) > 0 && !inPrefixes(ru.dst, f.dstIP) {
		return false
	}
	if len(ru.srcPorts) > 0 && !inPorts(ru.srcPorts, f.srcPort) {
		return false
	}
	if len(ru.dstPorts) > 0 && !inPorts(ru.dstPorts, f.dstPort) {
		return false
	}
	if !within(f.s2dPackets, ru.minS2D, ru.maxS2D) || !within(f.d2sPackets, ru.minD2S, ru.maxD2S) {
		return false
	}
	if ru.s2dPayload != payloadAny || ru.d2sPayload != payloadAny {
		if !f.hasPayload || !payloadOK(ru.s2dPayload, f.s2dPayload) || !payloadOK(ru.d2sPayload, f.d2sPayload) {
			return false
		}
	}
	return true
}

func payloadOK(c payloadCond, n int64) bool {
	switch c {
	case payloadZero:
		return n == 0
	case payloadNonzero:
		return n > 0
	}
	return true
}

func within(x int64, lo, hi bound) bool {
	return (!lo.set || x >= lo.v) && (!hi.set || x <= hi.v)
}

func containsProto(ps []uint8, p uint8) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func inPorts(rs []portRange, p uint16) bool {
	for _, r := range rs {
		if p >= r.lo && p <= r.hi {
			return true
		}
	}
	return false
}

func anyGlob(gs []glob, s string) bool {
	for _, g := range gs {
		if g.match(s) {
			return true
		}
	}
	return false
}

// Report gives the flows seen, each rule's hits and the count per label.
func (r *Rules) Report() map[string]any {
	rules := make([]any, len(r.rules))
	for i, ru := range r.rules {
		rules[i] = map[string]any{"index": int64(i), "label": ru.label, "hits": ru.hits.Load()}
	}
	labels := map[string]any{}
	for i, s := range r.outputs {
		if n := r.counts[i].Load(); n > 0 {
			labels[s] = n
		}
	}
	return map[string]any{"flows": r.flows.Load(), "rules": rules, "labels": labels}
}
