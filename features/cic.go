package features

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/nfdataset/nfdataset/meter"
)

// The cic set computes the CICFlowMeter columns of the CIC-IDS2017 CSVs
// (names as in their header, without the leading spaces; units as
// CICFlowMeter's: microseconds, bytes, per second) over our flows. The
// default follows the corrected CICFlowMeter of Engelen et al. (the fork
// GintsEngelen/CICFlowMeter); original = true reproduces CICFlowMeter 4.0
// where the two differ. docs/cic.md gives every formula and difference.
//
// Times: CICFlowMeter's clock is the captured microsecond time
// (meter.Packet.TimeUs), not NFStream's clamped milliseconds.

func init() {
	Register(Spec{
		Name:    "cic",
		Version: 2,
		Rank:    50,
		Doc:     "CICFlowMeter's 83 flow features as in the CIC-IDS2017 CSVs (µs, bytes); Engelen et al.'s corrected CICFlowMeter, or 4.0 with original = true (docs/cic.md).",
		Options: []Option{
			{Name: "original", Default: false, Doc: "reproduce CICFlowMeter 4.0's errors (doubled first packet, first-packet-only PSH/URG, bulk direction, subflow count, integer ratios, absolute first Idle, …) instead of the corrected fork"},
		},
		New: func(opts Options, _ Env) (Set, error) {
			orig, err := opts.Bool("original")
			if err != nil {
				return nil, err
			}
			return &cicSet{original: orig}, nil
		},
	})
}

// cicActivityTimeout is CICFlowMeter's activity timeout: a gap longer than
// this closes an Active period and records an Idle one (µs).
const cicActivityTimeout = 5_000_000

// cicBulkBound and cicClump are CICFlowMeter's bulk parameters: a bulk is
// at least 4 payload packets one way, each within 1 s of the previous.
const (
	cicBulkBound = 4
	cicClump     = 1_000_000 // µs
)

// summary is Apache commons-math3's SummaryStatistics as CICFlowMeter uses
// it: running first and second moments in its update order, so the doubles
// match.
type summary struct {
	n        int64
	m1, m2   float64
	sum      float64
	min, max float64
}

func (s *summary) add(x float64) {
	s.n++
	if s.n == 1 {
		s.m1, s.m2, s.min, s.max = x, 0, x, x
		s.sum = x
		return
	}
	dev := x - s.m1
	nDev := dev / float64(s.n)
	s.m1 += nDev
	s.m2 += float64(s.n-1) * dev * nDev
	s.sum += x
	if x < s.min {
		s.min = x
	}
	if x > s.max {
		s.max = x
	}
}

func (s *summary) mean() float64 {
	if s.n == 0 {
		return 0
	}
	return s.m1
}

func (s *summary) variance() float64 {
	if s.n < 2 {
		return 0
	}
	return s.m2 / float64(s.n-1)
}

func (s *summary) std() float64 { return math.Sqrt(s.variance()) }

func (s *summary) minV() int64 {
	if s.n == 0 {
		return 0
	}
	return int64(s.min)
}

func (s *summary) maxV() int64 {
	if s.n == 0 {
		return 0
	}
	return int64(s.max)
}

// bulk is one direction's bulk state (CICFlowMeter's *bulk* helpers).
type bulk struct {
	startHelper, lastTS   int64
	countHelper, sizeHelp int64
	states, packets, size int64
	duration              int64
}

// add is updateForwardBulk/updateBackwardBulk: otherLast is the time of the
// other direction's last bulk packet.
func (b *bulk) add(ts, size, otherLast int64) {
	if otherLast > b.startHelper {
		b.startHelper = 0
	}
	if size <= 0 {
		return
	}
	if b.startHelper == 0 {
		b.startHelper, b.lastTS, b.countHelper, b.sizeHelp = ts, ts, 1, size
		return
	}
	if float64(ts-b.lastTS)/1e6 > float64(cicClump)/1e6 {
		b.startHelper, b.lastTS, b.countHelper, b.sizeHelp = ts, ts, 1, size
		return
	}
	b.countHelper++
	b.sizeHelp += size
	switch {
	case b.countHelper == cicBulkBound:
		b.states++
		b.packets += b.countHelper
		b.size += b.sizeHelp
		b.duration += ts - b.startHelper
	case b.countHelper > cicBulkBound:
		b.packets++
		b.size += size
		b.duration += ts - b.lastTS
	}
	b.lastTS = ts
}

