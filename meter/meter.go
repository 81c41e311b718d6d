package meter

import "encoding/binary"

// Config holds the metering parameters (NFStreamer's names in comments).
type Config struct {
	IdleTimeoutMs   uint64 // idle_timeout × 1000
	ActiveTimeoutMs uint64 // active_timeout × 1000
	AccountingMode  int    // accounting_mode: 0 raw, 1 IP, 2 transport, 3 payload
	Decode          DecodeOptions
	// Hooks run in order for every packet (feature sets, then plugins).
	Hooks []Hook
	// MaxActive, when > 0, bounds the flows in the table (max_active_flows).
	// A packet that would create one more first makes room: the oldest
	// created flow leaves, with ExpireIdle when its idle timeout has passed
	// and ExpireEvicted otherwise. The choice depends on the packets alone
	// (creation order and packet time), so the Sequencer makes the same one
	// and the output stays the same for any number of meters.
	MaxActive int
	// Emit receives every finished flow, in NFStream's single-meter emission
	// order. The flow is recycled when Emit returns: copy what you need.
	Emit func(f *Flow)
	// Owns, when set, is asked once per new flow whether this meter computes
	// its features. A flow it does not own is foreign (Flow.Foreign): only
	// the hooks that may force expiry (those not Passive) see its packets
	// and its expiry, so its lifetime, and therefore every flow's id and
	// emission order, stays what a meter owning everything computes, at the
	// price of keys, counters and those hooks. One machine's share of a
	// capture split by flow hash is metered this way.
	Owns func(k *Key) bool
}

// scanInterval and scanBudget are NFStream's idle scan period (ms of packet
// time) and the most flows one scan may expire.
const (
	scanInterval = 10
	scanBudget   = 1000
)

// Meter is one flow meter: NFStream's meter_workflow for one process.
// It is not safe for concurrent use.
type Meter struct {
	cfg Config
	// expiring are the hooks foreign flows run (Config.Owns).
	expiring []Hook
	pkt      Packet
	flows    table
	head     *Flow // oldest created flow still in the table
	tail     *Flow
	free     []*Flow
	clock

	// Counters for reports; Evicted counts flows that left a full table
	// with ExpireEvicted.
	Processed, Ignored, Evicted uint64
}

// New returns a meter. Hooks that implement Slotted learn their Ext index.
func New(cfg Config) *Meter {
	if cfg.Emit == nil {
		cfg.Emit = func(*Flow) {}
	}
	for i, h := range cfg.Hooks {
		if s, ok := h.(Slotted); ok {
			s.SetSlot(i)
		}
	}
	m := &Meter{cfg: cfg, flows: newTable()}
	if cfg.Owns != nil {
		for _, h := range cfg.Hooks {
			if _, ok := h.(Passive); !ok {
				m.expiring = append(m.expiring, h)
			}
		}
	}
	return m
}

// hooksOf are the hooks that see f.
func (m *Meter) hooksOf(f *Flow) []Hook {
	if f.foreign {
		return m.expiring
	}
	return m.cfg.Hooks
}

// Active returns the number of flows in the table.
func (m *Meter) Active() int { return m.flows.n }

// TimeMs converts a capture timestamp to NFStream's millisecond time
// (truncated: libpcap hands microseconds, NFStream drops the rest).
func TimeMs(timeNs int64) uint64 {
	if timeNs < 0 {
		return 0
	}
	us := timeNs / 1000
	return uint64(us/1_000_000)*1000 + uint64(us%1_000_000)/1000
}

// clock is a meter's packet-time clock (NFStream §3.4) and idle-scan timer.
type clock struct {
	tick, lastScan uint64
}

// advance clamps t so that time never goes back, and reports whether the
// periodic idle scan is due (every scanInterval ms of packet time).
func (c *clock) advance(t uint64) (uint64, bool) {
	if t > c.tick {
		c.tick = t
	} else {
		t = c.tick
	}
	if c.tick-c.lastScan >= scanInterval {
		c.lastScan = c.tick
		return t, true
	}
	return t, false
}

// idle is NFStream's scan condition tick − idle_timeout ≥ last_seen,
// without unsigned underflow.
func (c *clock) idle(lastSeen, timeout uint64) bool {
	return c.tick >= timeout && c.tick-timeout >= lastSeen
}

// Process meters one captured frame stamped with NFStream's millisecond
// time (see TimeMs). It reports whether the frame was metered (false:
// NFStream ignores it).
func (m *Meter) Process(linkType uint32, data []byte, wireLen uint32, timeMs uint64) bool {
	return m.ProcessFrame(linkType, data, wireLen, timeMs, timeMs*1000)
}

