package stages

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// pcapng block types this reader acts on; every other block is skipped.
const (
	blockSectionHeader    = 0x0A0D0D0A
	blockInterface        = 0x00000001
	blockPacketObsolete   = 0x00000002
	blockSimplePacket     = 0x00000003
	blockEnhancedPacket   = 0x00000006
	byteOrderMagic        = 0x1A2B3C4D
	minBlockLen           = 12 // type, length, trailing length
	sectionHeaderMinLen   = 28
	interfaceMinLen       = 20
	enhancedPacketMinLen  = 32
	packetObsoleteMinLen  = 32
	simplePacketMinLen    = 16
	optionEnd             = 0
	optionTimeResolution  = 9  // if_tsresol
	optionTimeOffset      = 14 // if_tsoffset
	defaultUnitsPerSecond = 1e6
	nanosecondsPerSecond  = 1e9
	maxPowerOfTenExponent = 19 // 10^19 is the largest power of ten in a uint64
	maxPowerOfTwoExponent = 63
	tsresolPowerOfTwo     = 0x80
)

// maxBlockLen bounds any pcapng block (libpcap uses the same 16 MiB): larger
// length fields are damage, not data.
const maxBlockLen = 16 << 20

// pcapngInterface is what a section's Interface Description Block says about
// the packets captured on one interface.
type pcapngInterface struct {
	linkType  uint32
	snaplen   uint32 // 0: no limit
	maxCap    uint32 // largest caplen accepted: captureLimit(snaplen)
	scale     timestampScale
	offsetSec int64 // if_tsoffset
}

// timestampScale converts raw pcapng timestamps to nanoseconds.
type timestampScale struct {
	unitsPerSecond uint64
	nsPerUnit      uint64 // 0 unless a unit is a whole number of nanoseconds
}

func newTimestampScale(unitsPerSecond uint64) timestampScale {
	s := timestampScale{unitsPerSecond: unitsPerSecond}
	if nanosecondsPerSecond%unitsPerSecond == 0 {
		s.nsPerUnit = nanosecondsPerSecond / unitsPerSecond
	}
	return s
}

// times converts a raw timestamp plus the interface's offset in seconds to
// Frame.TimeNs and Frame.TimeMs, truncating like libpcap does when it
// scales timestamps. Overflow on absurd values wraps rather than panics.
func (s timestampScale) times(ts uint64, offsetSec int64) (timeNs int64, timeMs uint64) {
	sec, frac := ts/s.unitsPerSecond, ts%s.unitsPerSecond
	sec += uint64(offsetSec) // libpcap adds if_tsoffset to the seconds
	var fracNs uint64
	if s.nsPerUnit != 0 {
		fracNs = frac * s.nsPerUnit
	} else {
		hi, lo := bits.Mul64(frac, nanosecondsPerSecond)
		fracNs, _ = bits.Div64(hi, lo, s.unitsPerSecond) // hi < divisor because frac < divisor
	}
	return int64(sec)*nanosecondsPerSecond + int64(fracNs), sec*1e3 + fracNs/1e6
}

// pcapngReader reads pcapng sections, interfaces and packet blocks.
type pcapngReader struct {
	name       string
	records    recordBuffer
	order      binary.ByteOrder // of the current section
	interfaces []pcapngInterface
	packets    int // frames returned so far
}

// newPcapngReader prepares to read a pcapng file; the caller has checked
// that it starts with a Section Header Block type.
func newPcapngReader(name string, records recordBuffer) *pcapngReader {
	return &pcapngReader{name: name, records: records}
}

// next returns the next packet; its Data is valid until the next call.
func (r *pcapngReader) next() (Frame, error) {
	for {
		head, err := r.records.peek(minBlockLen)
		if err == io.EOF {
			if r.order == nil {
				return Frame{}, r.corrupt(errors.New("no section header block"))
			}
			return Frame{}, io.EOF
		}
		if err != nil {
			return Frame{}, r.corrupt(fmt.Errorf("block header: %w", err))
		}
		blockType := binary.LittleEndian.Uint32(head) // symmetric for the SHB type
		if blockType == blockSectionHeader {
			if err := r.readSectionHeader(); err != nil {
				return Frame{}, err
			}
			continue
		}
		if r.order == nil {
			return Frame{}, r.corrupt(errors.New("file does not start with a section header block"))
		}
		blockType = r.order.Uint32(head)
		blockLen := r.order.Uint32(head[4:])
		if err := checkBlockLen(blockLen, minBlockLen); err != nil {
			return Frame{}, r.corrupt(fmt.Errorf("block type %#x: %w", blockType, err))
		}
		switch blockType {
		case blockInterface:
			err = r.readInterface(int(blockLen))
		case blockEnhancedPacket, blockPacketObsolete, blockSimplePacket:
			var frame Frame
			frame, err = r.readPacket(blockType, int(blockLen))
			if err == nil {
				r.packets++
				return frame, nil
			}
		default:
			err = r.skipBlock(blockType, int(blockLen))
		}
		if err != nil {
			return Frame{}, err
		}
	}
}

