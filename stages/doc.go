// Package stages holds the two ends of a job and the wiring between them:
// sources (classic pcap and pcapng readers, compressed inputs, standard
// input, several files read as one capture; the BPF filter runs here,
// before the meter) and sinks (Parquet, CSV, JSON lines), plus Job, which
// runs source ▸ meter ▸ features ▸ labelers ▸ sink.
//
// An uncompressed capture file of 1 MiB or more is mapped into memory on
// Linux and its records are cut from the mapping on the caller's goroutine
// (other inputs are read, through Prefetch where the caller asks for it). A
// mapped file is read as large as it was when it was opened: to follow a
// capture that is still being written, read it from a pipe.
//
// May import: meter/, features/, labelers/, gopacket pcapgo/afpacket,
// golang.org/x/net/bpf, compression libraries and the standard library.
package stages
