package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// The python_bridge plugin runs the Python package's NFPlugin objects: for
// every packet of every flow it sends the packet and the flow's live values
// to the Python process on one pipe and, with sync=true, waits for its answer
// on another (one byte: 1 when a plugin set flow.expiration_id = -1). The
// answer must come before the next packet is metered, since a forced expiry
// changes the flows that follow. Python asks for sync=false when no plugin
// code mentions expiration_id: events are then only buffered, which saves
// two context switches per packet. At expiry an event of kind 3 is sent and
// flushed, so Python has seen all of a flow's packets before its record.
// Each flow gets a handle, written as the column udps.__pyflow, by which
// Python attaches its udps values to the record.
//
// NFStream's hooks see the whole flow as it is after the packet, so the
// bridge also sends the columns of the stats, splt and dpi sets (those the
// run has), read from them with Fill: the bridge's hooks run after theirs
// for the same packet, and their Fill only reads. To keep the per-packet
// cost small a block is sent only when NFStream would refresh it: stats
// every packet, splt while the flow has at most n packets (NFStream stops
// copying the lists there), dpi when a value changed since the last packet.
//
// Before the first packet event a header (kind 0) lists the blocks:
//
//	u8 0, u8 number of blocks, per block: u8 n + set name, u8 number of
//	columns, per column: u8 kind (features.Kind), u8 n + column name.
//
// Packet events (little endian), see python/nfdataset/_pyplugins.py:
//
//	u8 kind (1 init, 2 update, 3 expire: u64 handle only), u8 direction, u8 protocol, u8 ip_version,
//	u8 flags, u8 tunnel, u16 vlan, u64 handle, u64 time, u64 delta_time,
//	u16 raw_size, ip_size, transport_size, payload_size, src_port, dst_port,
//	u64 × 12: first seen, last seen, packets, bytes of the flow, of src→dst, of dst→src,
//	u32 length of ip_packet,
//	init only: u8 n + src_ip text, u8 n + dst_ip text, 6 src_mac, 6 dst_mac,
//	           u16 flow src_port, u16 flow dst_port,
//	per block: u8 0 (unchanged, not sent) or 1, then u64 mask of null
//	           columns and each column: int i64, float f64, string u16 n +
//	           bytes, int list u16 n + n × i64 (a null cell is sent as 0),
//	ip_packet bytes.
//
// It is registered only when a flows command asks for it, so that it is
// neither listed by `nfdataset features` nor usable from a manifest.
func registerPyBridge() { pyBridgeOnce.Do(doRegisterPyBridge) }

var pyBridgeOnce sync.Once

func doRegisterPyBridge() {
	features.RegisterPlugin(features.PluginSpec[pyFlow]{
		Name:    "python_bridge",
		Version: 1,
		Doc:     "runs the Python package's NFPlugin hooks per packet over two pipes (used by python/nfdataset only)",
		Options: []features.Option{
			{Name: "events", Default: int64(-1), Doc: "file descriptor the events are written to"},
			{Name: "replies", Default: int64(-1), Doc: "file descriptor the answers are read from"},
			{Name: "sync", Default: true, Doc: "wait for Python's answer after every packet (needed when plugins may force expiry)"},
		},
		New: newPyBridge,
	})
}

type pyBridge struct {
	features.PluginHooks[pyFlow]
	w      *bufio.Writer
	r      io.Reader
	sync   bool
	next   uint64
	buf    []byte
	answer [1]byte
	err    error

	blocks     []pyBlock
	headerSent bool
}

// pyFlow is the bridge's state of one flow: its handle and the dpi values
// last sent, to send them again only when they change.
type pyFlow struct {
	handle uint64
	dpi    []features.Value
	sent   bool
}

func (s *pyFlow) Reset() { s.handle, s.dpi, s.sent = 0, s.dpi[:0], false }

// pyBlock is one feature set whose live values the bridge sends.
type pyBlock struct {
	name string
	set  features.Set
	cols features.Schema
	vals []features.Value
}

// The sets whose columns NFStream's plugins see mid-flow (base's are sent
// in every event's fixed part).
var pyBlockSets = []string{"stats", "splt", "dpi"}

