package labelers_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/labelers"
	"github.com/nfdataset/nfdataset/meter"
)

// This file is the test harness: a tiny pcap writer for synthetic flows, a
// pcap reader for corpus captures, and a runner that meters frames,
// extracts features and applies labelers while each flow is emitted (as
// stages.Job does).

// pkt is one synthetic packet: Ethernet, IPv4, then TCP or UDP.
type pkt struct {
	t            time.Time
	src, dst     string
	sport, dport uint16
	proto        uint8 // 6 or 17
	flags        uint8 // meter.Flag* bits (TCP)
	payload      int
}

const (
	syn = meter.FlagSYN
	ack = meter.FlagACK
	fin = meter.FlagFIN
	rst = meter.FlagRST
	psh = meter.FlagPSH
)

// tcpConn is a TCP conversation starting at t0: handshake, fwd bytes from
// the client (if any), bwd bytes from the server (if any), FIN both ways.
// Packets are 1 ms apart.
func tcpConn(t0 time.Time, src string, sport uint16, dst string, dport uint16, fwd, bwd int) []pkt {
	var out []pkt
	t := t0
	add := func(fromClient bool, flags uint8, n int) {
		p := pkt{t: t, src: src, dst: dst, sport: sport, dport: dport, proto: 6, flags: flags, payload: n}
		if !fromClient {
			p.src, p.dst, p.sport, p.dport = dst, src, dport, sport
		}
		out = append(out, p)
		t = t.Add(time.Millisecond)
	}
	add(true, syn, 0)
	add(false, syn|ack, 0)
	add(true, ack, 0)
	if fwd > 0 {
		add(true, psh|ack, fwd)
		add(false, ack, 0)
	}
	if bwd > 0 {
		add(false, psh|ack, bwd)
		add(true, ack, 0)
	}
	add(true, fin|ack, 0)
	add(false, fin|ack, 0)
	add(true, ack, 0)
	return out
}

// udpPkt is one UDP datagram.
func udpPkt(t time.Time, src string, sport uint16, dst string, dport uint16, n int) pkt {
	return pkt{t: t, src: src, dst: dst, sport: sport, dport: dport, proto: 17, payload: n}
}

