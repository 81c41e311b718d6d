package features

import (
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"github.com/nfdataset/nfdataset/meter"
)

// benchFrames builds Ethernet/IPv4/TCP frames of nflows conversations, each
// client packet carrying an HTTP request so that DPI has work to do.
func benchFrames(nflows int) [][]byte {
	payload := []byte("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: bench\r\n\r\n")
	out := make([][]byte, 0, 2*nflows)
	for i := range nflows {
		for dir := range 2 {
			b := make([]byte, 14+20+20+len(payload))
			binary.BigEndian.PutUint16(b[12:], 0x0800)
			ip := b[14:]
			ip[0], ip[8], ip[9] = 0x45, 64, 6
			binary.BigEndian.PutUint16(ip[2:], uint16(40+len(payload)))
			cli, srv := [4]byte{10, 0, byte(i >> 8), byte(i)}, [4]byte{192, 0, 2, 80}
			sp, dp := uint16(1024+i), uint16(80)
			if dir == 1 {
				cli, srv, sp, dp = srv, cli, dp, sp
			}
			copy(ip[12:], cli[:])
			copy(ip[16:], srv[:])
			tcp := ip[20:]
			binary.BigEndian.PutUint16(tcp[0:], sp)
			binary.BigEndian.PutUint16(tcp[2:], dp)
			tcp[12], tcp[13] = 5<<4, 0x18
			copy(tcp[20:], payload)
			out = append(out, b)
		}
	}
	return out
}

// BenchmarkFeatureSet measures each registered set's per-packet cost on top
// of the meter (the "meter only" case is the baseline).
func BenchmarkFeatureSet(b *testing.B) {
	frames := benchFrames(1024)
	names := []string{"meter only"}
	for _, s := range All() {
		names = append(names, s.Name)
	}
	for _, name := range names {
		b.Run(strings.ReplaceAll(name, ".", "_"), func(b *testing.B) {
			var hooks []meter.Hook
			if name != "meter only" {
				ext, err := NewExtractor([]Request{{Name: name}}, Env{DecodeTunnels: true, IdleTimeoutSec: 120, ActiveTimeoutSec: 1800})
				if err != nil {
					b.Skip(err)
				}
				hooks = ext.Hooks()
			}
			m := meter.New(meter.Config{IdleTimeoutMs: 120_000, ActiveTimeoutMs: 1_800_000, Hooks: hooks})
			ts := uint64(1000)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				fr := frames[i%len(frames)]
				i++
				ts++
				m.Process(meter.LinkEthernet, fr, uint32(len(fr)), ts)
			}
		})
	}
}

// BenchmarkFlowMemory reports the live heap per active flow (B/flow) for
// common feature-set combinations: 200k concurrent UDP flows are metered
// and kept in the table. It is a measurement, not a timed test.
func BenchmarkFlowMemory(b *testing.B) {
	for _, sets := range [][]string{{"base"}, {"base", "dpi"}, {"base", "stats", "splt", "dpi"}} {
		b.Run(strings.Join(sets, "+"), func(b *testing.B) {
			var reqs []Request
			for _, s := range sets {
				reqs = append(reqs, Request{Name: s})
			}
			frame := make([]byte, 14+20+8+16)
			binary.BigEndian.PutUint16(frame[12:], 0x0800)
			ip := frame[14:]
			ip[0], ip[8], ip[9] = 0x45, 64, 17
			binary.BigEndian.PutUint16(ip[2:], 44)
			copy(ip[16:], []byte{192, 0, 2, 1})
			binary.BigEndian.PutUint16(ip[22:], 53)
			binary.BigEndian.PutUint16(ip[24:], 24)
			const n = 200_000
			for b.Loop() {
				ext, err := NewExtractor(reqs, Env{DecodeTunnels: true})
				if err != nil {
					b.Fatal(err)
				}
				m := meter.New(meter.Config{IdleTimeoutMs: 1 << 40, ActiveTimeoutMs: 1 << 40, Hooks: ext.Hooks()})
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				before := ms.HeapAlloc
				for i := range n {
					ip[12], ip[13], ip[14], ip[15] = 10, byte(i>>16), byte(i>>8), byte(i)
					binary.BigEndian.PutUint16(ip[20:], uint16(1024+i%60000))
					m.Process(meter.LinkEthernet, frame, uint32(len(frame)), uint64(1000+i/1000))
				}
				runtime.GC()
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapAlloc-before)/float64(m.Active()), "B/flow")
				runtime.KeepAlive(m)
			}
		})
	}
}