// lastPyBridge is the bridge newPyBridge built last: a flows run has one
// extractor with one bridge (Python runs it with one meter), which
// bindPyBridge then points at the other sets of that extractor.
var lastPyBridge *pyBridge

// bindPyBridge gives the run's bridge the stats, splt and dpi sets of ext,
// whose live values it sends with each packet.
func bindPyBridge(ext *features.Extractor) {
	b := lastPyBridge
	if b == nil {
		return
	}
	b.blocks = b.blocks[:0]
	for _, in := range ext.Instances() {
		for _, name := range pyBlockSets {
			if in.Spec.Name == name {
				cols := in.Set.Columns()
				if len(cols) > 64 {
					panic("python_bridge: a block has more than 64 columns (the null mask is a u64)")
				}
				b.blocks = append(b.blocks, pyBlock{name: name, set: in.Set, cols: cols, vals: make([]features.Value, len(cols))})
			}
		}
	}
}

// usesPyBridge reports whether a --plugin list asks for the bridge.
func usesPyBridge(plugins []string) bool {
	for _, p := range plugins {
		if p == "python_bridge" || strings.HasPrefix(p, "python_bridge:") {
			return true
		}
	}
	return false
}

func newPyBridge(opts features.Options, _ features.Env) (features.Plugin[pyFlow], error) {
	ev, err := opts.Int("events")
	if err != nil {
		return nil, err
	}
	rp, err := opts.Int("replies")
	if err != nil {
		return nil, err
	}
	sync, err := opts.Bool("sync")
	if err != nil {
		return nil, err
	}
	if ev < 0 || rp < 0 {
		return nil, errors.New("needs the events and replies pipes the Python package opens")
	}
	w := os.NewFile(uintptr(ev), "python events")
	r := os.NewFile(uintptr(rp), "python replies")
	if w == nil || r == nil {
		return nil, fmt.Errorf("file descriptors %d/%d are not open", ev, rp)
	}
	b := &pyBridge{w: bufio.NewWriterSize(w, 1<<16), r: r, sync: sync}
	lastPyBridge = b
	return b, nil
}

func (b *pyBridge) Columns() []features.Column {
	return []features.Column{{Name: "__pyflow", Kind: features.Int, Doc: "handle of the flow's Python state"}}
}

func (b *pyBridge) OnInit(p *meter.Packet, f *meter.Flow, s *pyFlow) {
	s.handle = b.next
	b.next++
	b.send(1, p, f, s)
}

func (b *pyBridge) OnUpdate(p *meter.Packet, f *meter.Flow, s *pyFlow) { b.send(2, p, f, s) }

func (b *pyBridge) OnExpire(_ *meter.Flow, s *pyFlow, out []features.Value) {
	out[0] = features.IntValue(int64(s.handle))
	if b.err != nil {
		return
	}
	e := binary.LittleEndian.AppendUint64(append(b.buf[:0], 3), s.handle)
	b.buf = e
	if _, err := b.w.Write(e); err != nil {
		b.fail(err)
		return
	}
	if err := b.w.Flush(); err != nil {
		b.fail(err)
	}
}

// header describes the blocks to Python, once before the first event.
func (b *pyBridge) header() []byte {
	e := append(b.buf[:0], 0, byte(len(b.blocks)))
	for _, bl := range b.blocks {
		e = append(append(e, byte(len(bl.name))), bl.name...)
		e = append(e, byte(len(bl.cols)))
		for _, c := range bl.cols {
			e = append(append(append(e, byte(c.Kind)), byte(len(c.Name))), c.Name...)
		}
	}
	return e
}

