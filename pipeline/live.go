package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nfdataset/nfdataset/stages"
	"github.com/nfdataset/nfdataset/stages/bpf"
)

// LiveInput is what an [[input]] with interface = "…" adds: a network
// interface captured live (AF_PACKET) instead of capture files.
type LiveInput struct {
	Interface string
	// Stop conditions; none set means until the build is interrupted
	// (SIGINT/SIGTERM), which finishes the dataset cleanly.
	Duration time.Duration // duration = "10m"
	Packets  uint64        // packets = N: frames captured
	Flows    int64         // flows = N: NFStream's max_nflows for this input
	// Capture keys (NFStreamer's names).
	Promiscuous      bool  // promiscuous_mode
	SnapshotLength   int64 // snapshot_length; 0: [streamer].snapshot_length
	SocketBufferSize int64 // socket_buffer_size, bytes; 0: the default ring
	// PerformanceReport (performance_report) prints the report every so
	// many seconds on stderr; 0: none.
	PerformanceReport int64
	// Fanout (fanout = true) captures with several sockets in one
	// PACKET_FANOUT group, one per meter (FanoutSockets).
	Fanout bool
}

// LiveTick is how often a live input's meter checks idle and active
// timeouts when no packet arrives: a flow on a quiet link comes out at
// most idle_timeout + LiveTick after its last packet.
const LiveTick = time.Second

// decodeLive reads the live keys of an [[input]] table. A table without
// interface may not use them.
func decodeLive(t *table, in *Input) {
	iface := t.str("interface", "")
	liveKeys := []string{"duration", "packets", "flows", "promiscuous_mode", "snapshot_length", "socket_buffer_size", "performance_report", "fanout"}
	if iface == "" {
		for _, k := range liveKeys {
			if _, ok := t.get(k); ok {
				t.d.errorf(t.key(k), "only for a live input (interface = \"…\")")
			}
		}
		return
	}
	l := &LiveInput{Interface: iface, Promiscuous: true}
	if s := t.str("duration", ""); s != "" {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			t.d.errorf(t.key("duration"), "want a Go duration such as \"10m\" or \"1h30m\", got %q", s)
		case d <= 0:
			t.d.errorf(t.key("duration"), "must be positive, got %q", s)
		}
		l.Duration = d
	}
	l.Packets = uint64(t.integer("packets", 0, 1, math.MaxInt64))
	l.Flows = t.integer("flows", 0, 1, math.MaxInt64)
	l.Promiscuous = t.boolean("promiscuous_mode", true)
	l.SnapshotLength = t.integer("snapshot_length", 0, 1, math.MaxInt32)
	l.SocketBufferSize = t.integer("socket_buffer_size", 0, 0, math.MaxInt32)
	l.PerformanceReport = t.integer("performance_report", 0, 0, math.MaxInt32)
	l.Fanout = t.boolean("fanout", false)
	if in.Path != "" || len(in.Files) > 0 {
		t.d.errorf(t.key("interface"), "give interface or path/files, not both")
	}
	if in.SHA256 != "" {
		t.d.errorf(t.key("sha256"), "pins a file: not for a live input")
	}
	if in.DedupWindow > 0 || in.Reorder {
		t.d.errorf(t.key("interface"), "dedup_window and reorder are for capture files")
	}
	in.Live = l
}