// frame encodes p as an Ethernet frame.
func frame(p pkt) []byte {
	l4 := 20
	if p.proto == 17 {
		l4 = 8
	}
	b := make([]byte, 14+20+l4+p.payload)
	copy(b[0:6], []byte{2, 0, 0, 0, 0, 2})
	copy(b[6:12], []byte{2, 0, 0, 0, 0, 1})
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+l4+p.payload))
	ip[8] = 64
	ip[9] = p.proto
	s, d := netip.MustParseAddr(p.src).As4(), netip.MustParseAddr(p.dst).As4()
	copy(ip[12:16], s[:])
	copy(ip[16:20], d[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	l := ip[20:]
	binary.BigEndian.PutUint16(l[0:], p.sport)
	binary.BigEndian.PutUint16(l[2:], p.dport)
	if p.proto == 6 {
		l[12] = 5 << 4
		l[13] = tcpFlags(p.flags)
		binary.BigEndian.PutUint16(l[14:], 65535)
	} else {
		binary.BigEndian.PutUint16(l[4:], uint16(8+p.payload))
	}
	return b
}

// tcpFlags maps meter's flag bits to the TCP header's.
func tcpFlags(f uint8) uint8 {
	var out uint8
	for i, m := range []uint8{meter.FlagFIN, meter.FlagSYN, meter.FlagRST, meter.FlagPSH, meter.FlagACK, meter.FlagURG, meter.FlagECE, meter.FlagCWR} {
		if f&m != 0 {
			out |= 1 << i
		}
	}
	return out
}

// rawFrame is a frame read from or written to a pcap.
type rawFrame struct {
	timeNs int64
	data   []byte
	wire   uint32
}

// writePcap returns a classic pcap (µs, Ethernet) of the packets sorted by
// time (stable).
func writePcap(pkts []pkt) []byte {
	sorted := append([]pkt(nil), pkts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].t.Before(sorted[j].t) })
	out := make([]byte, 24)
	binary.LittleEndian.PutUint32(out[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(out[4:], 2)
	binary.LittleEndian.PutUint16(out[6:], 4)
	binary.LittleEndian.PutUint32(out[16:], 65535)
	binary.LittleEndian.PutUint32(out[20:], 1)
	for _, p := range sorted {
		f := frame(p)
		var h [16]byte
		us := p.t.UnixMicro()
		binary.LittleEndian.PutUint32(h[0:], uint32(us/1e6))
		binary.LittleEndian.PutUint32(h[4:], uint32(us%1e6))
		binary.LittleEndian.PutUint32(h[8:], uint32(len(f)))
		binary.LittleEndian.PutUint32(h[12:], uint32(len(f)))
		out = append(out, h[:]...)
		out = append(out, f...)
	}
	return out
}

// readPcap parses a classic pcap (either byte order, µs or ns).
func readPcap(t *testing.T, data []byte) (linkType uint32, frames []rawFrame) {
	t.Helper()
	if len(data) < 24 {
		t.Fatal("pcap too short")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	magic := bo.Uint32(data)
	if magic != 0xa1b2c3d4 && magic != 0xa1b23c4d {
		bo = binary.BigEndian
		magic = bo.Uint32(data)
	}
	nano := magic == 0xa1b23c4d
	if magic != 0xa1b2c3d4 && !nano {
		t.Fatalf("not a classic pcap (magic %x)", magic)
	}
	linkType = bo.Uint32(data[20:]) & 0xffff
	for off := 24; off+16 <= len(data); {
		sec, frac := int64(bo.Uint32(data[off:])), int64(bo.Uint32(data[off+4:]))
		incl, wire := int(bo.Uint32(data[off+8:])), bo.Uint32(data[off+12:])
		off += 16
		if off+incl > len(data) {
			break
		}
		ns := sec*1e9 + frac*1000
		if nano {
			ns = sec*1e9 + frac
		}
		frames = append(frames, rawFrame{timeNs: ns, data: data[off : off+incl], wire: wire})
		off += incl
	}
	return linkType, frames
}

// labelled is one output row: the record with its label columns.
type labelled struct {
	schema features.Schema
	rec    features.Record
}

func (l labelled) str(name string) string {
	i := l.schema.Index(name)
	if i < 0 {
		return fmt.Sprintf("<no column %s>", name)
	}
	return l.rec[i].Str
}

func (l labelled) int(name string) int64 {
	i := l.schema.Index(name)
	if i < 0 {
		return -1
	}
	return l.rec[i].Int
}

// run meters the frames with the given sets and timeouts and labels every
// flow while it is emitted.
func run(t *testing.T, linkType uint32, frames []rawFrame, sets []string, idle, active uint64, ls []labelers.Labeler) []labelled {
	t.Helper()
	var reqs []features.Request
	for _, s := range sets {
		reqs = append(reqs, features.Request{Name: s})
	}
	env := features.Env{IdleTimeoutSec: idle, ActiveTimeoutSec: active}
	ext, err := features.NewExtractor(reqs, env)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := labelers.Schema(ext.Schema(), ls)
	if err != nil {
		t.Fatal(err)
	}
	var out []labelled
	id := int64(0)
	m := meter.New(meter.Config{
		IdleTimeoutMs:   idle * 1000,
		ActiveTimeoutMs: active * 1000,
		Hooks:           ext.Hooks(),
		Emit: func(f *meter.Flow) {
			rec := ext.Record(id, f)
			id++
			out = append(out, labelled{schema, labelers.Apply(ls, schema, features.View{Schema: ext.Schema(), Record: rec, Flow: f})})
		},
	})
	for _, fr := range frames {
		m.Process(linkType, fr.data, fr.wire, meter.TimeMs(fr.timeNs))
	}
	m.Flush()
	return out
}

// runPkts writes the packets as a pcap, reads it back and runs it.
func runPkts(t *testing.T, pkts []pkt, sets []string, idle, active uint64, ls []labelers.Labeler) []labelled {
	t.Helper()
	lt, frames := readPcap(t, writePcap(pkts))
	return run(t, lt, frames, sets, idle, active, ls)
}

// manifestLabels decodes a manifest's [[label]] tables the way the pipeline
// hands them over, and its [streamer] timeouts.
func manifestLabels(t testing.TB, path string) (tables []labelers.Table, idle, active uint64) {
	t.Helper()
	var doc map[string]any
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		t.Fatal(err)
	}
	labels, _ := doc["label"].([]map[string]any)
	for _, l := range labels {
		tables = append(tables, labelers.Table{Data: l})
	}
	st, _ := doc["streamer"].(map[string]any)
	i, _ := st["idle_timeout"].(int64)
	a, _ := st["active_timeout"].(int64)
	return tables, uint64(i), uint64(a)
}

func buildFrom(t *testing.T, src string) []labelers.Labeler {
	t.Helper()
	var doc map[string]any
	if _, err := toml.Decode(src, &doc); err != nil {
		t.Fatal(err)
	}
	labels, _ := doc["label"].([]map[string]any)
	var tables []labelers.Table
	for _, l := range labels {
		tables = append(tables, labelers.Table{Line: 1, Data: l})
	}
	ls, err := labelers.Build(tables, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%v (../shared absent?)", err)
	}
	return b
}

var corpusDir = filepath.Join("..", "..", "shared", "corpus", "nfstream", "pcaps")

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// buildErr builds the [[label]] tables of a manifest text in dir.
func buildErr(t *testing.T, dir, src string) ([]labelers.Labeler, error) {
	t.Helper()
	var doc map[string]any
	if _, err := toml.Decode(src, &doc); err != nil {
		t.Fatal(err)
	}
	labels, _ := doc["label"].([]map[string]any)
	var tables []labelers.Table
	for _, l := range labels {
		tables = append(tables, labelers.Table{Line: 1, Data: l})
	}
	return labelers.Build(tables, dir)
}

func buildIn(t *testing.T, dir, src string) []labelers.Labeler {
	t.Helper()
	ls, err := buildErr(t, dir, src)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}
