package stages

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Three Ethernet-sized payloads; their bytes only need to come back intact.
var (
	payloadA = bytes.Repeat([]byte{0xaa}, 60)
	payloadB = []byte("short frame")
	payloadC = bytes.Repeat([]byte{0x01, 0x02, 0x03}, 500)
)

func TestPcapReader(t *testing.T) {
	timeA, msA := timeOf(1_600_000_000, 123_456_000)
	timeB, msB := timeOf(1_600_000_001, 999_999_000)
	timeC, msC := timeOf(1_600_000_002, 0)
	microPackets := func(f *pcapFile) []byte {
		return f.add(testPacket{sec: 1_600_000_000, frac: 123_456, data: payloadA}).
			add(testPacket{sec: 1_600_000_001, frac: 999_999, data: payloadB, wireLen: 1500}).
			add(testPacket{sec: 1_600_000_002, frac: 0, data: payloadC}).buf
	}
	wantMicro := func(linkType uint32) []frameSummary {
		return []frameSummary{
			{TimeNs: timeA, TimeMs: msA, Data: string(payloadA), WireLen: 60, LinkType: linkType},
			{TimeNs: timeB, TimeMs: msB, Data: string(payloadB), WireLen: 1500, LinkType: linkType},
			{TimeNs: timeC, TimeMs: msC, Data: string(payloadC), WireLen: 1500, LinkType: linkType},
		}
	}
	nanoTime, nanoMs := timeOf(1_700_000_000, 987_654_321)
	nanoFile := func(order byteOrder) []byte {
		return newPcapFile(order, pcapMagicNano, 65535, 1).
			add(testPacket{sec: 1_700_000_000, frac: 987_654_321, data: payloadB}).buf
	}
	wantNano := []frameSummary{{TimeNs: nanoTime, TimeMs: nanoMs, Data: string(payloadB), WireLen: 11, LinkType: 1}}

	// Version 2.2 writers put len before caplen; version 2.3 ones may have.
	oldVersion := func(minor uint16, caplenFirst bool) []byte {
		f := newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1)
		binary.LittleEndian.PutUint16(f.buf[6:], minor)
		f.buf = binary.LittleEndian.AppendUint32(f.buf, 10)
		f.buf = binary.LittleEndian.AppendUint32(f.buf, 0)
		if caplenFirst {
			f.buf = binary.LittleEndian.AppendUint32(f.buf, 11)
			f.buf = binary.LittleEndian.AppendUint32(f.buf, 1514)
		} else {
			f.buf = binary.LittleEndian.AppendUint32(f.buf, 1514)
			f.buf = binary.LittleEndian.AppendUint32(f.buf, 11)
		}
		f.buf = append(f.buf, payloadB...)
		return f.buf
	}
	wantOld := []frameSummary{{TimeNs: 10e9, TimeMs: 10e3, Data: string(payloadB), WireLen: 1514, LinkType: 1}}

	// A frame larger than the read buffer (a 200 KB loopback TSO burst)
	// takes the copying path.
	huge := bytes.Repeat([]byte("0123456789abcdef"), 200_000/16)

	tests := []struct {
		name string
		file []byte
		want []frameSummary
	}{
		{"little-endian microseconds", microPackets(newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1)), wantMicro(1)},
		{"big-endian microseconds", microPackets(newPcapFile(binary.BigEndian, pcapMagicMicro, 65535, 1)), wantMicro(1)},
		{"little-endian nanoseconds", nanoFile(binary.LittleEndian), wantNano},
		{"big-endian nanoseconds", nanoFile(binary.BigEndian), wantNano},
		{"modified format little-endian", microPackets(newPcapFile(binary.LittleEndian, pcapMagicModified, 65535, 1)), wantMicro(1)},
		{"modified format big-endian", microPackets(newPcapFile(binary.BigEndian, pcapMagicModified, 65535, 1)), wantMicro(1)},
		{"link type without its FCS bits", microPackets(newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 0x1400_0071)), wantMicro(113)},
		{"version 2.2 swaps lengths", oldVersion(2, false), wantOld},
		{"version 2.3 with lengths swapped", oldVersion(3, false), wantOld},
		{"version 2.3 with lengths in order", oldVersion(3, true), wantOld},
		{"header only", newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1).buf, nil},
		{
			"frame larger than the read buffer",
			newPcapFile(binary.LittleEndian, pcapMagicMicro, 262144, 0).
				add(testPacket{sec: 5, data: huge}).add(testPacket{sec: 6, data: payloadB}).buf,
			[]frameSummary{
				{TimeNs: 5e9, TimeMs: 5e3, Data: string(huge), WireLen: uint32(len(huge)), LinkType: 0},
				{TimeNs: 6e9, TimeMs: 6e3, Data: string(payloadB), WireLen: 11, LinkType: 0},
			},
		},
		{
			"caplen above snaplen but within 256 KiB",
			newPcapFile(binary.LittleEndian, pcapMagicMicro, 64, 1).add(testPacket{sec: 1, data: payloadC}).buf,
			[]frameSummary{{TimeNs: 1e9, TimeMs: 1e3, Data: string(payloadC), WireLen: 1500, LinkType: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewReader("test.pcap", bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			got, err := readAll(t, src)
			if err != nil {
				t.Fatalf("after %d frames: %v", len(got), err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("frames (-want +got):\n%s", diff)
			}
			if n := src.(ByteCounter).BytesRead(); n != int64(len(tt.file)) {
				t.Errorf("BytesRead = %d, want %d", n, len(tt.file))
			}
		})
	}
}

func TestPcapReaderDamage(t *testing.T) {
	good := newPcapFile(binary.LittleEndian, pcapMagicMicro, 65535, 1).add(testPacket{sec: 1, data: payloadA})
	withRecord := func(caplen uint32, extra []byte) []byte {
		b := slices.Clone(good.buf)
		b = binary.LittleEndian.AppendUint32(b, 2)
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, caplen)
		b = binary.LittleEndian.AppendUint32(b, caplen)
		return append(b, extra...)
	}
	archaic := slices.Clone(good.buf)
	binary.LittleEndian.PutUint16(archaic[4:], 1)
	tests := []struct {
		name       string
		file       []byte
		wantFrames int
		wantPacket int
		wantText   string
	}{
		{"caplen above 256 KiB and snaplen", withRecord(1<<30, nil), 1, 2, "captured length 1073741824 exceeds the limit 262144"},
		{"caplen just above the limit", withRecord(maxPacketFloor+1, nil), 1, 2, "exceeds the limit"},
		{"caplen above 16 MiB under a huge snaplen", func() []byte {
			b := withRecord(maxPacketCeiling+1, nil)
			binary.LittleEndian.PutUint32(b[16:], 0xffffffff) // snaplen
			return b
		}(), 1, 2, "captured length 16777217 exceeds the limit 16777216"},
		{"record claims more than the file holds", withRecord(200_000, []byte("only this")), 1, 2, "packet data: unexpected EOF"},
		{"half a record header", append(slices.Clone(good.buf), 1, 2, 3), 1, 2, "record header: unexpected EOF"},
		{"half a file header", good.buf[:10], 0, 1, "file header: unexpected EOF"},
		{"archaic version", archaic, 0, 1, "archaic format version 1.4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewReader("damaged.pcap", bytes.NewReader(tt.file))
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
			if corrupt.File != "damaged.pcap" || corrupt.Packet != tt.wantPacket {
				t.Errorf("error names %q packet %d, want damaged.pcap packet %d", corrupt.File, corrupt.Packet, tt.wantPacket)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
			if _, again := src.Next(); again != err {
				t.Errorf("second Next returned %v, want the same error again", again)
			}
		})
	}
}