// cicDir is one direction's counters.
type cicDir struct {
	pl, iat    summary
	lastTS     int64
	header     int64
	psh, urg   int64
	bulk       bulk
	minSeg     int64
	initWin    int64
	initWinSet bool
	actData    int64
}

type cicState struct {
	first, last int64 // µs
	fwd, bwd    cicDir
	flowIAT     summary
	pl          summary // "Packet Length" columns
	flags       [8]int64
	// active/idle
	startActive, endActive int64
	active, idle           summary
	// subflows
	sfLast  int64
	sfCount int64
	// first packet
	proto      uint8
	firstFlags uint8
}

type cicSet struct {
	slot
	original bool
}

var _ Set = (*cicSet)(nil)

func (c *cicSet) state(f *meter.Flow) *cicState {
	st, _ := f.Ext[c.index].(*cicState)
	if st == nil {
		st = new(cicState)
		f.Ext[c.index] = st
	}
	return st
}

// cicPacket extracts what CICFlowMeter reads from a packet: pl (the bytes
// after the TCP/UDP header as captured, Ethernet padding included), hl
// (TCP header with options, 8 for UDP) and the TCP window.
func cicPacket(p *meter.Packet) (pl, hl, win int64, tcp bool) {
	switch p.Protocol {
	case 6:
		tcp = true
		if off := p.L4Offset + 12; off < len(p.IPPacket) {
			hl = int64(p.IPPacket[off]>>4) * 4
		}
		if off := p.L4Offset + 16; off <= len(p.IPPacket) {
			win = int64(p.IPPacket[off-2])<<8 | int64(p.IPPacket[off-1])
		}
	case 17:
		hl = 8
	default:
		return 0, 0, 0, false
	}
	if n := len(p.IPPacket) - p.PayloadOffset; n > 0 {
		pl = int64(n)
	}
	return pl, hl, win, tcp
}

func (c *cicSet) Init(p *meter.Packet, f *meter.Flow) {
	st := c.state(f)
	*st = cicState{}
	ts := int64(p.TimeUs)
	st.first, st.last = ts, ts
	st.proto, st.firstFlags = p.Protocol, p.Flags
	pl, hl, win, tcp := cicPacket(p)
	if c.original {
		// detectUpdateSubflows runs before the active period is set: the
		// first Idle value is the packet's absolute time.
		st.idle.add(float64(ts))
		st.sfCount = 1
		st.pl.add(float64(pl)) // firstPacket adds it once more below
	}
	st.startActive, st.endActive = ts, ts
	st.sfLast = ts
	st.pl.add(float64(pl))
	d := &st.fwd
	d.pl.add(float64(pl))
	d.lastTS = ts
	d.header = hl
	d.minSeg = hl
	if tcp {
		d.initWin, d.initWinSet = win, true
	}
	if !c.original && pl >= 1 {
		d.actData++
	}
	c.flagsOf(st, p, d)
	c.bulkOf(st, ts, pl, true)
}

func (c *cicSet) flagsOf(st *cicState, p *meter.Packet, d *cicDir) {
	for i, fl := range [8]uint8{meter.FlagFIN, meter.FlagSYN, meter.FlagRST, meter.FlagPSH, meter.FlagACK, meter.FlagURG, meter.FlagCWR, meter.FlagECE} {
		if p.Flags&fl != 0 {
			st.flags[i]++
		}
	}
	if !c.original {
		if p.Flags&meter.FlagPSH != 0 {
			d.psh++
		}
		if p.Flags&meter.FlagURG != 0 {
			d.urg++
		}
	}
}

func (c *cicSet) bulkOf(st *cicState, ts, pl int64, forward bool) {
	if c.original {
		// 4.0 compares the address arrays by identity: never equal, so
		// every packet goes to the backward bulk, whose "other side" time
		// stays 0.
		st.bwd.bulk.add(ts, pl, st.fwd.bulk.lastTS)
		return
	}
	if forward {
		st.fwd.bulk.add(ts, pl, st.bwd.bulk.lastTS)
	} else {
		st.bwd.bulk.add(ts, pl, st.fwd.bulk.lastTS)
	}
}