func checkBlockLen(blockLen, minLen uint32) error {
	switch {
	case blockLen < minLen:
		return fmt.Errorf("block length %d below the minimum %d", blockLen, minLen)
	case blockLen%4 != 0:
		return fmt.Errorf("block length %d is not a multiple of 4", blockLen)
	case blockLen > maxBlockLen:
		return fmt.Errorf("block length %d exceeds the limit %d", blockLen, maxBlockLen)
	}
	return nil
}

// readBlock returns the whole block of blockLen bytes after checking that
// its trailing length repeats the leading one.
func (r *pcapngReader) readBlock(blockType uint32, blockLen int) ([]byte, error) {
	block, err := r.records.take(blockLen)
	if err != nil {
		return nil, r.corrupt(fmt.Errorf("block type %#x: %w", blockType, truncated(err)))
	}
	if trailer := r.order.Uint32(block[blockLen-4:]); trailer != uint32(blockLen) {
		return nil, r.corrupt(fmt.Errorf("block type %#x: trailing length %d differs from leading length %d", blockType, trailer, blockLen))
	}
	return block, nil
}

// skipBlock passes over a block without keeping it in memory.
func (r *pcapngReader) skipBlock(blockType uint32, blockLen int) error {
	if err := r.records.skip(blockLen - 4); err != nil {
		return r.corrupt(fmt.Errorf("block type %#x: %w", blockType, truncated(err)))
	}
	trailer, err := r.records.peek(4)
	if err != nil {
		return r.corrupt(fmt.Errorf("block type %#x: %w", blockType, truncated(err)))
	}
	if got := r.order.Uint32(trailer); got != uint32(blockLen) {
		return r.corrupt(fmt.Errorf("block type %#x: trailing length %d differs from leading length %d", blockType, got, blockLen))
	}
	return r.records.skip(4)
}

// readSectionHeader starts a new section: its own byte order and a fresh
// list of interfaces.
func (r *pcapngReader) readSectionHeader() error {
	head, err := r.records.peek(minBlockLen)
	if err != nil {
		return r.corrupt(fmt.Errorf("section header: %w", truncated(err)))
	}
	var order binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint32(head[8:]) == byteOrderMagic:
		order = binary.LittleEndian
	case binary.BigEndian.Uint32(head[8:]) == byteOrderMagic:
		order = binary.BigEndian
	default:
		return r.corrupt(fmt.Errorf("section header: bad byte-order magic %#x", binary.LittleEndian.Uint32(head[8:])))
	}
	blockLen := order.Uint32(head[4:])
	if err := checkBlockLen(blockLen, sectionHeaderMinLen); err != nil {
		return r.corrupt(fmt.Errorf("section header: %w", err))
	}
	r.order = order
	block, err := r.readBlock(blockSectionHeader, int(blockLen))
	if err != nil {
		return err
	}
	if major := order.Uint16(block[12:]); major != 1 {
		return r.corrupt(fmt.Errorf("section header: unsupported major version %d", major))
	}
	r.interfaces = r.interfaces[:0]
	return nil
}

// readInterface records an Interface Description Block.
func (r *pcapngReader) readInterface(blockLen int) error {
	if blockLen < interfaceMinLen {
		return r.corrupt(fmt.Errorf("interface description: block length %d below the minimum %d", blockLen, interfaceMinLen))
	}
	block, err := r.readBlock(blockInterface, blockLen)
	if err != nil {
		return err
	}
	iface := pcapngInterface{
		linkType: uint32(r.order.Uint16(block[8:])),
		snaplen:  r.order.Uint32(block[12:]),
		scale:    newTimestampScale(defaultUnitsPerSecond),
	}
	iface.maxCap = captureLimit(iface.snaplen)
	options := block[16 : blockLen-4]
	for len(options) > 0 {
		if len(options) < 4 {
			return r.corrupt(errors.New("interface description: truncated option header"))
		}
		code, length := r.order.Uint16(options), int(r.order.Uint16(options[2:]))
		if code == optionEnd {
			break
		}
		padded := (length + 3) &^ 3
		if 4+padded > len(options) {
			return r.corrupt(fmt.Errorf("interface description: option %d of length %d overruns the block", code, length))
		}
		value := options[4 : 4+length]
		switch {
		case code == optionTimeResolution && length == 1:
			scale, err := timeResolution(value[0])
			if err != nil {
				return r.corrupt(fmt.Errorf("interface description: %w", err))
			}
			iface.scale = scale
		case code == optionTimeOffset && length == 8:
			iface.offsetSec = int64(r.order.Uint64(value))
		}
		options = options[4+padded:]
	}
	r.interfaces = append(r.interfaces, iface)
	return nil
}

