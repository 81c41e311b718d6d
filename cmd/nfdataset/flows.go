package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages"
)

func init() {
	register("flows", "meter captures into flows on stdout or a file (NFStreamer on the command line)", runFlows)
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

type flowsOptions struct {
	decodeTunnels       bool
	linuxSLL2           bool
	ppi                 bool
	bpfFilter           string
	snapshotLength      int64
	idleTimeout         int64
	activeTimeout       int64
	accountingMode      int64
	nDissections        int64
	statisticalAnalysis bool
	spltAnalysis        int64
	maxNFlows           int64
	nMeters             int64
	format              string
	frameRows           int
	output              string
	strict              bool
	plugins             multiFlag
	cpuProfile          string
	promiscuous         bool
	socketBufferSize    int64
	fanout              bool
	duration            time.Duration
	maxPackets          uint64
	performanceReport   int64
	reportJSON          string
	live                bool
	systemVisibility    int64
	systemPollMs        int64
	systemMatch         string
	sources             []string
	anonymize           anonFlags
	liveOpts            liveFlags
}

func flowsFlags(o *flowsOptions, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("flows", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nfdataset flows [flags] SOURCE...\n\nSOURCE is a pcap/pcapng file (optionally gzip, zstd, xz or bzip2 compressed), - for standard input,\nor a network interface (live capture, Linux); several files are read one after another\nas one capture.\n\nflags:")
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.decodeTunnels, "decode-tunnels", true, "decode GTP-U, CAPWAP and TZSP tunnels (adds tunnel_id)")
	fs.StringVar(&o.bpfFilter, "bpf-filter", "", "BPF filter expression applied before metering")
	fs.Int64Var(&o.snapshotLength, "snapshot-length", 1536, "snapshot length (live capture only)")
	fs.Int64Var(&o.idleTimeout, "idle-timeout", 120, "idle timeout, seconds")
	fs.Int64Var(&o.activeTimeout, "active-timeout", 1800, "active timeout, seconds")
	fs.Int64Var(&o.accountingMode, "accounting-mode", 0, "packet size: 0 link layer, 1 IP, 2 transport, 3 payload")
	fs.Int64Var(&o.nDissections, "n-dissections", 20, "packets inspected by DPI per flow (0 disables the DPI columns), 0…255")
	fs.BoolVar(&o.statisticalAnalysis, "statistical-analysis", false, "add the 48 statistical columns")
	fs.Int64Var(&o.spltAnalysis, "splt-analysis", 0, "add the first N packets' direction, size and gap (0 disables), 0…65535")
	fs.Int64Var(&o.maxNFlows, "max-nflows", 0, "stop after this many flows (0: unlimited)")
	fs.Int64Var(&o.nMeters, "n-meters", 0, "metering workers (0: one per core); the output is the same for any value")
	fs.StringVar(&o.format, "format", "", "output format: csv, jsonl, parquet or frames (Arrow buffers for the Python package); default: from the -o extension (.csv, .jsonl, .parquet), else csv")
	fs.IntVar(&o.frameRows, "frame-rows", 0, "records per batch of the frames format (0: 4096); the Python package uses it")
	fs.StringVar(&o.output, "o", "-", "output file (- for standard output)")
	fs.BoolVar(&o.strict, "strict", false, "fail (exit 1) on a truncated or corrupt capture, or on frames of a link type not decoded, instead of warning")
	fs.BoolVar(&o.linuxSLL2, "linux-sll2", false, "decode Linux cooked v2 frames (NFStream ignores them)")
	fs.BoolVar(&o.ppi, "ppi", false, "decode PPI frames, DLT 192, with Ethernet or 802.11 inside (NFStream ignores them)")
	fs.BoolVar(&o.promiscuous, "promiscuous-mode", true, "live capture: put the interface in promiscuous mode")
	fs.Int64Var(&o.socketBufferSize, "socket-buffer-size", 0, "live capture: capture buffer in bytes (0: default), 0…2147483647")
	fs.BoolVar(&o.fanout, "fanout", false, "live capture: several sockets in one PACKET_FANOUT group spread by flow hash, one per meter (--n-meters; with 0 or 1, one per core); as [[input]] fanout = true")
	fs.DurationVar(&o.duration, "duration", 0, "live capture: stop after this long, e.g. 30s (0: until interrupted)")
	fs.Uint64Var(&o.maxPackets, "packets", 0, "live capture: stop after this many frames (0: no limit)")
	fs.Int64Var(&o.performanceReport, "performance-report", 0, "live capture: print NFStream's performance report every S seconds on stderr (0: none)")
	fs.StringVar(&o.reportJSON, "report-json", "", "live capture: also write the performance reports to this file as JSON lines")
	fs.Int64Var(&o.systemVisibility, "system-visibility-mode", 0, "1: add system_process_pid/system_process_name (live capture; for one file it is reset to 0)")
	fs.Int64Var(&o.systemPollMs, "system-visibility-poll-ms", 100, "process table poll interval, ms")
	fs.StringVar(&o.systemMatch, "system-visibility-match", "nfstream", "how flows match sockets: nfstream (ports, protocol and 2-character address prefixes, NFStream's key) or exact")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) to this file")
	o.anonymize.register(fs)
	o.liveOpts.register(fs)
	fs.Var(&o.plugins, "plugin", "add a plugin: NAME or NAME:key=value,key=value (repeatable)")
	return fs
}

