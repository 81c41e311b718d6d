package stages

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Classic pcap magic numbers as they appear in the first four bytes of a
// file written in little-endian order; big-endian files hold the same values
// byte-swapped.
const (
	pcapMagicMicro    = 0xa1b2c3d4 // timestamps in microseconds
	pcapMagicNano     = 0xa1b23c4d // timestamps in nanoseconds
	pcapMagicModified = 0xa1b2cd34 // Kuznetsov's patched format: 8 more bytes per record
)

const (
	pcapFileHeaderLen   = 24
	pcapRecordHeaderLen = 16
	// pcapModifiedHeaderLen adds ifindex (4), protocol (2), pkt_type (1) and
	// padding (1) to each record header of the modified format.
	pcapModifiedHeaderLen = 24
	// linkTypeMask keeps the link type proper; the upper bits of the header
	// field carry FCS information (libpcap's LT_LINKTYPE).
	linkTypeMask = 0x03FFFFFF
)

// lengthsSwapped says whether caplen and len trade places in a file's
// record headers, which old writers (format versions before 2.3, and some
// 2.3 writers) did; libpcap repairs it the same way.
type lengthsSwapped uint8

const (
	lengthsInOrder lengthsSwapped = iota
	lengthsReversed
	lengthsMaybeReversed // version 2.3: reversed when caplen > len
)

// pcapReader reads classic pcap records.
type pcapReader struct {
	name      string
	records   recordBuffer
	order     binary.ByteOrder
	bigEndian bool // order is binary.BigEndian: u32 without an interface call
	nanos     bool // nanosecond timestamps
	headerLen int  // record header length
	swapped   lengthsSwapped
	linkType  uint32
	maxCap    uint32 // largest caplen accepted: captureLimit(snaplen)
	packets   int    // frames returned so far
}

// pcapOrder tells whether magic (read as little-endian) is a classic pcap
// magic number, and returns the byte order of the file it starts.
func pcapOrder(magic uint32) (binary.ByteOrder, bool) {
	switch magic {
	case pcapMagicMicro, pcapMagicNano, pcapMagicModified:
		return binary.LittleEndian, true
	}
	switch swap32(magic) {
	case pcapMagicMicro, pcapMagicNano, pcapMagicModified:
		return binary.BigEndian, true
	}
	return nil, false
}

func swap32(v uint32) uint32 {
	return v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24
}

// newPcapReader reads the file header; the caller has checked the magic.
func newPcapReader(name string, records recordBuffer) (*pcapReader, error) {
	r := &pcapReader{name: name, records: records, headerLen: pcapRecordHeaderLen}
	hdr, err := r.records.peek(pcapFileHeaderLen)
	if err != nil {
		return r, r.corrupt(fmt.Errorf("file header: %w", truncated(err)))
	}
	order, ok := pcapOrder(binary.LittleEndian.Uint32(hdr))
	if !ok {
		return r, r.corrupt(errors.New("file header: not a pcap magic number"))
	}
	r.order, r.bigEndian = order, order == binary.BigEndian
	switch order.Uint32(hdr) {
	case pcapMagicNano:
		r.nanos = true
	case pcapMagicModified:
		r.headerLen = pcapModifiedHeaderLen
	}
	major, minor := order.Uint16(hdr[4:]), order.Uint16(hdr[6:])
	if major < 2 {
		return r, r.corrupt(fmt.Errorf("file header: archaic format version %d.%d", major, minor))
	}
	switch {
	case major == 2 && minor < 3, major == 543: // 543 = 0x021f, a byte-swapped 2 from a broken writer
		r.swapped = lengthsReversed
	case major == 2 && minor == 3:
		r.swapped = lengthsMaybeReversed
	}
	snaplen := order.Uint32(hdr[16:])
	r.maxCap = captureLimit(snaplen)
	r.linkType = order.Uint32(hdr[20:]) & linkTypeMask
	if err := r.records.skip(pcapFileHeaderLen); err != nil {
		return r, r.corrupt(fmt.Errorf("file header: %w", truncated(err)))
	}
	return r, nil
}