// timeResolution decodes if_tsresol: the high bit selects a negative power
// of two, otherwise a negative power of ten, units per second.
func timeResolution(v byte) (timestampScale, error) {
	exponent := uint64(v &^ tsresolPowerOfTwo)
	if v&tsresolPowerOfTwo != 0 {
		if exponent > maxPowerOfTwoExponent {
			return timestampScale{}, fmt.Errorf("if_tsresol 2^-%d is out of range", exponent)
		}
		return newTimestampScale(1 << exponent), nil
	}
	if exponent > maxPowerOfTenExponent {
		return timestampScale{}, fmt.Errorf("if_tsresol 10^-%d is out of range", exponent)
	}
	units := uint64(1)
	for range exponent {
		units *= 10
	}
	return newTimestampScale(units), nil
}

// readPacket decodes an Enhanced, Simple or obsolete Packet Block.
func (r *pcapngReader) readPacket(blockType uint32, blockLen int) (Frame, error) {
	var (
		ifaceID, caplen, wirelen uint32
		timestamp                uint64
		dataOffset               int
		hasTimestamp             = true
	)
	minLen := enhancedPacketMinLen
	switch blockType {
	case blockPacketObsolete:
		minLen = packetObsoleteMinLen
	case blockSimplePacket:
		minLen = simplePacketMinLen
	}
	if blockLen < minLen {
		return Frame{}, r.corrupt(fmt.Errorf("packet block type %#x: block length %d below the minimum %d", blockType, blockLen, minLen))
	}
	// Check the fixed fields before reading the whole block, so a damaged
	// caplen is reported as such rather than as a short file.
	fixed, err := r.records.peek(minLen - 4)
	if err != nil {
		return Frame{}, r.corrupt(fmt.Errorf("packet block type %#x: %w", blockType, truncated(err)))
	}
	switch blockType {
	case blockEnhancedPacket:
		ifaceID = r.order.Uint32(fixed[8:])
		timestamp = uint64(r.order.Uint32(fixed[12:]))<<32 | uint64(r.order.Uint32(fixed[16:]))
		caplen, wirelen = r.order.Uint32(fixed[20:]), r.order.Uint32(fixed[24:])
		dataOffset = 28
	case blockPacketObsolete:
		ifaceID = uint32(r.order.Uint16(fixed[8:])) // then a 16-bit drops count
		timestamp = uint64(r.order.Uint32(fixed[12:]))<<32 | uint64(r.order.Uint32(fixed[16:]))
		caplen, wirelen = r.order.Uint32(fixed[20:]), r.order.Uint32(fixed[24:])
		dataOffset = 28
	case blockSimplePacket:
		// No interface id, caplen or timestamp: interface 0, and caplen is
		// the wire length cut to its snaplen (libpcap also leaves time at 0).
		wirelen = r.order.Uint32(fixed[8:])
		caplen = wirelen
		hasTimestamp = false
		dataOffset = 12
	}
	if int(ifaceID) >= len(r.interfaces) {
		return Frame{}, r.corrupt(fmt.Errorf("packet block type %#x: interface %d has no interface description block", blockType, ifaceID))
	}
	iface := &r.interfaces[ifaceID]
	if blockType == blockSimplePacket && iface.snaplen != 0 {
		caplen = min(caplen, iface.snaplen)
	}
	if caplen > iface.maxCap {
		return Frame{}, r.corrupt(fmt.Errorf("packet block type %#x: captured length %d exceeds the limit %d", blockType, caplen, iface.maxCap))
	}
	if room := blockLen - dataOffset - 4; int(caplen) > room {
		return Frame{}, r.corrupt(fmt.Errorf("packet block type %#x: captured length %d does not fit a block of length %d", blockType, caplen, blockLen))
	}
	block, err := r.readBlock(blockType, blockLen)
	if err != nil {
		return Frame{}, err
	}
	frame := Frame{
		Data:     block[dataOffset : dataOffset+int(caplen)],
		WireLen:  wirelen,
		LinkType: iface.linkType,
		File:     r.name,
	}
	if hasTimestamp {
		frame.TimeNs, frame.TimeMs = iface.scale.times(timestamp, iface.offsetSec)
	}
	return frame, nil
}

func (r *pcapngReader) hold() { r.records.hold() }

func (r *pcapngReader) corrupt(err error) error {
	return &CorruptError{File: r.name, Packet: r.packets + 1, Err: err}
}