// describe says in one line what a live input will do, for validate and
// plan.
func (l *LiveInput) describe(st StreamerParams) string {
	stop := "until interrupted (SIGINT/SIGTERM)"
	var conds []string
	if l.Duration > 0 {
		conds = append(conds, "after "+l.Duration.String())
	}
	if l.Packets > 0 {
		conds = append(conds, fmt.Sprintf("after %d packets", l.Packets))
	}
	if l.Flows > 0 {
		conds = append(conds, fmt.Sprintf("after %d flows", l.Flows))
	}
	if len(conds) > 0 {
		stop = conds[0]
		for _, c := range conds[1:] {
			stop += " or " + c
		}
		if len(conds) > 1 {
			stop += ", whichever comes first,"
		}
		stop += " or when interrupted"
	}
	promisc := "promiscuous"
	if !l.Promiscuous {
		promisc = "not promiscuous"
	}
	filter := "no filter"
	if st.BPFFilter != "" {
		filter = fmt.Sprintf("filter %q", st.BPFFilter)
		if f, err := bpf.Compile(st.BPFFilter); err == nil {
			if _, err := f.Kernel(1); err == nil {
				filter += " in the kernel"
			} else {
				filter += " in user space"
			}
		}
	}
	buf := "default ring"
	if l.SocketBufferSize > 0 {
		buf = fmt.Sprintf("%d-byte ring", l.SocketBufferSize)
	}
	if l.Fanout {
		buf += fmt.Sprintf(", fanout over %d sockets (flow hash)", FanoutSockets(st.NMeters))
	}
	report := ""
	if l.PerformanceReport > 0 {
		report = fmt.Sprintf("; performance report every %ds", l.PerformanceReport)
	}
	return fmt.Sprintf("live capture on %s (AF_PACKET, %s, snapshot %d bytes, %s, %s); stops %s; timeouts also checked every %s without packets%s; never cached",
		l.Interface, promisc, l.snapLen(st), buf, filter, stop, LiveTick, report)
}

func (l *LiveInput) snapLen(st StreamerParams) int64 {
	if l.SnapshotLength > 0 {
		return l.SnapshotLength
	}
	return st.SnapshotLength
}

// openLive starts the capture of a live job; the end of stop ends it
// cleanly (the source reports the end of input).
func openLive(stop context.Context, l *LiveInput, st StreamerParams) (stages.Source, error) {
	cfg := stages.LiveConfig{
		SnapLen:     int(l.snapLen(st)),
		Promiscuous: l.Promiscuous,
		BufferSize:  int(l.SocketBufferSize),
		ReadTimeout: LiveTick,
		Tick:        LiveTick,
		Duration:    l.Duration,
		MaxPackets:  l.Packets,
		Context:     stop,
	}
	if l.Fanout {
		cfg.Fanout = FanoutSockets(st.NMeters)
	}
	if st.BPFFilter != "" {
		f, err := bpf.Compile(st.BPFFilter)
		if err != nil {
			return nil, err
		}
		cfg.KernelFilter = KernelFilter(f)
	}
	return stages.OpenLive(l.Interface, cfg)
}

// FanoutSockets is how many sockets fanout = true opens: one per meter
// (n_meters), or with n_meters 0 or 1 one per core, at least two.
func FanoutSockets(nMeters int64) int {
	if nMeters > 1 {
		return int(nMeters)
	}
	return max(2, runtime.NumCPU())
}

