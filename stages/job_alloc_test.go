package stages

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/nfdataset/nfdataset/features"
)

// onePcap writes a classic pcap of n UDP packets of one flow.
func onePcap(n int) []byte {
	var b bytes.Buffer
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	b.Write(hdr)
	frame := make([]byte, 14+20+8+32)
	binary.BigEndian.PutUint16(frame[12:], 0x0800)
	ip := frame[14:]
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(ip[2:], 60)
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	binary.BigEndian.PutUint16(ip[20:], 5000)
	binary.BigEndian.PutUint16(ip[22:], 6000)
	binary.BigEndian.PutUint16(ip[24:], 40)
	rec := make([]byte, 16)
	for i := range n {
		binary.LittleEndian.PutUint32(rec[0:], uint32(1_700_000_000+i/1000))
		binary.LittleEndian.PutUint32(rec[4:], uint32(i%1000)*1000)
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
		b.Write(rec)
		b.Write(frame)
	}
	return b.Bytes()
}

type discardSink struct{}

func (discardSink) Begin(features.Schema) error { return nil }
func (discardSink) Write(features.Record) error { return nil }
func (discardSink) Close() error                { return nil }
func (discardSink) Abort() error                { return nil }

// TestJobAllocationsDoNotGrowWithPackets: a whole job (reader, filter
// loop, meter, stats, sink) allocates per flow and per file, never per
// packet: 10,000 more packets of the same flow add no allocation.
func TestJobAllocationsDoNotGrowWithPackets(t *testing.T) {
	run := func(capture []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			src, err := NewReader("mem", bytes.NewReader(capture))
			if err != nil {
				t.Fatal(err)
			}
			st := DefaultStreamer()
			ext, err := features.NewExtractor([]features.Request{{Name: "base"}, {Name: "stats"}}, st.Env())
			if err != nil {
				t.Fatal(err)
			}
			job := &Job{Source: src, Streamer: st, Extractor: ext, Sink: discardSink{}, ReuseRecords: true}
			if _, err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := run(onePcap(100)), run(onePcap(10_100))
	if perPacket := (large - small) / 10_000; perPacket > 0.001 {
		t.Errorf("%.4f allocations per packet (%.0f for 100 packets, %.0f for 10,100)", perPacket, small, large)
	}
}