// parseInterspersed lets flags follow sources, as users type them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// validate refuses parameters NFStream refuses (§1 of the reference).
func (o *flowsOptions) validate() error {
	switch {
	case o.snapshotLength <= 0:
		return usagef("invalid --snapshot-length %d: must be > 0", o.snapshotLength)
	case o.idleTimeout < 0 || uint64(o.idleTimeout) > (1<<64-1)/1000:
		return usagef("invalid --idle-timeout %d: must be ≥ 0 seconds", o.idleTimeout)
	case o.activeTimeout < 0 || uint64(o.activeTimeout) > (1<<64-1)/1000:
		return usagef("invalid --active-timeout %d: must be ≥ 0 seconds", o.activeTimeout)
	case o.accountingMode < 0 || o.accountingMode > 3:
		return usagef("invalid --accounting-mode %d: must be 0, 1, 2 or 3", o.accountingMode)
	case o.nDissections < 0 || o.nDissections > 255:
		return usagef("invalid --n-dissections %d: must be in 0…255", o.nDissections)
	case o.spltAnalysis < 0 || o.spltAnalysis > 65535:
		return usagef("invalid --splt-analysis %d: must be in 0…65535", o.spltAnalysis)
	case o.nMeters < 0:
		return usagef("invalid --n-meters %d: must be ≥ 0", o.nMeters)
	case o.maxNFlows < 0:
		return usagef("invalid --max-nflows %d: must be ≥ 0", o.maxNFlows)
	case o.performanceReport < 0:
		return usagef("invalid --performance-report %d: must be ≥ 0 seconds", o.performanceReport)
	}
	if len(o.sources) == 0 {
		return usagef("no SOURCE given (a capture file, several files, or - for standard input)")
	}
	if o.systemVisibility != 0 && o.systemVisibility != 1 {
		return usagef("invalid --system-visibility-mode %d: must be 0 or 1", o.systemVisibility)
	}
	if o.systemPollMs < 0 {
		return usagef("invalid --system-visibility-poll-ms %d: must be ≥ 0", o.systemPollMs)
	}
	if o.systemMatch != "nfstream" && o.systemMatch != "exact" {
		return usagef("invalid --system-visibility-match %q: nfstream or exact", o.systemMatch)
	}
	if o.socketBufferSize < 0 || o.socketBufferSize > 1<<31-1 {
		return usagef("invalid --socket-buffer-size %d: must be in 0…2147483647", o.socketBufferSize)
	}
	for _, s := range o.sources {
		if s == "-" {
			continue
		}
		if err := refuseOutputIsInput(o.output, s); err != nil {
			return err
		}
		st, err := os.Stat(s)
		if errors.Is(err, fs.ErrNotExist) && stages.IsInterface(s) {
			if len(o.sources) > 1 {
				return usagef("invalid source %q: an interface must be the only source", s)
			}
			o.live = true
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			return usagef("invalid source %q: no such file or interface", s)
		}
		if err == nil && st.IsDir() {
			return usagef("invalid source %q: is a directory", s)
		}
	}
	if o.fanout && !o.live {
		return usagef("--fanout is for live capture: %q is not an interface", o.sources[0])
	}
	if err := o.resolveFormat(); err != nil {
		return err
	}
	return o.liveOpts.validate(o)
}

