package meter

// Parallel metering keeps NFStream's single-meter emission order exactly.
// A Sequencer owns the flow table's bookkeeping — keys, first/last seen
// times, creation order, the head-of-line idle scan and every expiry
// decision — and numbers emitted flows. It costs a map lookup per packet.
// The expensive part, the flow's counters and its hooks (statistics, DPI,
// plugins), runs in Stores, one per worker; a flow always lives in the
// worker its key hashes to, so its packets are applied in order. Because
// ids are assigned by the one sequencer, merging the workers' records by id
// reproduces the single-meter output byte for byte, whatever the number of
// workers.
//
// Hooks that may force an expiry (ExpireCustom) cannot run in workers: the
// sequencer would learn of the decision too late. Such hook sets must use
// the single Meter (see Passive).

// Passive is implemented by hooks that never set ExpireCustom, so they may
// run in parallel Stores.
type Passive interface {
	PassiveHook()
}

// AllPassive reports whether every hook is Passive.
func AllPassive(hooks []Hook) bool {
	for _, h := range hooks {
		if _, ok := h.(Passive); !ok {
			return false
		}
	}
	return true
}

// Operations of a Command.
const (
	OpCreate uint8 = iota + 1 // start flow Flow with Pkt
	OpUpdate                  // add Pkt to flow Flow
	OpExpire                  // emit flow Flow as record ID with ExpirationID
)

// Command tells a Store what to do with one flow. Pkt.IPPacket points into
// the frame being processed: a caller that queues commands must copy it.
type Command struct {
	Op           uint8
	ExpirationID int8
	Flow         uint64 // the flow's sequence number (creation order)
	ID           int64  // emission id (OpExpire)
	Pkt          Packet
}

type shadow struct {
	key         Key
	seq         uint64
	first, last uint64
	packets     uint32
	worker      int
	prev, next  *shadow
}

// SequencerConfig configures a Sequencer.
type SequencerConfig struct {
	IdleTimeoutMs, ActiveTimeoutMs uint64
	Decode                         DecodeOptions
	Workers                        int
	MaxFlows                       int64 // 0: unlimited; later expiries are dropped
	MaxActive                      int   // Config.MaxActive: the same eviction
	// BytesPackets is how many leading packets of each flow the workers'
	// hooks read the bytes of (see PacketBytes); later commands carry no
	// IPPacket, which spares copying them. Negative: every packet.
	BytesPackets int
}

// PacketBytes is implemented by hooks that read Packet.IPPacket: they say
// for how many leading packets of a flow (negative: all of them). Hooks
// without it never read packet bytes.
type PacketBytes interface {
	PacketBytes() int
}

// BytesPackets is the largest PacketBytes of hooks (negative: all).
func BytesPackets(hooks []Hook) int {
	most := 0
	for _, h := range hooks {
		pb, ok := h.(PacketBytes)
		if !ok {
			continue
		}
		n := pb.PacketBytes()
		if n < 0 {
			return -1
		}
		most = max(most, n)
	}
	return most
}

// Sequencer decides, for every packet, which Store does what.
type Sequencer struct {
	cfg        SequencerConfig
	pkt        Packet
	flows      map[Key]*shadow
	head, tail *shadow
	free       []*shadow
	clock
	nextSeq uint64
	nextID  int64
	out     func(worker int, c *Command)
	cmd     Command

	Processed, Ignored, Evicted uint64
	// PerWorker counts the packets sent to each worker (the meters'
	// processing balance).
	PerWorker []uint64
}

// NewSequencer returns a sequencer sending commands to out.
func NewSequencer(cfg SequencerConfig, out func(worker int, c *Command)) *Sequencer {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	return &Sequencer{cfg: cfg, flows: make(map[Key]*shadow, 1024), out: out, PerWorker: make([]uint64, cfg.Workers)}
}

// Emitted is the number of flows emitted so far.
func (s *Sequencer) Emitted() int64 { return s.nextID }

// Done reports whether MaxFlows flows were emitted.
func (s *Sequencer) Done() bool { return s.cfg.MaxFlows > 0 && s.nextID >= s.cfg.MaxFlows }

// workerOf spreads keys over workers with a symmetric hash.
func (s *Sequencer) workerOf(k *Key) int {
	if s.cfg.Workers == 1 {
		return 0
	}
	a, b := &k.LoIP, &k.HiIP
	h := uint64(k.LoPort)<<16 | uint64(k.HiPort) | uint64(k.Proto)<<32 | uint64(k.VLAN)<<40 | uint64(k.Tunnel)<<56
	for i := 0; i < 16; i += 4 {
		h ^= uint64(a[i])<<24 | uint64(a[i+1])<<16 | uint64(a[i+2])<<8 | uint64(a[i+3])
		h *= 0x9E3779B97F4A7C15
		h ^= uint64(b[i])<<24 | uint64(b[i+1])<<16 | uint64(b[i+2])<<8 | uint64(b[i+3])
		h *= 0x9E3779B97F4A7C15
	}
	h ^= h >> 29
	return int(h % uint64(s.cfg.Workers))
}

// Process sequences one frame (same contract as Meter.Process).
func (s *Sequencer) Process(linkType uint32, data []byte, wireLen uint32, timeMs uint64) bool {
	return s.ProcessFrame(linkType, data, wireLen, timeMs, timeMs*1000)
}

