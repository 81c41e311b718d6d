// Package stages holds the two ends of a job and the wiring between them:
// sources (classic pcap and pcapng readers, compressed inputs, standard
// input, several files read as one capture; the BPF filter runs here,
// before the meter) and sinks (Parquet, CSV, JSON lines), plus Job, which
// runs source ▸ meter ▸ features ▸ labelers ▸ sink.
//
// May import: meter/, features/, labelers/, gopacket pcapgo/afpacket,
// golang.org/x/net/bpf, compression libraries and the standard library.
package stages
