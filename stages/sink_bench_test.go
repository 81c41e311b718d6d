package stages

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nfdataset/nfdataset/features"
)

// benchSchema has NFStream's 89 columns with every feature on (spec §5.4):
// 13 strings, 12 floats, 3 lists of 10 and 61 ints.
func benchSchema() features.Schema {
	var schema features.Schema
	add := func(kind features.Kind, names ...string) {
		for _, n := range names {
			schema = append(schema, features.Column{Name: n, Kind: kind, Nullable: kind == features.String})
		}
	}
	add(features.Int, "id", "expiration_id")
	add(features.String, "src_ip", "src_mac", "src_oui")
	add(features.Int, "src_port")
	add(features.String, "dst_ip", "dst_mac", "dst_oui")
	add(features.Int, "dst_port", "protocol", "ip_version", "vlan_id", "tunnel_id")
	for _, scope := range []string{"bidirectional", "src2dst", "dst2src"} {
		add(features.Int, scope+"_first_seen_ms", scope+"_last_seen_ms", scope+"_duration_ms", scope+"_packets", scope+"_bytes")
	}
	for _, metric := range []string{"ps", "piat_ms"} {
		for _, scope := range []string{"bidirectional", "src2dst", "dst2src"} {
			add(features.Int, scope+"_min_"+metric)
			add(features.Float, scope+"_mean_"+metric, scope+"_stddev_"+metric)
			add(features.Int, scope+"_max_"+metric)
		}
	}
	for _, scope := range []string{"bidirectional", "src2dst", "dst2src"} {
		for _, flag := range []string{"syn", "cwr", "ece", "urg", "ack", "psh", "rst", "fin"} {
			add(features.Int, scope+"_"+flag+"_packets")
		}
	}
	add(features.IntList, "splt_direction", "splt_ps", "splt_piat_ms")
	add(features.String, "application_name", "application_category_name")
	add(features.Int, "application_is_guessed", "application_confidence")
	add(features.String, "requested_server_name", "client_fingerprint", "server_fingerprint", "user_agent", "content_type")
	return schema
}

// benchRecords returns n varied records for schema: addresses from a pool of
// a few hundred (as on a real network), fresh floats, lists of 10.
func benchRecords(schema features.Schema, n int) []features.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	records := make([]features.Record, n)
	for r := range records {
		rec := make(features.Record, len(schema))
		for i, col := range schema {
			switch col.Kind {
			case features.Int:
				rec[i] = features.IntValue(rng.Int64N(1 << 40))
			case features.Float:
				rec[i] = features.FloatValue(float64(rng.IntN(1500)) / float64(1+rng.IntN(40)))
			case features.IntList:
				list := make([]int64, 10)
				for j := range list {
					list[j] = rng.Int64N(1500) - 1
				}
				rec[i] = features.ListValue(list)
			case features.String:
				if rng.IntN(4) == 0 {
					rec[i] = features.StringValue("") // null when Nullable
				} else {
					rec[i] = features.StringValue(fmt.Sprintf("%s-10.0.%d.%d", col.Name[:3], rng.IntN(4), rng.IntN(200)))
				}
			}
		}
		records[r] = rec
	}
	return records
}

// benchmarkSink writes 100k records of 89 columns per iteration to
// /dev/null, so the numbers are the sinks' CPU cost, not the disk's. The
// file size per record comes from one run to a real file.
func benchmarkSink(b *testing.B, format string, opts SinkOptions) {
	const rows = 100_000
	schema := benchSchema()
	pool := benchRecords(schema, 1000)
	write := func(path string) {
		sink, err := NewSink(format, path, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := sink.Begin(schema); err != nil {
			b.Fatal(err)
		}
		x := uint64(88172645463325252) // xorshift state: same numbers every run
		for i := range rows {
			rec := pool[i%len(pool)]
			rec[0] = features.IntValue(int64(i))
			// Fresh numbers in every record, so that compressed sizes are
			// not flattered by the pool repeating; small, like real counters.
			for j := 1; j < len(rec); j++ {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				switch schema[j].Kind {
				case features.Int:
					rec[j] = features.IntValue(int64(x & 0xfff))
				case features.Float:
					rec[j] = features.FloatValue(float64(x&0xfffff) / 1013)
				}
			}
			if err := sink.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := sink.Close(); err != nil {
			b.Fatal(err)
		}
	}
	sizePath := filepath.Join(b.TempDir(), "size")
	write(sizePath)
	info, err := os.Stat(sizePath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpuBefore := processCPUTime(b)
	for b.Loop() {
		write(os.DevNull)
	}
	// CPU time as well as wall time: on a shared, busy machine the wall
	// clock mostly measures the neighbours.
	cpu := processCPUTime(b) - cpuBefore
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/record")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*rows), "cpu-ns/record")
	b.ReportMetric(float64(info.Size())/rows, "bytes/record")
}

// processCPUTime is the user and system time used by this process so far.
func processCPUTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkCSVSink(b *testing.B)         { benchmarkSink(b, "csv", SinkOptions{}) }
func BenchmarkJSONLinesSink(b *testing.B)   { benchmarkSink(b, "jsonl", SinkOptions{}) }
func BenchmarkParquetSinkZstd(b *testing.B) { benchmarkSink(b, "parquet", SinkOptions{}) }
func BenchmarkParquetSinkSnappy(b *testing.B) {
	benchmarkSink(b, "parquet", SinkOptions{Compression: "snappy"})
}
func BenchmarkParquetSinkNone(b *testing.B) {
	benchmarkSink(b, "parquet", SinkOptions{Compression: "none"})
}

// Writing a record allocates nothing once buffers have grown (AllocsPerRun
// rounds down, so parquet-go's occasional page buffer does not count).
func TestSinkWriteAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	schema := benchSchema()
	pool := benchRecords(schema, 100)
	for _, format := range SinkFormats() {
		t.Run(format, func(t *testing.T) {
			sink, err := NewSink(format, os.DevNull, SinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Abort()
			if err := sink.Begin(schema); err != nil {
				t.Fatal(err)
			}
			i := 0
			write := func() {
				if err := sink.Write(pool[i%len(pool)]); err != nil {
					t.Fatal(err)
				}
				i++
			}
			for range 1000 { // let buffers reach their working size
				write()
			}
			if got := testing.AllocsPerRun(5000, write); got != 0 {
				t.Errorf("%v allocations per record, want 0", got)
			}
		})
	}
}