func (c *cicSet) Update(p *meter.Packet, f *meter.Flow) {
	st := f.Ext[c.index].(*cicState)
	ts := int64(p.TimeUs)
	pl, hl, win, tcp := cicPacket(p)
	forward := p.SrcIP == f.SrcIP()
	d := &st.bwd
	if forward {
		d = &st.fwd
	}
	// active/idle (FlowGenerator's updateActiveIdleTime before addPacket)
	if ts-st.endActive > cicActivityTimeout {
		if st.endActive-st.startActive > 0 {
			st.active.add(float64(st.endActive - st.startActive))
		}
		st.idle.add(float64(ts - st.endActive))
		st.startActive, st.endActive = ts, ts
	} else {
		st.endActive = ts
	}
	c.bulkOf(st, ts, pl, forward)
	// subflows
	if c.original {
		st.sfCount++ // the precedence bug: every packet opens a "subflow"
	} else if float64(ts-st.sfLast)/1e6 > 1.0 {
		st.sfCount++
	}
	st.sfLast = ts
	c.flagsOf(st, p, d)
	st.pl.add(float64(pl))
	if d.pl.n == 0 {
		d.minSeg = hl
	} else {
		d.iat.add(float64(ts - d.lastTS))
	}
	d.pl.add(float64(pl))
	d.lastTS = ts
	d.header += hl
	if hl < d.minSeg {
		d.minSeg = hl
	}
	if forward && pl >= 1 {
		d.actData++
	}
	if !forward && tcp {
		if c.original {
			d.initWin, d.initWinSet = win, true
		} else if !d.initWinSet && win != 0 {
			d.initWin, d.initWinSet = win, true
		}
	}
	st.flowIAT.add(float64(ts - st.last))
	st.last = ts
}

func (*cicSet) Expire(*meter.Flow) {}

