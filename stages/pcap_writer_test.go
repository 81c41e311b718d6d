package stages

import (
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// This file builds small captures byte by byte for the tests: a classic
// pcap writer and a pcapng writer that can start sections in either byte
// order, describe interfaces with options, and emit every packet block type.

// byteOrder is a byte order that can also append, as both of
// encoding/binary's are.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// testPacket is one record to write, and what reading it must give back.
type testPacket struct {
	sec, frac uint32 // frac: microseconds or nanoseconds per the magic
	data      []byte
	wireLen   uint32 // 0: len(data)
}

func (p testPacket) wire() uint32 {
	if p.wireLen == 0 {
		return uint32(len(p.data))
	}
	return p.wireLen
}

// pcapFile is a classic pcap file under construction.
type pcapFile struct {
	order byteOrder
	magic uint32
	buf   []byte
}

func newPcapFile(order byteOrder, magic, snaplen, linkType uint32) *pcapFile {
	f := &pcapFile{order: order, magic: magic}
	f.buf = order.AppendUint32(f.buf, magic)
	f.buf = order.AppendUint16(f.buf, 2)
	f.buf = order.AppendUint16(f.buf, 4)
	f.buf = order.AppendUint32(f.buf, 0) // thiszone
	f.buf = order.AppendUint32(f.buf, 0) // sigfigs
	f.buf = order.AppendUint32(f.buf, snaplen)
	f.buf = order.AppendUint32(f.buf, linkType)
	return f
}

func (f *pcapFile) add(p testPacket) *pcapFile {
	f.buf = f.order.AppendUint32(f.buf, p.sec)
	f.buf = f.order.AppendUint32(f.buf, p.frac)
	f.buf = f.order.AppendUint32(f.buf, uint32(len(p.data)))
	f.buf = f.order.AppendUint32(f.buf, p.wire())
	if f.magic == pcapMagicModified {
		f.buf = append(f.buf, 0, 0, 0, 2, 0, 8, 0, 0) // ifindex 2, protocol 0x0800, pkt_type 0, pad
	}
	f.buf = append(f.buf, p.data...)
	return f
}

// pcapngFile is a pcapng file under construction; it remembers where each
// block ends so truncation tests know the clean cut points.
type pcapngFile struct {
	order     byteOrder
	buf       []byte
	blockEnds []int
}

func newPcapngFile() *pcapngFile { return &pcapngFile{} }

// block appends a block whose body is already encoded in f.order.
func (f *pcapngFile) block(blockType uint32, body []byte) *pcapngFile {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	total := uint32(12 + len(body))
	f.buf = f.order.AppendUint32(f.buf, blockType)
	f.buf = f.order.AppendUint32(f.buf, total)
	f.buf = append(f.buf, body...)
	f.buf = f.order.AppendUint32(f.buf, total)
	f.blockEnds = append(f.blockEnds, len(f.buf))
	return f
}

// section starts a section written in order, with a comment option to show
// that options are skipped.
func (f *pcapngFile) section(order byteOrder) *pcapngFile {
	f.order = order
	var body []byte
	body = order.AppendUint32(body, byteOrderMagic)
	body = order.AppendUint16(body, 1) // major
	body = order.AppendUint16(body, 0) // minor
	body = order.AppendUint64(body, ^uint64(0))
	body = f.option(body, 1, []byte("made by a test"))
	body = f.option(body, optionEnd, nil)
	return f.block(blockSectionHeader, body)
}

// pcapngOption is one option of an Interface Description Block.
type pcapngOption struct {
	code  uint16
	value []byte
}

func (f *pcapngFile) option(body []byte, code uint16, value []byte) []byte {
	body = f.order.AppendUint16(body, code)
	body = f.order.AppendUint16(body, uint16(len(value)))
	body = append(body, value...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	return body
}

func (f *pcapngFile) iface(linkType uint16, snaplen uint32, options ...pcapngOption) *pcapngFile {
	var body []byte
	body = f.order.AppendUint16(body, linkType)
	body = f.order.AppendUint16(body, 0)
	body = f.order.AppendUint32(body, snaplen)
	if len(options) > 0 {
		body = f.option(body, 2, []byte("eth0")) // if_name, skipped
		for _, o := range options {
			body = f.option(body, o.code, o.value)
		}
		body = f.option(body, optionEnd, nil)
	}
	return f.block(blockInterface, body)
}

func (f *pcapngFile) tsresol(v byte) pcapngOption {
	return pcapngOption{code: optionTimeResolution, value: []byte{v}}
}

func (f *pcapngFile) tsoffset(sec int64) pcapngOption {
	return pcapngOption{code: optionTimeOffset, value: f.order.AppendUint64(nil, uint64(sec))}
}

func (f *pcapngFile) epb(ifaceID uint32, ts uint64, data []byte, wireLen uint32) *pcapngFile {
	var body []byte
	body = f.order.AppendUint32(body, ifaceID)
	body = f.order.AppendUint32(body, uint32(ts>>32))
	body = f.order.AppendUint32(body, uint32(ts))
	body = f.order.AppendUint32(body, uint32(len(data)))
	body = f.order.AppendUint32(body, wireLen)
	body = append(body, data...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	body = f.option(body, 2, f.order.AppendUint32(nil, 1)) // epb_flags: inbound, skipped
	body = f.option(body, optionEnd, nil)
	return f.block(blockEnhancedPacket, body)
}

func (f *pcapngFile) obsoletePacket(ifaceID uint16, ts uint64, data []byte, wireLen uint32) *pcapngFile {
	var body []byte
	body = f.order.AppendUint16(body, ifaceID)
	body = f.order.AppendUint16(body, 0) // drops count
	body = f.order.AppendUint32(body, uint32(ts>>32))
	body = f.order.AppendUint32(body, uint32(ts))
	body = f.order.AppendUint32(body, uint32(len(data)))
	body = f.order.AppendUint32(body, wireLen)
	body = append(body, data...)
	return f.block(blockPacketObsolete, body)
}

func (f *pcapngFile) simplePacket(data []byte, wireLen uint32) *pcapngFile {
	var body []byte
	body = f.order.AppendUint32(body, wireLen)
	body = append(body, data...)
	return f.block(blockSimplePacket, body)
}

// frameSummary is what the tests compare: Frame with its own copy of Data.
type frameSummary struct {
	TimeNs   int64
	TimeMs   uint64
	Data     string
	WireLen  uint32
	LinkType uint32
}

func summarize(f Frame) frameSummary {
	return frameSummary{TimeNs: f.TimeNs, TimeMs: f.TimeMs, Data: string(f.Data), WireLen: f.WireLen, LinkType: f.LinkType}
}

// readAll drains src, returning the frames and the error that ended it
// (nil for a clean io.EOF). It gives up after limit frames so that a
// reader bug cannot loop forever.
func readAll(t testing.TB, src Source) ([]frameSummary, error) {
	t.Helper()
	var frames []frameSummary
	for range 1 << 20 {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return frames, err
		}
		frames = append(frames, summarize(f))
	}
	t.Fatalf("source did not end after %d frames", len(frames))
	return nil, nil
}

// timeOf builds the expected TimeNs and TimeMs of a packet.
func timeOf(sec int64, ns int64) (int64, uint64) {
	return sec*1e9 + ns, uint64(sec)*1000 + uint64(ns)/1e6
}