// ProcessFrame is Process with the frame's microsecond time too, which
// hooks that want finer time than NFStream's (Packet.TimeUs) read.
func (m *Meter) ProcessFrame(linkType uint32, data []byte, wireLen uint32, timeMs, timeUs uint64) bool {
	p := &m.pkt
	if !Decode(linkType, data, wireLen, m.cfg.Decode, p) {
		m.Ignored++
		return false
	}
	p.TimeUs = timeUs
	m.Processed++
	var doScan bool
	p.TimeMs, doScan = m.clock.advance(timeMs)
	m.consume(p)
	if doScan {
		m.scan()
	}
	return true
}

func keyOf(p *Packet) Key {
	k := Key{Proto: p.Protocol, Tunnel: p.Tunnel, VLAN: p.VLAN}
	src, dst := p.SrcIP.As16(), p.DstIP.As16()
	// Big-endian halves compare like the bytes, in two steps.
	sh, dh := binary.BigEndian.Uint64(src[:8]), binary.BigEndian.Uint64(dst[:8])
	sl, dl := binary.BigEndian.Uint64(src[8:]), binary.BigEndian.Uint64(dst[8:])
	less := sh < dh || (sh == dh && sl < dl)
	equal := sh == dh && sl == dl
	if less || (equal && p.SrcPort <= p.DstPort) {
		k.LoIP, k.LoPort, k.HiIP, k.HiPort = src, p.SrcPort, dst, p.DstPort
	} else {
		k.LoIP, k.LoPort, k.HiIP, k.HiPort = dst, p.DstPort, src, p.SrcPort
	}
	return k
}

func (m *Meter) consume(p *Packet) {
	key := keyOf(p)
	f := m.flows.get(&key)
	if f == nil {
		m.create(key, p)
		return
	}
	t := p.TimeMs
	switch {
	case t-f.LastSeen >= m.cfg.IdleTimeoutMs:
		f.ExpirationID = ExpireIdle
	case t-f.FirstSeen >= m.cfg.ActiveTimeoutMs:
		f.ExpirationID = ExpireActive
	default:
		m.update(f, p)
		if f.ExpirationID == ExpireCustom {
			m.remove(f)
			m.expire(f)
		}
		return
	}
	m.remove(f)
	m.expire(f)
	m.create(key, p)
}

func (m *Meter) newFlow() *Flow {
	if n := len(m.free); n > 0 {
		f := m.free[n-1]
		m.free = m.free[:n-1]
		return f
	}
	return &Flow{Ext: make([]any, len(m.cfg.Hooks))}
}

func (m *Meter) create(key Key, p *Packet) {
	if m.cfg.MaxActive > 0 && m.flows.n >= m.cfg.MaxActive {
		m.evict()
	}
	f := m.newFlow()
	hooks := m.cfg.Hooks
	// Owns reads the key in f, already on the heap: &key would move key
	// there, one allocation per flow even with no Owns.
	f.Key = key
	foreign := m.cfg.Owns != nil && !m.cfg.Owns(&f.Key)
	if foreign {
		hooks = m.expiring
	}
	initFlow(f, key, p, m.cfg.AccountingMode, hooks, foreign)
	if f.ExpirationID == ExpireCustom {
		m.expire(f)
		return
	}
	m.flows.put(f)
	if m.tail == nil {
		m.head, m.tail = f, f
	} else {
		f.prev = m.tail
		m.tail.next = f
		m.tail = f
	}
}

func (m *Meter) update(f *Flow, p *Packet) { updateFlow(f, p, m.cfg.AccountingMode, m.hooksOf(f)) }

// initFlow starts f with its first packet and runs the hooks' Init.
func initFlow(f *Flow, key Key, p *Packet, mode int, hooks []Hook, foreign bool) {
	ext := f.Ext
	*f = Flow{
		Key:       key,
		SrcMAC:    p.SrcMAC,
		DstMAC:    p.DstMAC,
		SrcPort:   p.SrcPort,
		DstPort:   p.DstPort,
		Protocol:  p.Protocol,
		IPVersion: p.IPVersion,
		VLAN:      p.VLAN,
		Tunnel:    p.Tunnel,
		FirstSeen: p.TimeMs,
		LastSeen:  p.TimeMs,
		Packets:   1,
		Ext:       ext,
		foreign:   foreign,
		srcHi:     p.SrcIP.As16() != key.LoIP || p.SrcPort != key.LoPort,
	}
	size := uint64(p.Size(mode))
	f.Bytes = size
	f.Src2Dst = Direction{FirstSeen: p.TimeMs, LastSeen: p.TimeMs, Packets: 1, Bytes: size}
	if p.PayloadSize > 0 {
		f.Src2Dst.PayloadBytes = uint64(p.PayloadSize)
		f.Src2Dst.PayloadPackets = 1
	}
	p.Direction = 0
	p.DeltaTime = 0
	for _, h := range hooks {
		h.Init(p, f)
	}
}