func (b *pyBridge) send(kind byte, p *meter.Packet, f *meter.Flow, s *pyFlow) {
	if b.err != nil {
		return
	}
	if !b.headerSent {
		b.headerSent = true
		h := b.header()
		b.buf = h
		if _, err := b.w.Write(h); err != nil {
			b.fail(err)
			return
		}
	}
	le := binary.LittleEndian
	e := append(b.buf[:0], kind, p.Direction, p.Protocol, p.IPVersion, p.Flags, p.Tunnel)
	e = le.AppendUint16(e, p.VLAN)
	e = le.AppendUint64(e, s.handle)
	e = le.AppendUint64(e, p.TimeMs)
	e = le.AppendUint64(e, p.DeltaTime)
	for _, v := range [...]uint16{p.RawSize, p.IPSize, p.TransportSize, p.PayloadSize, p.SrcPort, p.DstPort} {
		e = le.AppendUint16(e, v)
	}
	for _, v := range [...]uint64{f.FirstSeen, f.LastSeen, f.Packets, f.Bytes,
		f.Src2Dst.FirstSeen, f.Src2Dst.LastSeen, f.Src2Dst.Packets, f.Src2Dst.Bytes,
		f.Dst2Src.FirstSeen, f.Dst2Src.LastSeen, f.Dst2Src.Packets, f.Dst2Src.Bytes} {
		e = le.AppendUint64(e, v)
	}
	e = le.AppendUint32(e, uint32(len(p.IPPacket)))
	if kind == 1 {
		src, dst := features.FormatIP(f.SrcIP()), features.FormatIP(f.DstIP())
		e = append(append(e, byte(len(src))), src...)
		e = append(append(e, byte(len(dst))), dst...)
		e = append(append(e, f.SrcMAC[:]...), f.DstMAC[:]...)
		e = le.AppendUint16(le.AppendUint16(e, f.SrcPort), f.DstPort)
	}
	for i := range b.blocks {
		e = b.appendBlock(e, &b.blocks[i], f, s)
	}
	b.buf = e
	if _, err := b.w.Write(e); err != nil {
		b.fail(err)
		return
	}
	if _, err := b.w.Write(p.IPPacket); err != nil {
		b.fail(err)
		return
	}
	if !b.sync {
		return
	}
	if err := b.w.Flush(); err != nil {
		b.fail(err)
		return
	}
	if _, err := io.ReadFull(b.r, b.answer[:]); err != nil {
		b.fail(err)
		return
	}
	if b.answer[0] == 1 {
		features.ForceExpire(f)
	}
}

// appendBlock appends one set's live values, or 0 when NFStream would not
// refresh them for this packet (see the file comment).
func (b *pyBridge) appendBlock(e []byte, bl *pyBlock, f *meter.Flow, s *pyFlow) []byte {
	for i := range bl.vals {
		bl.vals[i] = features.Value{}
	}
	bl.set.Fill(0, f, bl.vals)
	switch bl.name {
	case "splt":
		if len(bl.vals) > 0 && f.Packets > uint64(len(bl.vals[0].List)) {
			return append(e, 0)
		}
	case "dpi":
		if s.sent && sameValues(s.dpi, bl.vals) {
			return append(e, 0)
		}
		s.dpi = append(s.dpi[:0], bl.vals...)
		s.sent = true
	}
	le := binary.LittleEndian
	var nulls uint64
	for i, v := range bl.vals {
		if v.Null {
			nulls |= 1 << i
		}
	}
	e = le.AppendUint64(append(e, 1), nulls)
	for i, v := range bl.vals {
		switch bl.cols[i].Kind {
		case features.Int:
			e = le.AppendUint64(e, uint64(v.Int))
		case features.Float:
			e = le.AppendUint64(e, math.Float64bits(v.Float))
		case features.String:
			str := v.Str
			if len(str) > math.MaxUint16 {
				str = str[:math.MaxUint16]
			}
			e = append(le.AppendUint16(e, uint16(len(str))), str...)
		case features.IntList:
			l := v.List
			if len(l) > math.MaxUint16 {
				l = l[:math.MaxUint16]
			}
			e = le.AppendUint16(e, uint16(len(l)))
			for _, x := range l {
				e = le.AppendUint64(e, uint64(x))
			}
		}
	}
	return e
}

func sameValues(a, b []features.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Int != b[i].Int || a[i].Str != b[i].Str || a[i].Null != b[i].Null ||
			math.Float64bits(a[i].Float) != math.Float64bits(b[i].Float) {
			return false
		}
	}
	return true
}

// fail stops the bridge: the Python side went away (it stopped reading
// flows, or a plugin raised), and the run ends with the error it reports.
func (b *pyBridge) fail(err error) {
	b.err = err
	fmt.Fprintf(os.Stderr, "nfdataset flows: python plugins: %v\n", err)
	os.Exit(3)
}