// cicColumns lists the columns in CIC-IDS2017's order (its column 62, a
// copy of Fwd Header Length, and Label are left out).
var cicColumns = Schema{
	{Name: "Flow ID", Kind: String, Doc: "source-destination-sport-dport-protocol of the first packet"},
	{Name: "Source IP", Kind: String, Doc: "source address of the first packet"},
	{Name: "Source Port", Kind: Int, Doc: "source port of the first packet"},
	{Name: "Destination IP", Kind: String, Doc: "destination address of the first packet"},
	{Name: "Destination Port", Kind: Int, Doc: "destination port of the first packet"},
	{Name: "Protocol", Kind: Int, Doc: "IP protocol (original: 6, 17 or 0 for any other)"},
	{Name: "Timestamp", Kind: String, Doc: "first packet time in UTC: yyyy-MM-dd HH:mm:ss[.fff] (original: dd/MM/yyyy hh:mm:ss AM/PM)"},
	{Name: "Flow Duration", Kind: Int, Doc: "last − first packet time, µs"},
	{Name: "Total Fwd Packets", Kind: Int, Doc: "packets from the first packet's source address"},
	{Name: "Total Backward Packets", Kind: Int, Doc: "packets from the other side"},
	{Name: "Total Length of Fwd Packets", Kind: Int, Doc: "Σ forward payload (captured bytes after the TCP/UDP header, Ethernet padding included)"},
	{Name: "Total Length of Bwd Packets", Kind: Int, Doc: "Σ backward payload"},
	{Name: "Fwd Packet Length Max", Kind: Int, Doc: "largest forward payload"},
	{Name: "Fwd Packet Length Min", Kind: Int, Doc: "smallest forward payload"},
	{Name: "Fwd Packet Length Mean", Kind: Float, Doc: "mean forward payload"},
	{Name: "Fwd Packet Length Std", Kind: Float, Doc: "sample standard deviation of forward payloads"},
	{Name: "Bwd Packet Length Max", Kind: Int, Doc: "largest backward payload (0 if none)"},
	{Name: "Bwd Packet Length Min", Kind: Int, Doc: "smallest backward payload"},
	{Name: "Bwd Packet Length Mean", Kind: Float, Doc: "mean backward payload"},
	{Name: "Bwd Packet Length Std", Kind: Float, Doc: "sample standard deviation of backward payloads"},
	{Name: "Flow Bytes/s", Kind: Float, Doc: "Σ payload / duration in s; duration 0: −1 (original: +Inf, NaN without payload)"},
	{Name: "Flow Packets/s", Kind: Float, Doc: "packets / duration in s; duration 0: −1 (original: +Inf)"},
	{Name: "Flow IAT Mean", Kind: Float, Doc: "mean gap between consecutive packets, µs"},
	{Name: "Flow IAT Std", Kind: Float, Doc: "sample standard deviation of those gaps, µs"},
	{Name: "Flow IAT Max", Kind: Int, Doc: "largest gap, µs"},
	{Name: "Flow IAT Min", Kind: Int, Doc: "smallest gap, µs"},
	{Name: "Fwd IAT Total", Kind: Int, Doc: "Σ gaps between consecutive forward packets, µs"},
	{Name: "Fwd IAT Mean", Kind: Float, Doc: "mean forward gap, µs"},
	{Name: "Fwd IAT Std", Kind: Float, Doc: "sample standard deviation of forward gaps, µs"},
	{Name: "Fwd IAT Max", Kind: Int, Doc: "largest forward gap, µs"},
	{Name: "Fwd IAT Min", Kind: Int, Doc: "smallest forward gap, µs"},
	{Name: "Bwd IAT Total", Kind: Int, Doc: "Σ gaps between consecutive backward packets, µs"},
	{Name: "Bwd IAT Mean", Kind: Float, Doc: "mean backward gap, µs"},
	{Name: "Bwd IAT Std", Kind: Float, Doc: "sample standard deviation of backward gaps, µs"},
	{Name: "Bwd IAT Max", Kind: Int, Doc: "largest backward gap, µs"},
	{Name: "Bwd IAT Min", Kind: Int, Doc: "smallest backward gap, µs"},
	{Name: "Fwd PSH Flags", Kind: Int, Doc: "forward packets with PSH (original: 1 if the first packet has PSH)"},
	{Name: "Bwd PSH Flags", Kind: Int, Doc: "backward packets with PSH (original: always 0)"},
	{Name: "Fwd URG Flags", Kind: Int, Doc: "forward packets with URG (original: 1 if the first packet has URG)"},
	{Name: "Bwd URG Flags", Kind: Int, Doc: "backward packets with URG (original: always 0)"},
	{Name: "Fwd Header Length", Kind: Int, Doc: "Σ forward TCP/UDP header bytes (IP header excluded)"},
	{Name: "Bwd Header Length", Kind: Int, Doc: "Σ backward TCP/UDP header bytes"},
	{Name: "Fwd Packets/s", Kind: Float, Doc: "forward packets / duration in s; 0 if duration 0"},
	{Name: "Bwd Packets/s", Kind: Float, Doc: "backward packets / duration in s; 0 if duration 0"},
	{Name: "Min Packet Length", Kind: Int, Doc: "smallest payload of any packet"},
	{Name: "Max Packet Length", Kind: Int, Doc: "largest payload of any packet"},
	{Name: "Packet Length Mean", Kind: Float, Doc: "mean payload (original: first packet counted twice)"},
	{Name: "Packet Length Std", Kind: Float, Doc: "sample standard deviation of payloads"},
	{Name: "Packet Length Variance", Kind: Float, Doc: "sample variance of payloads"},
	{Name: "FIN Flag Count", Kind: Int, Doc: "packets with FIN"},
	{Name: "SYN Flag Count", Kind: Int, Doc: "packets with SYN"},
	{Name: "RST Flag Count", Kind: Int, Doc: "packets with RST"},
	{Name: "PSH Flag Count", Kind: Int, Doc: "packets with PSH"},
	{Name: "ACK Flag Count", Kind: Int, Doc: "packets with ACK"},
	{Name: "URG Flag Count", Kind: Int, Doc: "packets with URG"},
	{Name: "CWE Flag Count", Kind: Int, Doc: "packets with CWR (CIC-IDS2017's spelling)"},
	{Name: "ECE Flag Count", Kind: Int, Doc: "packets with ECE"},
	{Name: "Down/Up Ratio", Kind: Float, Doc: "backward / forward packets (original: integer division)"},
	{Name: "Average Packet Size", Kind: Float, Doc: "Σ payload / packets (original: first payload counted twice in the sum)"},
	{Name: "Avg Fwd Segment Size", Kind: Float, Doc: "Σ forward payload / forward packets"},
	{Name: "Avg Bwd Segment Size", Kind: Float, Doc: "Σ backward payload / backward packets (0 if none)"},
	{Name: "Fwd Avg Bytes/Bulk", Kind: Float, Doc: "forward bulk bytes / bulks (original: always 0)"},
	{Name: "Fwd Avg Packets/Bulk", Kind: Float, Doc: "forward bulk packets / bulks (original: always 0)"},
	{Name: "Fwd Avg Bulk Rate", Kind: Float, Doc: "forward bulk bytes / bulk seconds (original: always 0)"},
	{Name: "Bwd Avg Bytes/Bulk", Kind: Float, Doc: "backward bulk bytes / bulks (original: over every payload packet, integer division)"},
	{Name: "Bwd Avg Packets/Bulk", Kind: Float, Doc: "backward bulk packets / bulks (original: integer division)"},
	{Name: "Bwd Avg Bulk Rate", Kind: Float, Doc: "backward bulk bytes / bulk seconds (original: truncated)"},
	{Name: "Subflow Fwd Packets", Kind: Float, Doc: "forward packets / subflow count; 0 without a gap > 1 s (original: ⌊forward packets / packets⌋)"},
	{Name: "Subflow Fwd Bytes", Kind: Float, Doc: "Σ forward payload / subflow count (original: integer, count = packets)"},
	{Name: "Subflow Bwd Packets", Kind: Float, Doc: "backward packets / subflow count"},
	{Name: "Subflow Bwd Bytes", Kind: Float, Doc: "Σ backward payload / subflow count"},
	{Name: "Init_Win_bytes_forward", Kind: Int, Doc: "TCP window of the first packet (0 if not TCP)"},
	{Name: "Init_Win_bytes_backward", Kind: Int, Doc: "first non-zero backward TCP window (original: the last backward packet's); 0 if none"},
	{Name: "act_data_pkt_fwd", Kind: Int, Doc: "forward packets with payload ≥ 1 byte (original: the first packet not counted)"},
	{Name: "min_seg_size_forward", Kind: Int, Doc: "smallest forward TCP/UDP header, bytes"},
	{Name: "Active Mean", Kind: Float, Doc: "mean Active period (activity timeout 5 s), µs"},
	{Name: "Active Std", Kind: Float, Doc: "sample standard deviation of Active periods, µs"},
	{Name: "Active Max", Kind: Int, Doc: "longest Active period, µs"},
	{Name: "Active Min", Kind: Int, Doc: "shortest Active period, µs"},
	{Name: "Idle Mean", Kind: Float, Doc: "mean Idle gap (> 5 s), µs (original: also the first packet's epoch µs as a value)"},
	{Name: "Idle Std", Kind: Float, Doc: "sample standard deviation of Idle gaps, µs"},
	{Name: "Idle Max", Kind: Int, Doc: "longest Idle gap, µs"},
	{Name: "Idle Min", Kind: Int, Doc: "shortest Idle gap, µs"},
}

