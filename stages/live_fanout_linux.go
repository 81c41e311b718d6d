//go:build linux

package stages

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/sys/unix"
)

// fanoutBatch carries frames from one socket's reader: their bytes are
// copied into arena, because a ring slot is reused once the next frame is
// read. Batches are recycled, so steady capture allocates nothing.
type fanoutBatch struct {
	frames []Frame
	arena  []byte
	from   int // index of the socket, whose free list it returns to
}

const (
	fanoutBatchFrames = 256
	fanoutBatchBytes  = 256 << 10
	// fanoutLinger bounds how long a reader keeps a partly filled batch
	// while frames trickle in, so that a slow link is not held back.
	fanoutLinger = 5 * time.Millisecond
)

// fanoutSource reads a PACKET_FANOUT group of sockets (LiveConfig.Fanout).
// Frames from different sockets interleave in arrival order, which is not
// strictly timestamp order across sockets; the meter's clock never goes
// back, and each flow's frames, all on one socket, keep theirs.
type fanoutSource struct {
	name    string
	socks   []*afpacket.TPacket
	free    []chan *fanoutBatch
	in      chan *fanoutBatch
	cur     *fanoutBatch
	pos     int
	promisc int
	cfg     LiveConfig
	frames  uint64
	bytes   atomic.Int64
	liveStop
	quit    chan struct{}
	wg      sync.WaitGroup
	errMu   sync.Mutex
	readErr error
}

var fanoutGroups atomic.Uint32

func openFanout(name string, ifc *net.Interface, link uint32, cfg LiveConfig) (Source, error) {
	// The group id is per host: two captures must not share a group.
	id := uint16(os.Getpid()) ^ uint16(fanoutGroups.Add(1)<<12)
	s := &fanoutSource{name: name, promisc: -1, cfg: cfg, liveStop: newLiveStop(cfg), quit: make(chan struct{}),
		in: make(chan *fanoutBatch, 4*cfg.Fanout)}
	fail := func(err error) (Source, error) {
		for _, tp := range s.socks {
			tp.Close()
		}
		return nil, err
	}
	// Readers wake this often when idle, to hand on a partly filled batch.
	sockCfg := cfg
	sockCfg.ReadTimeout = fanoutLinger
	for range cfg.Fanout {
		tp, err := openSocket(name, ifc, link, sockCfg)
		if err != nil {
			return fail(err)
		}
		s.socks = append(s.socks, tp)
		if err := tp.SetFanout(afpacket.FanoutHash, id); err != nil {
			return fail(fmt.Errorf("live capture %s: PACKET_FANOUT: %w", name, err))
		}
	}
	var err error
	if s.promisc, err = promiscuous(name, ifc, cfg); err != nil {
		return fail(err)
	}
	for i, tp := range s.socks {
		free := make(chan *fanoutBatch, 4)
		for range cap(free) {
			free <- &fanoutBatch{frames: make([]Frame, 0, fanoutBatchFrames), arena: make([]byte, 0, fanoutBatchBytes), from: i}
		}
		s.free = append(s.free, free)
		s.wg.Add(1)
		go s.read(tp, link, free)
	}
	return s, nil
}

// read drains one socket into batches until the source closes.
func (s *fanoutSource) read(tp *afpacket.TPacket, link uint32, free chan *fanoutBatch) {
	defer s.wg.Done()
	var b *fanoutBatch
	var since time.Time
	send := func() bool {
		select {
		case s.in <- b:
			b = nil
			return true
		case <-s.quit:
			return false
		}
	}
	for {
		if b == nil {
			select {
			case b = <-free:
			case <-s.quit:
				return
			}
		}
		data, ci, err := tp.ZeroCopyReadPacketData()
		if errors.Is(err, afpacket.ErrTimeout) {
			select {
			case <-s.quit:
				return
			default:
			}
			if len(b.frames) > 0 && !send() {
				return
			}
			continue
		}
		if err != nil {
			s.errMu.Lock()
			if s.readErr == nil {
				s.readErr = err
			}
			s.errMu.Unlock()
			return
		}
		if len(data) > s.cfg.SnapLen {
			data = data[:s.cfg.SnapLen]
		}
		if len(b.frames) == 0 {
			since = time.Now()
		}
		off := len(b.arena)
		b.arena = append(b.arena, data...)
		sec, usec := ci.Timestamp.Unix(), int64(ci.Timestamp.Nanosecond()/1000)
		b.frames = append(b.frames, Frame{TimeNs: ci.Timestamp.UnixNano(), TimeMs: uint64(sec)*1000 + uint64(usec)/1000,
			Data: b.arena[off:len(b.arena):len(b.arena)], WireLen: uint32(ci.Length), LinkType: link})
		if len(b.frames) == cap(b.frames) || cap(b.arena)-len(b.arena) < s.cfg.SnapLen || time.Since(since) >= fanoutLinger {
			if !send() {
				return
			}
		}
	}
}

func (s *fanoutSource) Next() (Frame, error) {
	for {
		if fr, ok, err := s.poll(s.cfg.Context, &s.cfg, s.frames); ok {
			return fr, err
		}
		if s.cur != nil && s.pos < len(s.cur.frames) {
			fr := s.cur.frames[s.pos]
			s.pos++
			s.frames++
			s.bytes.Add(int64(len(fr.Data)))
			return fr, nil
		}
		if s.cur != nil {
			// The job is done with the previous frame: its batch goes back.
			s.cur.frames, s.cur.arena = s.cur.frames[:0], s.cur.arena[:0]
			s.free[s.cur.from] <- s.cur
			s.cur = nil
		}
		wait := s.cfg.ReadTimeout
		if s.cfg.Tick > 0 {
			wait = min(wait, time.Until(s.lastTick.Add(s.cfg.Tick)))
		}
		timer := time.NewTimer(max(wait, time.Millisecond))
		select {
		case b := <-s.in:
			s.cur, s.pos = b, 0
		case <-timer.C:
			s.errMu.Lock()
			err := s.readErr
			s.errMu.Unlock()
			if interfaceDown(s.name) {
				s.ended = "interface " + s.name + " went down"
			} else if err != nil {
				s.ended = fmt.Sprintf("capture error on %s: %v", s.name, err)
			}
		}
		timer.Stop()
	}
}

// EndReason says why the capture ended ("" while it runs).
func (s *fanoutSource) EndReason() string { return s.ended }

// BytesRead counts captured bytes, for progress reports.
func (s *fanoutSource) BytesRead() int64 { return s.bytes.Load() }

// Stats sums the sockets' received and dropped counters.
func (s *fanoutSource) Stats() (received, dropped uint64) {
	for _, tp := range s.socks {
		_, v3, err := tp.SocketStats()
		if err == nil {
			received += uint64(v3.Packets())
			dropped += uint64(v3.Drops())
		}
	}
	return received, dropped
}

// Sockets is the number of sockets in the fanout group.
func (s *fanoutSource) Sockets() int { return len(s.socks) }

func (s *fanoutSource) Close() error {
	select {
	case <-s.quit:
		return nil
	default:
	}
	close(s.quit)
	s.wg.Wait() // readers wake within one poll timeout
	for _, tp := range s.socks {
		tp.Close()
	}
	if s.promisc >= 0 {
		unix.Close(s.promisc)
		s.promisc = -1
	}
	return nil
}
