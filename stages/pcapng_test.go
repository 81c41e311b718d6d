package stages

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Link types used below (LINKTYPE_* values from the tcpdump.org list).
const (
	linkEthernet = 1
	linkRaw      = 101
	linkLinuxSLL = 113
)

// multiSectionFile is a pcapng file with two sections in different byte
// orders, three interfaces with different link types and timestamp
// resolutions, every packet block type, and blocks the reader must skip.
func multiSectionFile() *pcapngFile {
	f := newPcapngFile()
	f.section(binary.LittleEndian).
		iface(linkEthernet, 65535).   // no options: microseconds
		block(4, []byte{0, 0, 0, 0}). // Name Resolution Block with only opt_endofrecord
		epb(0, 1_600_000_000_123_456, payloadA, 60)
	f.section(binary.BigEndian)
	f.iface(linkLinuxSLL, 8, f.tsresol(9)). // nanoseconds, 8-byte snaplen for the SPB
						iface(linkRaw, 0, f.tsresol(0x80|10), f.tsoffset(1000)). // 1/1024 s, 1000 s later
						epb(1, 5*1024+512, payloadB, 11).
						block(5, make([]byte, 16)). // Interface Statistics Block
						epb(0, 1_700_000_000_987_654_321, payloadB, 11).
						simplePacket(payloadB[:8], 11). // cut to the interface's snaplen
						block(0x40000BAD, []byte("custom block, not to be copied")).
						obsoletePacket(1, 3, payloadA, 1514)
	return f
}

