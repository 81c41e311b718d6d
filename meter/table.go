package meter

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// table is the meter's flow table: open addressing with linear probing over
// slots that hold a 64-bit hash of the key and the flow. A lookup compares
// hashes in the slot array and reads a flow's key only when the hash
// matches, so it touches one flow, the one it returns; a Go map of the
// hash to a chain (what this replaced) cost about twice the instructions
// per packet. A slot is 16 bytes and the table is kept at most four fifths
// full: between 20 and 40 bytes per flow, what the map took (at 200,000
// flows, 21 B against the map's 22; at three quarters it would have been
// 42, the table doubling just below that count). Linear probing stays
// short at that load: about three slots per hit, in one or two cache
// lines. The seed is random so
// that nobody can choose addresses that collide, and nothing in the output
// depends on it: the table's order is never read.
type table struct {
	slots []tableSlot // a power of two long
	n     int
	seed  uint64
}

type tableSlot struct {
	hash uint64
	flow *Flow // nil: the slot is free
}

const tableMinSlots = 1024

func newTable() table {
	return table{slots: make([]tableSlot, tableMinSlots), seed: rand.Uint64() | 1}
}

func (t *table) hash(k *Key) uint64 {
	const m1, m2 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db
	w := uint64(k.LoPort)<<48 | uint64(k.HiPort)<<32 | uint64(k.Proto)<<24 | uint64(k.Tunnel)<<16 | uint64(k.VLAN)
	mix := func(a, b uint64) uint64 { hi, lo := bits.Mul64(a, b); return hi ^ lo }
	h := mix(binary.LittleEndian.Uint64(k.LoIP[:8])^t.seed, binary.LittleEndian.Uint64(k.LoIP[8:])^m1)
	h = mix(binary.LittleEndian.Uint64(k.HiIP[:8])^h, binary.LittleEndian.Uint64(k.HiIP[8:])^m2)
	return mix(w^h, m1^t.seed)
}

// equal compares two keys field by field: the struct comparison k == *o
// calls memequal on its 40 bytes.
func (k *Key) equal(o *Key) bool {
	return k.LoIP == o.LoIP && k.HiIP == o.HiIP && k.LoPort == o.LoPort && k.HiPort == o.HiPort &&
		k.Proto == o.Proto && k.Tunnel == o.Tunnel && k.VLAN == o.VLAN
}

func (t *table) get(k *Key) *Flow { return t.getHash(t.hash(k), k) }

// put adds f, whose key is not in the table.
func (t *table) put(f *Flow) { t.putHash(t.hash(&f.Key), f) }

// del removes f, which is in the table.
func (t *table) del(f *Flow) { t.delHash(t.hash(&f.Key), f) }

func (t *table) getHash(h uint64, k *Key) *Flow {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.flow == nil {
			return nil
		}
		if s.hash == h && s.flow.Key.equal(k) {
			return s.flow
		}
	}
}

func (t *table) putHash(h uint64, f *Flow) {
	if (t.n+1)*5 > len(t.slots)*4 {
		t.grow()
	}
	t.insert(h, f)
	t.n++
}

func (t *table) insert(h uint64, f *Flow) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].flow != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = tableSlot{hash: h, flow: f}
}

func (t *table) grow() {
	old := t.slots
	t.slots = make([]tableSlot, 2*len(old))
	for _, s := range old {
		if s.flow != nil {
			t.insert(s.hash, s.flow)
		}
	}
}

// delHash frees f's slot and moves later slots of the same probe run back
// into it, so that no lookup stops early at the hole (no tombstones).
func (t *table) delHash(h uint64, f *Flow) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].flow != f {
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; t.slots[j].flow != nil; j = (j + 1) & mask {
		// The slot at j may fill the hole at i unless its home lies
		// cyclically in (i, j]: moved before its home, it would be lost.
		home := t.slots[j].hash & mask
		if (j-home)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = tableSlot{}
	t.n--
}

// reset empties the table, keeping its size.
func (t *table) reset() {
	clear(t.slots)
	t.n = 0
}