// featureRequests maps NFStreamer's switches onto feature sets.
func (o *flowsOptions) featureRequests() ([]features.Request, error) {
	reqs := []features.Request{{Name: "base"}}
	if o.statisticalAnalysis {
		reqs = append(reqs, features.Request{Name: "stats"})
	}
	if o.spltAnalysis > 0 {
		reqs = append(reqs, features.Request{Name: "splt", Options: features.Options{"n": o.spltAnalysis}})
	}
	if o.nDissections > 0 {
		reqs = append(reqs, features.Request{Name: "dpi", Options: features.Options{"n_dissections": o.nDissections}})
	}
	for _, p := range o.plugins {
		r, err := parsePlugin(p)
		if err != nil {
			return nil, usageError{err}
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

func (o *flowsOptions) streamer() stages.Streamer {
	return stages.Streamer{
		DecodeTunnels:    o.decodeTunnels,
		LinuxSLL2:        o.linuxSLL2,
		PPI:              o.ppi,
		IdleTimeoutSec:   uint64(o.idleTimeout),
		ActiveTimeoutSec: uint64(o.activeTimeout),
		AccountingMode:   int(o.accountingMode),
		MaxFlows:         o.maxNFlows,
		NMeters:          int(o.nMeters),
	}
}

func runFlows(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o flowsOptions
	fset := flowsFlags(&o, stderr)
	srcs, err := parseInterspersed(fset, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		suggestFlag(fset, err, stderr)
		return usageError{errSilent} // flag already printed the problem
	}
	o.sources = srcs
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	if err := o.validate(); err != nil {
		return err
	}
	if err := o.anonymize.prepare(); err != nil {
		return err
	}
	if usesPyBridge(o.plugins) {
		registerPyBridge()
	}
	reqs, err := o.featureRequests()
	if err != nil {
		return err
	}
	st := o.streamer()
	st.MaxActiveFlows = o.liveOpts.flowLimit(o.live, reqs)
	ext, err := features.NewExtractor(reqs, st.Env())
	if err != nil {
		return usageError{err}
	}
	if usesPyBridge(o.plugins) {
		bindPyBridge(ext)
	}
	var filter stages.Matcher
	if o.bpfFilter != "" {
		if filter, err = compileFilter(o.bpfFilter); err != nil {
			return usagef("invalid --bpf-filter: %v", err)
		}
	}
	var src stages.Source
	if o.live {
		cfg := stages.LiveConfig{
			SnapLen:      int(o.snapshotLength),
			Promiscuous:  o.promiscuous,
			BufferSize:   int(o.socketBufferSize),
			ReadTimeout:  time.Second,
			Duration:     o.duration,
			MaxPackets:   o.maxPackets,
			Context:      ctx,
			Tick:         pipeline.LiveTick,
			KernelFilter: kernelFilter(filter),
		}
		if o.fanout {
			cfg.Fanout = pipeline.FanoutSockets(o.nMeters)
		}
		src, err = stages.OpenLive(o.sources[0], cfg)
		if err != nil {
			err = pipeline.LiveError(o.sources[0], err)
		}
	} else {
		src, err = stages.OpenFilesContext(ctx, o.sources)
		if err == nil {
			src = stages.Prefetch(src)
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return usageError{err}
		}
		return err
	}
	defer src.Close()

	schema := ext.Schema()
	var transform func(features.View) (features.Record, error)
	if o.systemVisibility == 1 {
		if !o.live && len(o.sources) == 1 {
			// NFStream resets the mode for a single file; a list of files
			// keeps the two columns with their defaults.
			fmt.Fprintln(stderr, "nfdataset flows: warning: --system-visibility-mode 1 needs a live interface; reset to 0")
		} else {
			mode := stages.MatchNFStream
			if o.systemMatch == "exact" {
				mode = stages.MatchExact
			}
			var table *stages.ProcessTable
			if o.live {
				pollEvery := time.Duration(o.systemPollMs) * time.Millisecond
				keep := (o.idleTimeout*1000 + 5000) / max(1, o.systemPollMs)
				table = stages.NewProcessTable(mode, keep)
				pctx, stopPoll := context.WithCancel(ctx)
				defer stopPoll()
				go stages.PollProcesses(pctx, table, pollEvery)
			}
			schema = append(append(features.Schema(nil), schema...), stages.SystemColumns...)
			transform = func(v features.View) (features.Record, error) { return table.Annotate(v), nil }
		}
	}
	sink, err := o.newSink()
	if err != nil {
		return err
	}
	if sink, err = o.anonymize.wrap(sink); err != nil {
		return err
	}

	if err := sink.Begin(schema); err != nil {
		sink.Abort()
		return err
	}
	job := &stages.Job{
		NewExtractor: func() (*features.Extractor, error) { return features.NewExtractor(reqs, st.Env()) },
		Source:       src,
		Filter:       filter,
		Streamer:     st,
		Extractor:    ext,
		Sink:         sink,
		Transform:    transform,
		ReuseRecords: true,
		FlushOnTick:  o.live,
		Strict:       o.strict,
		OnWarning: func(err error) {
			var ce *stages.CorruptError
			if errors.As(err, &ce) {
				fmt.Fprintf(stderr, "nfdataset flows: warning: %v (flows read so far are kept)\n", err)
				return
			}
			fmt.Fprintf(stderr, "nfdataset flows: warning: %v\n", err)
		},
	}
	if o.live && (o.performanceReport > 0 || o.reportJSON != "") {
		if err := startFlowsReport(&o, job, src, stderr); err != nil {
			sink.Abort()
			return err
		}
	}
	runCtx := ctx
	if o.live {
		// Ctrl-C is how a live capture ends: the source reports the end of
		// input and the flows still in the table are written, as NFStream
		// does; for files it aborts and leaves no output.
		runCtx = context.WithoutCancel(ctx)
	}
	if _, err := job.Run(runCtx); err != nil {
		sink.Abort()
		return err
	}
	return sink.Close()
}

// startCPUProfile writes a CPU profile (pprof) to path until the returned
// function is called; an empty path profiles nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		pf.Close()
	}, nil
}