// KernelFilter adapts a compiled filter to stages.LiveConfig.KernelFilter:
// the classic BPF program for the interface's link type, or none (user
// space only) where the filter cannot run in the kernel.
func KernelFilter(f *bpf.Filter) func(linkType uint32) ([]stages.KernelInsn, error) {
	return func(link uint32) ([]stages.KernelInsn, error) {
		prog, err := f.Kernel(link)
		if errors.Is(err, bpf.ErrNotKernel) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out := make([]stages.KernelInsn, len(prog))
		for i, in := range prog {
			out[i] = stages.KernelInsn{Op: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
		}
		return out, nil
	}
}

// checkInterface reports an interface this host does not have, listing
// the ones it has.
func checkInterface(name string) error {
	if stages.IsInterface(name) {
		return nil
	}
	ifs, _ := net.Interfaces()
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	return fmt.Errorf("no network interface %q on this host (available: %s)", name, strings.Join(names, ", "))
}

// LiveStats is what dataset.json records of a live input's capture.
type LiveStats struct {
	Interface string `json:"interface"`
	Started   string `json:"started"` // RFC 3339, UTC
	Ended     string `json:"ended"`
	// EndedBy is why the capture ended: duration, packets, flows, stopped
	// (SIGINT/SIGTERM) or what happened to the interface.
	EndedBy string `json:"ended_by"`
	// Received and KernelDropped are the socket's counters (frames the
	// kernel queued to the capture ring, and frames it dropped because
	// the ring was full); InterfaceDropped is the growth of the device's
	// rx_dropped counter during the capture.
	Received         uint64 `json:"received"`
	KernelDropped    uint64 `json:"kernel_dropped"`
	InterfaceDropped uint64 `json:"interface_dropped"`
	// FanoutSockets is the number of sockets of a fanout = true capture.
	FanoutSockets int `json:"fanout_sockets,omitempty"`
}

// liveRun is one live job's capture.
type liveRun struct {
	iface   string
	src     stages.Source
	started time.Time
	rxDrop0 uint64
}

func startLive(stop context.Context, l *LiveInput, st StreamerParams) (*liveRun, error) {
	r := &liveRun{iface: l.Interface, rxDrop0: rxDropped(l.Interface)}
	src, err := openLive(stop, l, st)
	if err != nil {
		return nil, LiveError(l.Interface, err)
	}
	r.src, r.started = src, time.Now()
	return r, nil
}

// stats collects the counters once the job has ended.
func (r *liveRun) stats(res stages.Result, maxFlows int64) *LiveStats {
	s := &LiveStats{Interface: r.iface, Started: r.started.UTC().Format(time.RFC3339Nano), Ended: time.Now().UTC().Format(time.RFC3339Nano)}
	if ls, ok := r.src.(stages.LiveStats); ok {
		s.Received, s.KernelDropped = ls.Stats()
		s.EndedBy = ls.EndReason()
	}
	if maxFlows > 0 && res.Flows >= maxFlows {
		s.EndedBy = "flows"
	}
	if fs, ok := r.src.(interface{ Sockets() int }); ok {
		s.FanoutSockets = fs.Sockets()
	}
	if d := rxDropped(r.iface); d >= r.rxDrop0 {
		s.InterfaceDropped = d - r.rxDrop0
	}
	return s
}

// rxDropped reads the device's receive-drop counter (0 when unknown).
func rxDropped(iface string) uint64 {
	b, err := os.ReadFile("/sys/class/net/" + iface + "/statistics/rx_dropped")
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// LiveError turns the errors people meet when they start a capture into
// ones that say what to do.
func LiveError(iface string, err error) error {
	switch {
	case errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES):
		exe, _ := os.Executable()
		if exe == "" {
			exe = "nfdataset"
		}
		return fmt.Errorf("live capture on %s needs the CAP_NET_RAW capability (run as root, or once: sudo setcap cap_net_raw,cap_net_admin=eip %s): %w", iface, exe, err)
	case errors.Is(err, stages.ErrLiveUnsupported):
		return err
	}
	return err
}

// LiveDescription says what a live input will do ("" for capture files),
// for validate and plan.
func (m *Manifest) LiveDescription(in *Input) string {
	if in.Live == nil {
		return ""
	}
	d := in.Live.describe(m.Streamer)
	if lim := m.Streamer.describeLimit(true, m.Features.Requests); lim != "" {
		d += "; " + lim
	}
	return d
}

// decodeRotateInterval reads [output].rotate_interval, which only a
// dataset with a live input may set: a file dataset is cut by rows alone,
// so that its bytes never depend on how fast it was built.
func decodeRotateInterval(t *table, inputs []Input) time.Duration {
	s := t.str("rotate_interval", "")
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.d.errorf(t.key("rotate_interval"), "want a positive Go duration such as \"10m\" or \"1h\", got %q", s)
		return 0
	}
	for _, in := range inputs {
		if in.Live != nil {
			return d
		}
	}
	t.d.errorf(t.key("rotate_interval"), "needs a live input (interface = \"…\"): datasets from files are cut by rows_per_file only")
	return 0
}