// TestPcapLargeRecordMemory checks that a record header claiming a large
// caplen (16 MiB less a bit, allowed by a huge snaplen) over a short file
// costs memory in proportion to the file, not to the claim.
func TestPcapLargeRecordMemory(t *testing.T) {
	file := newPcapFile(binary.LittleEndian, pcapMagicMicro, 0xffffffff, 1).buf
	file = binary.LittleEndian.AppendUint32(file, 1)
	file = binary.LittleEndian.AppendUint32(file, 0)
	file = binary.LittleEndian.AppendUint32(file, maxPacketCeiling-16)
	file = binary.LittleEndian.AppendUint32(file, maxPacketCeiling-16)
	file = append(file, bytes.Repeat([]byte{7}, 100_000)...)
	src, err := NewReader("claims.pcap", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Next()
	var corrupt *CorruptError
	if !errors.As(err, &corrupt) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want a truncation *CorruptError", err)
	}
	if got := cap(src.(*captureSource).frames.(*pcapReader).records.large); got > 1<<20 {
		t.Errorf("buffer grew to %d bytes for a 100 kB record", got)
	}
}

// TestPcapTruncatedEverywhere cuts a capture at every byte offset: the
// reader must never panic, must return every record that is complete, and
// must end with a *CorruptError unless the cut falls between records.
func TestPcapTruncatedEverywhere(t *testing.T) {
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, magic := range []uint32{pcapMagicMicro, pcapMagicNano, pcapMagicModified} {
			f := newPcapFile(order, magic, 65535, 1)
			ends := []int{len(f.buf)}
			for i, p := range [][]byte{payloadA, payloadB, payloadA[:7]} {
				f.add(testPacket{sec: uint32(i), frac: 10, data: p})
				ends = append(ends, len(f.buf))
			}
			checkTruncations(t, f.buf, ends[1:], ends)
		}
	}
}

// checkTruncations reads every prefix of file. packetEnds are the offsets
// at which each frame is complete, cleanCuts those where the file may end
// without damage (after the file header, between records).
func checkTruncations(t *testing.T, file []byte, packetEnds, cleanCuts []int) {
	t.Helper()
	all, err := readAll(t, mustReader(t, file))
	if err != nil || len(all) != len(packetEnds) {
		t.Fatalf("whole file: %d frames, %v; want %d frames", len(all), err, len(packetEnds))
	}
	for cut := 0; cut <= len(file); cut++ {
		src, err := NewReader("cut", bytes.NewReader(file[:cut]))
		if cut < 4 {
			if !errors.Is(err, ErrNotCapture) {
				t.Errorf("cut at %d: Open error %v, want ErrNotCapture", cut, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		got, err := readAll(t, src)
		complete := 0
		for _, end := range packetEnds {
			if end <= cut {
				complete++
			}
		}
		if diff := cmp.Diff(all[:complete], got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("cut at %d: frames (-want +got):\n%s", cut, diff)
		}
		var corrupt *CorruptError
		switch {
		case slices.Contains(cleanCuts, cut):
			if err != nil {
				t.Errorf("cut at %d, between records: %v", cut, err)
			}
		case !errors.As(err, &corrupt):
			t.Errorf("cut at %d: error %v, want a *CorruptError", cut, err)
		case corrupt.Packet != complete+1:
			t.Errorf("cut at %d: error names packet %d, want %d", cut, corrupt.Packet, complete+1)
		}
	}
}

func mustReader(t testing.TB, file []byte) Source {
	t.Helper()
	src, err := NewReader("test", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	return src
}