// ProcessFrame is Process with the frame's microsecond time too.
func (s *Sequencer) ProcessFrame(linkType uint32, data []byte, wireLen uint32, timeMs, timeUs uint64) bool {
	p := &s.pkt
	if !Decode(linkType, data, wireLen, s.cfg.Decode, p) {
		s.Ignored++
		return false
	}
	p.TimeUs = timeUs
	s.Processed++
	t, doScan := s.clock.advance(timeMs)
	p.TimeMs = t
	key := keyOf(p)
	sh := s.flows[key]
	switch {
	case sh == nil:
		s.create(key, p)
	case t-sh.last >= s.cfg.IdleTimeoutMs:
		s.expire(sh, ExpireIdle)
		s.create(key, p)
	case t-sh.first >= s.cfg.ActiveTimeoutMs:
		s.expire(sh, ExpireActive)
		s.create(key, p)
	default:
		sh.last = t
		sh.packets++
		s.send(sh, OpUpdate, p)
	}
	if doScan {
		for n := 0; n < scanBudget && s.head != nil; n++ {
			h := s.head
			if !s.clock.idle(h.last, s.cfg.IdleTimeoutMs) {
				break
			}
			s.expire(h, ExpireIdle)
		}
	}
	return true
}

func (s *Sequencer) send(sh *shadow, op uint8, p *Packet) {
	c := &s.cmd
	c.Op, c.Flow, c.ID, c.ExpirationID = op, sh.seq, 0, 0
	c.Pkt = *p
	if s.cfg.BytesPackets >= 0 && int(sh.packets) > s.cfg.BytesPackets {
		c.Pkt.IPPacket = nil
	}
	s.PerWorker[sh.worker]++
	s.out(sh.worker, c)
}

func (s *Sequencer) create(key Key, p *Packet) {
	if s.cfg.MaxActive > 0 && len(s.flows) >= s.cfg.MaxActive {
		// Meter.evict's choice, made on the shadows.
		if h := s.head; s.clock.idle(h.last, s.cfg.IdleTimeoutMs) {
			s.expire(h, ExpireIdle)
		} else {
			s.Evicted++
			s.expire(h, ExpireEvicted)
		}
	}
	var sh *shadow
	if n := len(s.free); n > 0 {
		sh = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		sh = new(shadow)
	}
	*sh = shadow{key: key, seq: s.nextSeq, first: p.TimeMs, last: p.TimeMs, packets: 1}
	sh.worker = s.workerOf(&sh.key)
	s.nextSeq++
	s.flows[key] = sh
	if s.tail == nil {
		s.head, s.tail = sh, sh
	} else {
		sh.prev = s.tail
		s.tail.next = sh
		s.tail = sh
	}
	s.send(sh, OpCreate, p)
}

// expire removes sh from the table and tells its worker to emit it.
func (s *Sequencer) expire(sh *shadow, reason int8) {
	delete(s.flows, sh.key)
	if sh.prev != nil {
		sh.prev.next = sh.next
	} else {
		s.head = sh.next
	}
	if sh.next != nil {
		sh.next.prev = sh.prev
	} else {
		s.tail = sh.prev
	}
	c := &s.cmd
	c.Op, c.Flow, c.ExpirationID = OpExpire, sh.seq, reason
	c.ID = s.nextID
	if s.cfg.MaxFlows > 0 && s.nextID >= s.cfg.MaxFlows {
		c.ID = -1 // beyond max_nflows: the worker drops it
	} else {
		s.nextID++
	}
	c.Pkt = Packet{}
	s.out(sh.worker, c)
	s.free = append(s.free, sh)
}

// Tick is Meter.Tick for the sequencer: the wall-clock tick of a live
// capture, expiring every flow past its idle or active timeout.
func (s *Sequencer) Tick(nowMs uint64) {
	s.clock.advance(nowMs)
	for sh := s.head; sh != nil; {
		next := sh.next
		switch {
		case s.clock.idle(sh.last, s.cfg.IdleTimeoutMs):
			s.expire(sh, ExpireIdle)
		case s.clock.tick-sh.first >= s.cfg.ActiveTimeoutMs:
			s.expire(sh, ExpireActive)
		}
		sh = next
	}
}

// Flush expires every flow left, oldest first (end of input).
func (s *Sequencer) Flush() {
	for s.head != nil {
		s.expire(s.head, ExpireIdle)
	}
}

// Store holds the flows of one worker and applies commands to them.
type Store struct {
	mode  int
	hooks []Hook
	flows map[uint64]*Flow
	free  []*Flow
	emit  func(id int64, f *Flow)
}

// NewStore returns a store running hooks (each Store needs its own hook
// instances) and handing finished flows to emit with their ids.
func NewStore(accountingMode int, hooks []Hook, emit func(id int64, f *Flow)) *Store {
	for i, h := range hooks {
		if sl, ok := h.(Slotted); ok {
			sl.SetSlot(i)
		}
	}
	return &Store{mode: accountingMode, hooks: hooks, flows: make(map[uint64]*Flow, 1024), emit: emit}
}

// Apply executes one command.
func (st *Store) Apply(c *Command) {
	switch c.Op {
	case OpCreate:
		var f *Flow
		if n := len(st.free); n > 0 {
			f = st.free[n-1]
			st.free = st.free[:n-1]
		} else {
			f = &Flow{Ext: make([]any, len(st.hooks))}
		}
		initFlow(f, keyOf(&c.Pkt), &c.Pkt, st.mode, st.hooks, false)
		st.flows[c.Flow] = f
	case OpUpdate:
		if f := st.flows[c.Flow]; f != nil {
			updateFlow(f, &c.Pkt, st.mode, st.hooks)
		}
	case OpExpire:
		f := st.flows[c.Flow]
		if f == nil {
			return
		}
		delete(st.flows, c.Flow)
		f.ExpirationID = c.ExpirationID
		for _, h := range st.hooks {
			h.Expire(f)
		}
		if c.ID >= 0 {
			st.emit(c.ID, f)
		}
		st.free = append(st.free, f)
	}
}