// PerfReport is one performance report: NFStreamer's performance_report
// fields, plus the interface's own drops.
type PerfReport struct {
	Input                          string   `json:"input,omitempty"`
	Time                           string   `json:"time"`
	FlowsExpired                   int64    `json:"flows_expired"`
	FlowsEvicted                   uint64   `json:"flows_evicted"`
	PacketsProcessed               uint64   `json:"packets_processed"`
	PacketsIgnored                 uint64   `json:"packets_ignored"`
	PacketsDroppedFilteredByKernel uint64   `json:"packets_dropped_filtered_by_kernel"`
	PacketsDroppedByInterface      uint64   `json:"packets_dropped_by_interface"`
	MetersPacketsProcessingBalance []uint64 `json:"meters_packets_processing_balance"`
}

// Reporter prints a live job's performance report every Every: one JSON
// object per line on Text (NFStream prints the same object) and on JSON.
// Either writer may be nil. Its OnTick goes in stages.Job.OnTick, so the
// report comes at the first tick at or after each period.
type Reporter struct {
	Input string
	Every time.Duration
	Text  io.Writer
	JSON  io.Writer

	src   stages.Source
	iface string
	rx0   uint64
	last  time.Time
	Err   error // the first write error to JSON
}

// NewReporter reports on src, a live capture of iface.
func NewReporter(input, iface string, src stages.Source, every time.Duration, text, jsonl io.Writer) *Reporter {
	if every <= 0 {
		every = LiveTick
	}
	return &Reporter{Input: input, Every: every, Text: text, JSON: jsonl, src: src, iface: iface, rx0: rxDropped(iface), last: time.Now()}
}

// OnTick reports when a period is over.
func (r *Reporter) OnTick(ts stages.TickStats) {
	if now := time.Now(); now.Sub(r.last) >= r.Every {
		r.last = now
		r.Write(ts)
	}
}

// Write reports ts now.
func (r *Reporter) Write(ts stages.TickStats) {
	rep := PerfReport{Input: r.Input, Time: time.Now().UTC().Format(time.RFC3339Nano), FlowsExpired: ts.Flows, FlowsEvicted: ts.Evicted,
		PacketsProcessed: ts.Processed, PacketsIgnored: ts.Ignored, MetersPacketsProcessingBalance: ts.Balance}
	if ls, ok := r.src.(stages.LiveStats); ok {
		_, rep.PacketsDroppedFilteredByKernel = ls.Stats()
	}
	if d := rxDropped(r.iface); d >= r.rx0 {
		rep.PacketsDroppedByInterface = d - r.rx0
	}
	b, _ := json.Marshal(rep)
	b = append(b, '\n')
	if r.Text != nil {
		r.Text.Write(b)
	}
	if r.JSON != nil {
		if _, err := r.JSON.Write(b); err != nil && r.Err == nil {
			r.Err = err
		}
	}
}

// LiveProgress is what build's progress line shows of a running capture,
// as of its last tick.
type LiveProgress struct {
	Interface string
	Packets   uint64 // frames captured
	Dropped   uint64 // by the kernel (full ring) and by the interface
	Flows     int64  // flows emitted
	Evicted   uint64 // flows that left a full table
	Since     time.Time
}

// liveTicker returns a live job's OnTick: it updates the progress line's
// counters and passes the tick on to the performance report, if any.
func (p *Progress) liveTicker(iface string, run *liveRun, rep *Reporter) func(stages.TickStats) {
	return func(ts stages.TickStats) {
		lp := &LiveProgress{Interface: iface, Packets: ts.Frames, Flows: ts.Flows, Evicted: ts.Evicted, Since: run.started}
		if ls, ok := run.src.(stages.LiveStats); ok {
			_, lp.Dropped = ls.Stats()
		}
		if d := rxDropped(iface); d >= run.rxDrop0 {
			lp.Dropped += d - run.rxDrop0
		}
		if p != nil {
			p.live.Store(lp)
		}
		if rep != nil {
			rep.OnTick(ts)
		}
	}
}
