package stages

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Fuzz targets for the capture readers, which parse untrusted files:
//
//	go test ./stages -run XXX -fuzz FuzzPcapReader -fuzztime 60s
//
// or scripts/fuzz.sh for every target of the repository. Crashers are kept
// under testdata/fuzz/<target>/ and replayed by a plain go test.

// fuzzCorpusCaptures are small corpus captures used as seeds when the
// shared material is present: classic pcap in both byte orders, pcapng,
// unusual link types.
var fuzzCorpusCaptures = []string{
	"malformed_icmp.pcap",       // 82 bytes, one frame
	"h323-overflow.pcap",        // 98 bytes
	"raw.pcap",                  // LINKTYPE_RAW
	"BGP_redist.pcap",           // Cisco HDLC
	"os_detected.pcapng",        // pcapng, one packet
	"rtsp_setup_http.pcapng",    // pcapng, one packet
	"dhcp_little_endian.pcapng", // pcapng with a name resolution block and far-future times
	"steam_datagram_relay_ping.pcapng",
}

// addCorpusSeeds adds those corpus captures whose magic passes keep.
func addCorpusSeeds(f *testing.F, keep func(magic uint32) bool) {
	for _, name := range fuzzCorpusCaptures {
		data, err := os.ReadFile(filepath.Join(sharedDir, "corpus/nfstream/pcaps", name))
		if err != nil || len(data) < 4 {
			continue // the shared corpus is optional
		}
		if keep(binary.LittleEndian.Uint32(data)) {
			f.Add(data)
		}
	}
}

// fuzzReadBufferSize replaces the 64 KiB read buffer in the reader
// targets: far more records then take the path for records larger than the
// buffer, and each run allocates less, so the fuzzer goes faster. It must
// hold the largest peek, a 28-byte pcapng packet header.
const fuzzReadBufferSize = 64

// checkSource drains src and checks what must hold for any input: frames
// within the size bounds, and an end that is io.EOF or a *CorruptError.
func checkSource(t *testing.T, src Source, inputLen int) {
	defer src.Close()
	for frames := 0; ; frames++ {
		frame, err := src.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			var corrupt *CorruptError
			if !errors.As(err, &corrupt) {
				t.Fatalf("error %v is not a *CorruptError", err)
			}
			if corrupt.Packet != frames+1 {
				t.Fatalf("error names packet %d after %d frames", corrupt.Packet, frames)
			}
			if _, again := src.Next(); again != err {
				t.Fatalf("Next after an error returned %v, want %v again", again, err)
			}
			return
		}
		if len(frame.Data) > maxBlockLen {
			t.Fatalf("frame of %d bytes", len(frame.Data))
		}
		if frames > inputLen {
			t.Fatalf("%d frames from %d bytes of input", frames, inputLen)
		}
	}
}

// fuzzRecords reads data through a small read buffer, so that records
// straddle refills.
func fuzzRecords(data []byte) recordBuffer {
	return newRecordBuffer(bufio.NewReaderSize(bytes.NewReader(data), fuzzReadBufferSize))
}

// checkMappedAgrees reads data as a mapped capture would be read (the
// bytes themselves stand in for the mapping) and through the read buffer:
// the frames and the final error must be the same.
func checkMappedAgrees(t *testing.T, data []byte, open func(recordBuffer) *captureSource) {
	t.Helper()
	want := describeFrames(open(fuzzRecords(data)))
	got := describeFrames(open(newMappedRecordBuffer(&mapping{data: data})))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("mapped differs from buffered (-buffered +mapped):\n%s", diff)
	}
	m := &mapping{data: data}
	mapped := open(newMappedRecordBuffer(m))
	mapped.mapped = m // so that nextBatch reads it as a mapped capture does
	if diff := cmp.Diff(want, describeBatches(mapped, 3)); diff != "" {
		t.Fatalf("mapped in batches differs from buffered (-buffered +batches):\n%s", diff)
	}
}

// FuzzPcapReader mutates classic pcap files. Literal seeds: each magic in
// each byte order with a few records, an old 2.2 header, and a record with
// a huge caplen under a huge snaplen.
func FuzzPcapReader(f *testing.F) {
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, magic := range []uint32{pcapMagicMicro, pcapMagicNano, pcapMagicModified} {
			f.Add(newPcapFile(order, magic, 65535, 1).
				add(testPacket{sec: 1, frac: 2, data: payloadB}).
				add(testPacket{sec: 3, frac: 4, data: payloadA, wireLen: 1514}).buf)
		}
	}
	old := newPcapFile(binary.LittleEndian, pcapMagicMicro, 96, 1).add(testPacket{sec: 1, data: payloadB}).buf
	binary.LittleEndian.PutUint16(old[6:], 2)
	f.Add(old)
	f.Add(newPcapFile(binary.BigEndian, pcapMagicMicro, 0xffffffff, 0).add(testPacket{data: payloadC, wireLen: 0xfffffff0}).buf)
	addCorpusSeeds(f, func(magic uint32) bool { _, ok := pcapOrder(magic); return ok })

	f.Fuzz(func(t *testing.T, data []byte) {
		open := func(records recordBuffer) *captureSource {
			pcap, err := newPcapReader("fuzz", records)
			return &captureSource{frames: pcap, input: &countingReader{}, err: err}
		}
		checkSource(t, open(fuzzRecords(data)), len(data))
		checkMappedAgrees(t, data, open)
	})
}

// FuzzPcapngReader mutates pcapng files. Literal seeds: the two-section,
// three-interface file of the tests (every packet block type, skipped
// blocks, time options) and a one-packet big-endian file.
func FuzzPcapngReader(f *testing.F) {
	f.Add(multiSectionFile().buf)
	f.Add(newPcapngFile().section(binary.BigEndian).iface(linkEthernet, 0).epb(0, 1, payloadB, 11).buf)
	addCorpusSeeds(f, func(magic uint32) bool { return magic == blockSectionHeader })

	f.Fuzz(func(t *testing.T, data []byte) {
		open := func(records recordBuffer) *captureSource {
			return &captureSource{frames: newPcapngReader("fuzz", records), input: &countingReader{}}
		}
		checkSource(t, open(fuzzRecords(data)), len(data))
		checkMappedAgrees(t, data, open)
	})
}

// FuzzOpen feeds arbitrary bytes to NewReader, which sniffs compression and
// format. Literal seeds: each compressed variant of a small pcapng file,
// a plain pcap file and a few foreign headers.
func FuzzOpen(f *testing.F) {
	plain := newPcapngFile().section(binary.LittleEndian).iface(linkEthernet, 0).epb(0, 1, payloadB, 11).buf
	f.Add(plain)
	f.Add(newPcapFile(binary.LittleEndian, pcapMagicNano, 65535, 1).add(testPacket{sec: 1, data: payloadB}).buf)
	for _, c := range compressors {
		if c.name == "gzip" || c.name == "zstd" || c.name == "xz" { // no external tools while fuzzing
			f.Add(c.compress(f, plain))
		}
	}
	f.Add([]byte("%PDF-1.4\n"))
	f.Add([]byte{})
	addCorpusSeeds(f, func(uint32) bool { return true })

	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := NewReader("fuzz", bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotCapture) {
				t.Fatalf("NewReader error %v does not wrap ErrNotCapture", err)
			}
			return
		}
		checkSource(t, src, 1<<30) // decompression may multiply the frames
	})
}