func (c *cicSet) Columns() Schema { return append(Schema(nil), cicColumns...) }

// CICTimestamp renders a first-packet time (µs since the epoch, UTC) as the
// cic set's Timestamp column does.
func CICTimestamp(us int64, original bool) string {
	t := time.UnixMicro(us).UTC()
	if original {
		return t.Format("02/01/2006 03:04:05 PM")
	}
	s := t.Format("2006-01-02 15:04:05")
	switch frac := us % 1_000_000; {
	case frac == 0:
	case frac%1000 == 0:
		s += fmt.Sprintf(".%03d", frac/1000)
	default:
		s += fmt.Sprintf(".%06d", frac)
	}
	return s
}

func (c *cicSet) Fill(_ int64, f *meter.Flow, dst []Value) {
	st := f.Ext[c.index].(*cicState)
	orig := c.original
	proto := int64(st.proto)
	if orig && proto != 6 && proto != 17 {
		proto = 0
	}
	dur := st.last - st.first
	secs := float64(dur) / 1e6
	nf, nb := st.fwd.pl.n, st.bwd.pl.n
	n := nf + nb
	sumF, sumB := int64(st.fwd.pl.sum), int64(st.bwd.pl.sum)
	i := 0
	put := func(v Value) { dst[i] = v; i++ }
	src, dstIP := f.SrcIP().String(), f.DstIP().String()
	put(StringValue(src + "-" + dstIP + "-" + strconv.Itoa(int(f.SrcPort)) + "-" + strconv.Itoa(int(f.DstPort)) + "-" + strconv.FormatInt(proto, 10)))
	put(StringValue(src))
	put(IntValue(int64(f.SrcPort)))
	put(StringValue(dstIP))
	put(IntValue(int64(f.DstPort)))
	put(IntValue(proto))
	put(StringValue(CICTimestamp(st.first, orig)))
	put(IntValue(dur))
	put(IntValue(nf))
	put(IntValue(nb))
	put(IntValue(sumF))
	put(IntValue(sumB))
	for _, s := range []*summary{&st.fwd.pl, &st.bwd.pl} {
		put(IntValue(s.maxV()))
		put(IntValue(s.minV()))
		put(FloatValue(s.mean()))
		put(FloatValue(s.std()))
	}
	rate := func(x float64) float64 {
		if dur != 0 {
			return x / secs
		}
		if !orig {
			return -1
		}
		if x == 0 {
			return math.NaN()
		}
		return math.Inf(1)
	}
	put(FloatValue(rate(float64(sumF + sumB))))
	put(FloatValue(rate(float64(n))))
	put(FloatValue(st.flowIAT.mean()))
	put(FloatValue(st.flowIAT.std()))
	put(IntValue(st.flowIAT.maxV()))
	put(IntValue(st.flowIAT.minV()))
	for _, s := range []*summary{&st.fwd.iat, &st.bwd.iat} {
		put(IntValue(int64(s.sum)))
		put(FloatValue(s.mean()))
		put(FloatValue(s.std()))
		put(IntValue(s.maxV()))
		put(IntValue(s.minV()))
	}
	if orig {
		put(IntValue(b2i(st.firstFlags&meter.FlagPSH != 0)))
		put(IntValue(0))
		put(IntValue(b2i(st.firstFlags&meter.FlagURG != 0)))
		put(IntValue(0))
	} else {
		put(IntValue(st.fwd.psh))
		put(IntValue(st.bwd.psh))
		put(IntValue(st.fwd.urg))
		put(IntValue(st.bwd.urg))
	}
	put(IntValue(st.fwd.header))
	put(IntValue(st.bwd.header))
	perSec := func(k int64) float64 {
		if dur <= 0 {
			return 0
		}
		return float64(k) / secs
	}
	put(FloatValue(perSec(nf)))
	put(FloatValue(perSec(nb)))
	put(IntValue(st.pl.minV()))
	put(IntValue(st.pl.maxV()))
	put(FloatValue(st.pl.mean()))
	put(FloatValue(st.pl.std()))
	put(FloatValue(st.pl.variance()))
	for _, k := range st.flags {
		put(IntValue(k))
	}
	ratio := 0.0
	if nf > 0 {
		if orig {
			ratio = float64(nb / nf)
		} else {
			ratio = float64(nb) / float64(nf)
		}
	}
	put(FloatValue(ratio))
	avg := 0.0
	if n > 0 {
		avg = st.pl.sum / float64(n)
	}
	put(FloatValue(avg))
	seg := func(sum, k int64) float64 {
		if k == 0 {
			return 0
		}
		return float64(sum) / float64(k)
	}
	put(FloatValue(seg(sumF, nf)))
	put(FloatValue(seg(sumB, nb)))
	for _, b := range []*bulk{&st.fwd.bulk, &st.bwd.bulk} {
		var bytesPer, pktsPer, rateV float64
		if b.states != 0 {
			if orig {
				bytesPer, pktsPer = float64(b.size/b.states), float64(b.packets/b.states)
			} else {
				bytesPer, pktsPer = float64(b.size)/float64(b.states), float64(b.packets)/float64(b.states)
			}
		}
		if b.duration != 0 {
			rateV = float64(b.size) / (float64(b.duration) / 1e6)
			if orig {
				rateV = math.Trunc(rateV)
			}
		}
		put(FloatValue(bytesPer))
		put(FloatValue(pktsPer))
		put(FloatValue(rateV))
	}
	for _, x := range []int64{nf, sumF, nb, sumB} {
		v := 0.0
		if st.sfCount > 0 {
			if orig {
				v = float64(x / st.sfCount)
			} else {
				v = float64(x) / float64(st.sfCount)
			}
		}
		put(FloatValue(v))
	}
	put(IntValue(st.fwd.initWin))
	put(IntValue(st.bwd.initWin))
	put(IntValue(st.fwd.actData))
	put(IntValue(st.fwd.minSeg))
	for _, s := range []*summary{&st.active, &st.idle} {
		put(FloatValue(s.mean()))
		put(FloatValue(s.std()))
		put(IntValue(s.maxV()))
		put(IntValue(s.minV()))
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