// next returns the next frame; its Data is valid until the next call.
func (r *pcapReader) next() (Frame, error) {
	hdr, err := r.records.peek(r.headerLen)
	if err == io.EOF {
		return Frame{}, io.EOF
	}
	if err != nil {
		return Frame{}, r.corrupt(fmt.Errorf("record header: %w", err))
	}
	sec, frac, caplen, wirelen := r.recordHeader(hdr)
	if caplen > r.maxCap {
		return Frame{}, r.corrupt(fmt.Errorf("record header: captured length %d exceeds the limit %d", caplen, r.maxCap))
	}
	record, err := r.records.take(r.headerLen + int(caplen))
	if err != nil {
		return Frame{}, r.corrupt(fmt.Errorf("packet data: %w", truncated(err)))
	}
	timeNs, timeMs := r.recordTime(sec, frac)
	r.packets++
	return Frame{
		TimeNs:   timeNs,
		TimeMs:   timeMs,
		Data:     record[r.headerLen:],
		WireLen:  wirelen,
		LinkType: r.linkType,
		File:     r.name,
	}, nil
}

// recordHeader reads a record header's four fields, the lengths put in
// their order.
func (r *pcapReader) recordHeader(hdr []byte) (sec, frac, caplen, wirelen uint32) {
	_ = hdr[15]
	if r.bigEndian {
		sec, frac = binary.BigEndian.Uint32(hdr), binary.BigEndian.Uint32(hdr[4:])
		caplen, wirelen = binary.BigEndian.Uint32(hdr[8:]), binary.BigEndian.Uint32(hdr[12:])
	} else {
		sec, frac = binary.LittleEndian.Uint32(hdr), binary.LittleEndian.Uint32(hdr[4:])
		caplen, wirelen = binary.LittleEndian.Uint32(hdr[8:]), binary.LittleEndian.Uint32(hdr[12:])
	}
	if r.swapped == lengthsReversed || r.swapped == lengthsMaybeReversed && caplen > wirelen {
		caplen, wirelen = wirelen, caplen
	}
	return sec, frac, caplen, wirelen
}

// nextBatch is next for many frames at once, written into dst: records that
// lie whole in the buffer's window are cut in a loop of their own, and the
// rest (the window's edge, damage, the end) go through next. It returns at
// least one frame, or 0 and next's error.
func (r *pcapReader) nextBatch(dst []Frame) (int, error) {
	b := &r.records
	hl := r.headerLen
	n := 0
	for n < len(dst) {
		b.release()
		off := b.off
		if off+hl > len(b.win) || off >= b.mark {
			break
		}
		sec, frac, caplen, wirelen := r.recordHeader(b.win[off : off+hl])
		end := off + hl + int(caplen)
		if caplen > r.maxCap || end > len(b.win) {
			break
		}
		b.pending = end - off
		fr := &dst[n]
		fr.TimeNs, fr.TimeMs = r.recordTime(sec, frac)
		fr.Data = b.win[off+hl : end : end]
		fr.WireLen, fr.LinkType, fr.File, fr.Tick = wirelen, r.linkType, r.name, false
		r.packets++
		n++
	}
	if n > 0 {
		return n, nil
	}
	frame, err := r.next()
	if err != nil {
		return 0, err
	}
	dst[0] = frame
	return 1, nil
}

// recordTime turns a record's ts_sec and ts_usec (or ts_nsec) fields into
// TimeNs and NFStream's TimeMs. libpcap stores both fields in an int32 and
// byte-swaps a foreign-order file into a uint32: on the little-endian hosts
// NFStream runs on, a little-endian file's fields are signed and a
// big-endian file's unsigned (NFStream 6.6.0 on hand-built captures: ts_usec
// 0xFFFFFC18 is -1 ms in the first, +4294966 ms in the second). TimeMs wraps
// in uint64 like NFStream's tv_sec*1000 + tv_usec/1000 in C, division
// truncating toward zero.
func (r *pcapReader) recordTime(sec, frac uint32) (timeNs int64, timeMs uint64) {
	s, f := int64(sec), int64(frac)
	if !r.bigEndian {
		s, f = int64(int32(sec)), int64(int32(frac))
	}
	fracNs, fracMs := f*1e3, f/1e3
	if r.nanos {
		fracNs, fracMs = f, f/1e6
	}
	return s*1e9 + fracNs, uint64(s)*1e3 + uint64(fracMs)
}

func (r *pcapReader) hold() { r.records.hold() }

func (r *pcapReader) corrupt(err error) error {
	return &CorruptError{File: r.name, Packet: r.packets + 1, Err: err}
}

// truncated reports running out of input inside a structure as
// io.ErrUnexpectedEOF: there, even a clean end of input is damage.
func truncated(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
