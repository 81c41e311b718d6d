package bpf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket/pcapgo"
)

// capturedFrame is one record of a capture file, as the tests compare it
// with tcpdump's output: the timestamp in microseconds (what tcpdump -w
// writes), and the captured bytes.
type capturedFrame struct {
	micros   int64
	linkType uint32
	data     []byte
	wireLen  uint32 // the length on the wire, for len, greater and less
}

// readCapture reads every record of a pcap or pcapng file (the extension
// is not trusted: the magic number decides).
func readCapture(path string) ([]capturedFrame, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var frames []capturedFrame
	if bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		r, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for {
			data, ci, err := r.ReadPacketData()
			if errors.Is(err, io.EOF) {
				return frames, nil
			}
			if err != nil {
				return frames, fmt.Errorf("%s: packet %d: %w", path, len(frames)+1, err)
			}
			iface, err := r.Interface(ci.InterfaceIndex)
			if err != nil {
				return frames, fmt.Errorf("%s: packet %d: %w", path, len(frames)+1, err)
			}
			frames = append(frames, capturedFrame{micros: ci.Timestamp.UnixMicro(), linkType: uint32(iface.LinkType), data: data, wireLen: uint32(ci.Length)})
		}
	}
	r, err := pcapgo.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.SetSnaplen(1 << 20) // read over-long records as tcpdump does
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return frames, fmt.Errorf("%s: packet %d: %w", path, len(frames)+1, err)
		}
		frames = append(frames, capturedFrame{micros: ci.Timestamp.UnixMicro(), linkType: uint32(r.LinkType()), data: data, wireLen: uint32(ci.Length)})
	}
}

// writePcap writes frames as a classic little-endian microsecond pcap file
// with one link type, for synthetic captures handed to tcpdump.
func writePcap(path string, linkType uint32, frames [][]byte) error {
	var b bytes.Buffer
	le32 := func(v uint32) { b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}) }
	le32(0xa1b2c3d4)
	b.Write([]byte{2, 0, 4, 0})
	le32(0)
	le32(0)
	le32(262144)
	le32(linkType)
	for i, fr := range frames {
		le32(uint32(1000 + i))
		le32(uint32(i))
		le32(uint32(len(fr)))
		le32(uint32(len(fr)) + 10)
		b.Write(fr)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// writeFrames writes frames (all of one link type) as a classic pcap file
// keeping their timestamps.
func writeFrames(path string, frames []capturedFrame) error {
	if len(frames) == 0 {
		return writePcap(path, linkTypeEthernet, nil)
	}
	var b bytes.Buffer
	le32 := func(v uint32) { b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}) }
	le32(0xa1b2c3d4)
	b.Write([]byte{2, 0, 4, 0})
	le32(0)
	le32(0)
	le32(262144)
	le32(frames[0].linkType)
	for _, fr := range frames {
		if fr.linkType != frames[0].linkType {
			return fmt.Errorf("%s: frames of link types %d and %d", path, frames[0].linkType, fr.linkType)
		}
		le32(uint32(fr.micros / 1e6))
		le32(uint32(fr.micros % 1e6))
		le32(uint32(len(fr.data)))
		le32(max(fr.wireLen, uint32(len(fr.data))))
		b.Write(fr.data)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
