package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// The python_bridge plugin runs the Python package's NFPlugin objects: for
// every packet of every flow it sends the packet and the flow's counters to
// the Python process on one pipe and, with sync=true, waits for its answer
// on another (one byte: 1 when a plugin set flow.expiration_id = -1). The
// answer must come before the next packet is metered, since a forced expiry
// changes the flows that follow. Python asks for sync=false when no plugin
// code mentions expiration_id: events are then only buffered, which saves
// two context switches per packet. At expiry an event of kind 3 is sent and
// flushed, so Python has seen all of a flow's packets before its record.
// Each flow gets a handle, written as the column udps.__pyflow, by which
// Python attaches its udps values to the record.
//
// Event layout (little endian), see python/nfdataset/_pyplugins.py:
//
//	u8 kind (1 init, 2 update, 3 expire: u64 handle only), u8 direction, u8 protocol, u8 ip_version,
//	u8 flags, u8 tunnel, u16 vlan, u64 handle, u64 time, u64 delta_time,
//	u16 raw_size, ip_size, transport_size, payload_size, src_port, dst_port,
//	u64 × 12: first seen, last seen, packets, bytes of the flow, of src→dst, of dst→src,
//	u32 length of ip_packet,
//	init only: u8 n + src_ip text, u8 n + dst_ip text, 6 src_mac, 6 dst_mac,
//	           u16 flow src_port, u16 flow dst_port,
//	ip_packet bytes.
//
// It is registered only when a flows command asks for it, so that it is
// neither listed by `nfdataset features` nor usable from a manifest.
func registerPyBridge() { pyBridgeOnce.Do(doRegisterPyBridge) }

var pyBridgeOnce sync.Once

func doRegisterPyBridge() {
	features.RegisterPlugin(features.PluginSpec[uint64]{
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
	features.PluginHooks[uint64]
	w      *bufio.Writer
	r      io.Reader
	sync   bool
	next   uint64
	buf    []byte
	answer [1]byte
	err    error
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

func newPyBridge(opts features.Options, _ features.Env) (features.Plugin[uint64], error) {
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
	return &pyBridge{w: bufio.NewWriterSize(w, 1<<16), r: r, sync: sync}, nil
}

func (b *pyBridge) Columns() []features.Column {
	return []features.Column{{Name: "__pyflow", Kind: features.Int, Doc: "handle of the flow's Python state"}}
}

func (b *pyBridge) OnInit(p *meter.Packet, f *meter.Flow, h *uint64) {
	*h = b.next
	b.next++
	b.send(1, p, f, *h)
}

func (b *pyBridge) OnUpdate(p *meter.Packet, f *meter.Flow, h *uint64) { b.send(2, p, f, *h) }

func (b *pyBridge) OnExpire(_ *meter.Flow, h *uint64, out []features.Value) {
	out[0] = features.IntValue(int64(*h))
	if b.err != nil {
		return
	}
	e := binary.LittleEndian.AppendUint64(append(b.buf[:0], 3), *h)
	b.buf = e
	if _, err := b.w.Write(e); err != nil {
		b.fail(err)
		return
	}
	if err := b.w.Flush(); err != nil {
		b.fail(err)
	}
}

func (b *pyBridge) send(kind byte, p *meter.Packet, f *meter.Flow, h uint64) {
	if b.err != nil {
		return
	}
	le := binary.LittleEndian
	e := append(b.buf[:0], kind, p.Direction, p.Protocol, p.IPVersion, p.Flags, p.Tunnel)
	e = le.AppendUint16(e, p.VLAN)
	e = le.AppendUint64(e, h)
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

// fail stops the bridge: the Python side went away (it stopped reading
// flows, or a plugin raised), and the run ends with the error it reports.
func (b *pyBridge) fail(err error) {
	b.err = err
	fmt.Fprintf(os.Stderr, "nfdataset flows: python plugins: %v\n", err)
	os.Exit(3)
}