func TestPcapngReader(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want []frameSummary
	}{
		{
			name: "sections in both byte orders, several interfaces",
			file: multiSectionFile().buf,
			want: []frameSummary{
				{TimeNs: 1_600_000_000_123_456_000, TimeMs: 1_600_000_000_123, Data: string(payloadA), WireLen: 60, LinkType: linkEthernet},
				// 5.5 s in 1/1024 s units, plus if_tsoffset 1000 s.
				{TimeNs: 1005_500_000_000, TimeMs: 1005_500, Data: string(payloadB), WireLen: 11, LinkType: linkRaw},
				{TimeNs: 1_700_000_000_987_654_321, TimeMs: 1_700_000_000_987, Data: string(payloadB), WireLen: 11, LinkType: linkLinuxSLL},
				// Simple Packet Block: interface 0's snaplen cuts it, no timestamp.
				{TimeNs: 0, TimeMs: 0, Data: string(payloadB[:8]), WireLen: 11, LinkType: linkLinuxSLL},
				// 3/1024 s = 2929687.5 ns, truncated.
				{TimeNs: 1000_002_929_687, TimeMs: 1000_002, Data: string(payloadA), WireLen: 1514, LinkType: linkRaw},
			},
		},
		{
			name: "milli- and picosecond resolutions, negative offset",
			file: func() []byte {
				f := newPcapngFile().section(binary.LittleEndian)
				f.iface(linkEthernet, 0, f.tsresol(3)).
					iface(linkEthernet, 0, f.tsresol(12), f.tsoffset(-10)).
					epb(0, 1_234_567, payloadB, 11).
					epb(1, 12_345_678_901_234, payloadB, 11)
				return f.buf
			}(),
			want: []frameSummary{
				{TimeNs: 1_234_567_000_000, TimeMs: 1_234_567, Data: string(payloadB), WireLen: 11, LinkType: linkEthernet},
				{TimeNs: 2_345_678_901, TimeMs: 2_345, Data: string(payloadB), WireLen: 11, LinkType: linkEthernet},
			},
		},
		{
			name: "section with no packets",
			file: newPcapngFile().section(binary.BigEndian).iface(linkEthernet, 0).buf,
			want: nil,
		},
		{
			name: "frame larger than the read buffer",
			file: newPcapngFile().section(binary.LittleEndian).iface(linkEthernet, 262144).
				epb(0, 7, bytes.Repeat([]byte{9}, 100_001), 100_001).epb(0, 8, payloadB, 11).buf,
			want: []frameSummary{
				{TimeNs: 7000, TimeMs: 0, Data: string(bytes.Repeat([]byte{9}, 100_001)), WireLen: 100_001, LinkType: linkEthernet},
				{TimeNs: 8000, TimeMs: 0, Data: string(payloadB), WireLen: 11, LinkType: linkEthernet},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := mustReader(t, tt.file)
			defer src.Close()
			got, err := readAll(t, src)
			if err != nil {
				t.Fatalf("after %d frames: %v", len(got), err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("frames (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPcapngReaderDamage(t *testing.T) {
	// base has one good packet; each case appends or edits something.
	base := func() *pcapngFile {
		return newPcapngFile().section(binary.LittleEndian).iface(linkEthernet, 1500).epb(0, 1, payloadA, 60)
	}
	withBlock := func(blockType, length uint32, body []byte) []byte {
		b := slices.Clone(base().buf)
		b = binary.LittleEndian.AppendUint32(b, blockType)
		b = binary.LittleEndian.AppendUint32(b, length)
		return append(b, body...)
	}
	editLast := func(f *pcapngFile, edit func(block []byte)) []byte {
		start := f.blockEnds[len(f.blockEnds)-2]
		edit(f.buf[start:])
		return f.buf
	}
	tests := []struct {
		name       string
		file       []byte
		wantFrames int
		wantText   string
	}{
		{"packet on an undeclared interface", base().epb(3, 2, payloadB, 11).buf, 1, "interface 3 has no interface description block"},
		{"trailing length differs", editLast(base().epb(0, 2, payloadB, 11), func(b []byte) { b[len(b)-1] = 9 }), 1, "trailing length"},
		{"block length not a multiple of 4", withBlock(6, 33, make([]byte, 40)), 1, "not a multiple of 4"},
		{"block length below 12", withBlock(4, 8, make([]byte, 8)), 1, "below the minimum 12"},
		{"block length above 16 MiB", withBlock(4, 1<<30, make([]byte, 8)), 1, "exceeds the limit"},
		{"enhanced packet block too short", withBlock(6, 16, make([]byte, 8)), 1, "below the minimum 32"},
		{"caplen above 256 KiB and snaplen", editLast(base().epb(0, 2, payloadB, 11), func(b []byte) {
			binary.LittleEndian.PutUint32(b[20:], 300_000)
		}), 1, "captured length 300000 exceeds the limit 262144"},
		{"caplen beyond its block", editLast(base().epb(0, 2, payloadB, 11), func(b []byte) {
			binary.LittleEndian.PutUint32(b[20:], 1000)
		}), 1, "does not fit a block"},
		{"simple packet without interface", newPcapngFile().section(binary.LittleEndian).simplePacket(payloadB, 11).buf, 0, "interface 0 has no interface description block"},
		{"simple packet longer than its block", base().simplePacket(payloadB, 5000).buf, 1, "does not fit a block"},
		{"bad byte-order magic", editLast(base().section(binary.LittleEndian), func(b []byte) { b[8] = 0 }), 1, "bad byte-order magic"},
		{"unsupported major version", editLast(base().section(binary.BigEndian), func(b []byte) { b[13] = 2 }), 1, "unsupported major version 2"},
		{"time resolution out of range", func() []byte {
			f := base()
			return f.iface(linkEthernet, 0, f.tsresol(20)).buf
		}(), 1, "if_tsresol 10^-20 is out of range"},
		{"power-of-two resolution out of range", func() []byte {
			f := base()
			return f.iface(linkEthernet, 0, f.tsresol(0x80|64)).buf
		}(), 1, "if_tsresol 2^-64 is out of range"},
		{"option overruns its block", func() []byte {
			f := base()
			return editLast(f.iface(linkEthernet, 0, f.tsresol(6)), func(b []byte) {
				binary.LittleEndian.PutUint16(b[18:], 200) // the if_name option's length
			})
		}(), 1, "overruns the block"},
		{"only the magic", []byte{0x0a, 0x0d, 0x0d, 0x0a}, 0, "block header: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewReader("damaged.pcapng", bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			got, err := readAll(t, src)
			if len(got) != tt.wantFrames {
				t.Errorf("read %d frames before the damage, want %d", len(got), tt.wantFrames)
			}
			var corrupt *CorruptError
			if !errors.As(err, &corrupt) {
				t.Fatalf("error %v is not a *CorruptError", err)
			}
			if corrupt.File != "damaged.pcapng" || corrupt.Packet != tt.wantFrames+1 {
				t.Errorf("error names %q packet %d, want damaged.pcapng packet %d", corrupt.File, corrupt.Packet, tt.wantFrames+1)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

// TestPcapngTruncatedEverywhere cuts the multi-section file at every byte:
// block boundaries are clean ends, anything else is a *CorruptError after
// the complete packets.
func TestPcapngTruncatedEverywhere(t *testing.T) {
	f := multiSectionFile()
	// Blocks in multiSectionFile order; packet blocks are 3, 7, 9, 10 and 12.
	var packetEnds []int
	for _, i := range []int{3, 7, 9, 10, 12} {
		packetEnds = append(packetEnds, f.blockEnds[i])
	}
	checkTruncations(t, f.buf, packetEnds, f.blockEnds)
}