// updateFlow adds a later packet to f (NFStream's meter_update_flow after
// the expiry check) and runs the hooks' Update.
func updateFlow(f *Flow, p *Packet, mode int, hooks []Hook) {
	// The packet shares f's key, so its addresses equal the first packet's
	// (f.SrcIP() == p.SrcIP, f.DstIP() == p.DstIP) exactly when it puts its
	// source on the same side of the key, in the same IP version.
	if f.SrcPort != p.SrcPort || f.DstPort != p.DstPort || f.IPVersion != p.IPVersion ||
		f.srcHi != (p.SrcIP.As16() != f.Key.LoIP || p.SrcPort != f.Key.LoPort) {
		p.Direction = 1
	} else {
		p.Direction = 0
	}
	size := uint64(p.Size(mode))
	t := p.TimeMs
	p.DeltaTime = t - f.LastSeen
	f.Packets++
	f.LastSeen = t
	f.Bytes += size
	d := &f.Src2Dst
	if p.Direction == 1 {
		d = &f.Dst2Src
		if d.Packets == 0 {
			d.FirstSeen = t
		}
	}
	d.Packets++
	d.LastSeen = t
	d.Bytes += size
	if p.PayloadSize > 0 {
		d.PayloadBytes += uint64(p.PayloadSize)
		d.PayloadPackets++
	}
	for _, h := range hooks {
		h.Update(p, f)
	}
}

// remove unlinks f from the table and the creation-order list.
func (m *Meter) remove(f *Flow) {
	m.flows.del(f)
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		m.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		m.tail = f.prev
	}
	f.prev, f.next = nil, nil
}

// evict makes room in a full table (Config.MaxActive): the oldest created
// flow goes, as the idle scan would take it if its time had come.
func (m *Meter) evict() {
	f := m.head
	if m.clock.idle(f.LastSeen, m.cfg.IdleTimeoutMs) {
		f.ExpirationID = ExpireIdle
	} else {
		f.ExpirationID = ExpireEvicted
		m.Evicted++
	}
	m.remove(f)
	m.expire(f)
}

// expire runs the hooks' Expire, emits the flow and recycles it.
func (m *Meter) expire(f *Flow) {
	for _, h := range m.hooksOf(f) {
		h.Expire(f)
	}
	m.cfg.Emit(f)
	m.free = append(m.free, f)
}

// scan is NFStream's idle scan: only the oldest-created flow is examined,
// so one long-lived flow holds back every younger one (head of line).
func (m *Meter) scan() {
	for n := 0; n < scanBudget && m.head != nil; n++ {
		f := m.head
		if !m.clock.idle(f.LastSeen, m.cfg.IdleTimeoutMs) {
			return
		}
		m.remove(f)
		m.expire(f)
	}
}

// Tick is the live wall-clock tick: it moves the clock to nowMs (never
// back) and expires every flow whose idle or active timeout has passed,
// in creation order. Packet time alone cannot do this on a quiet link,
// where no packet arrives to run the scan (NFStream issues 193, 196).
// Unlike the packet-driven scan it walks the whole table, so a long-lived
// flow at the head does not hold back the idle ones behind it; offline
// runs never call it and keep NFStream's packet-time behaviour.
func (m *Meter) Tick(nowMs uint64) {
	m.clock.advance(nowMs)
	for f := m.head; f != nil; {
		next := f.next
		switch {
		case m.clock.idle(f.LastSeen, m.cfg.IdleTimeoutMs):
			f.ExpirationID = ExpireIdle
		case m.clock.tick-f.FirstSeen >= m.cfg.ActiveTimeoutMs:
			f.ExpirationID = ExpireActive
		default:
			f = next
			continue
		}
		m.remove(f)
		m.expire(f)
		f = next
	}
}

// Flush emits every flow still in the table, oldest first (end of input).
func (m *Meter) Flush() {
	// Deleting a million keys one by one costs more than the flows
	// themselves; the table is emptied in one go at the end.
	for f := m.head; f != nil; {
		next := f.next
		f.prev, f.next = nil, nil
		m.expire(f)
		f = next
	}
	m.head, m.tail = nil, nil
	m.flows.reset()
}
