package shm

import (
	"encoding/binary"
	"math/bits"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// The worker state word, one atomic.Uint64 changed only by CAS:
//
//	 63                            32 31                     8 7          0
//	+--------------------------------+------------------------+------------+
//	| since: Unix seconds (uint32)   | generation (24 bits)   | status (8) |
//	+--------------------------------+------------------------+------------+
//
// status is a Status. generation is the child's generation modulo 2^24,
// recorded by Worker.Start. since is when the status last changed, in whole
// seconds since the Unix epoch (unsigned, good until 2106).
const (
	workerStatusBits = 8
	generationBits   = 24
	generationMask   = 1<<generationBits - 1
	workerSinceShift = workerStatusBits + generationBits
)

func packWorker(st Status, gen uint32, since uint32) uint64 {
	return uint64(st) | uint64(gen&generationMask)<<workerStatusBits | uint64(since)<<workerSinceShift
}

func workerStatus(w uint64) Status { return Status(w & (1<<workerStatusBits - 1)) }
func workerGen(w uint64) uint32    { return uint32(w>>workerStatusBits) & generationMask }
func workerSince(w uint64) uint32  { return uint32(w >> workerSinceShift) }

// The process state word, one atomic.Uint64 changed only by CAS:
//
//	 63      59   58              57  56       55            32 31             0
//	+----------+----------------+-------------+----------------+---------------+
//	| reserved | not_accepting  | quiescing   | generation     | pid           |
//	| (5 bits) | (1 bit)        | (2 bits)    | (24 bits)      | (32 bits)     |
//	+----------+----------------+-------------+----------------+---------------+
//
// pid 0 means the slot is free; a slot is claimed by a CAS whose old value
// has pid 0. quiescing is 0, 1 (the child began a graceful stop) or 2 (the
// parent no longer counts it as active), as in Apache.
const (
	procPIDMask        = 1<<32 - 1
	procGenShift       = 32
	procQuiescingShift = procGenShift + generationBits // 56
	procQuiescingMask  = 3
	procNotAcceptBit   = 1 << (procQuiescingShift + 2) // bit 58
)

func packProcess(pid int, gen uint32, quiescing int, notAccepting bool) uint64 {
	w := uint64(uint32(pid)) | uint64(gen&generationMask)<<procGenShift |
		uint64(quiescing&procQuiescingMask)<<procQuiescingShift
	if notAccepting {
		w |= procNotAcceptBit
	}
	return w
}

func procPID(w uint64) int           { return int(int32(uint32(w & procPIDMask))) }
func procGen(w uint64) uint32        { return uint32(w>>procGenShift) & generationMask }
func procQuiescing(w uint64) int     { return int(w>>procQuiescingShift) & procQuiescingMask }
func procNotAccepting(w uint64) bool { return w&procNotAcceptBit != 0 }

// Generations are stored modulo 2^24 everywhere (header, process and worker
// slots), so comparing stored values is always like with like.
func maskGen(gen int) uint32 { return uint32(gen) & generationMask }

// unixSeconds returns t as the since field of a worker state word.
func unixSeconds(t time.Time) uint32 {
	s := t.Unix()
	if s < 0 {
		return 0
	}
	return uint32(s)
}

// sinceTime converts a state word's since field; 0 is the zero Time.
func sinceTime(since uint32) time.Time {
	if since == 0 {
		return time.Time{}
	}
	return time.Unix(int64(since), 0)
}

// micros returns t in µs since the Unix epoch; the zero Time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros: 0 is the zero Time.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}

// Seqlock. The single writer of a group of fields makes its sequence counter
// odd, stores the fields, and makes it even again; a reader loads the
// counter, the fields and the counter again, and retries when the counter
// was odd or moved. Every access is a sync/atomic operation, so readers and
// writers in one process are race-free, and Go's sequentially consistent
// atomics give the ordering across processes that share the mapping.

// seqBegin opens a write. If a writer died half-way (the counter is left
// odd), the next writer simply completes the cycle, which repairs the slot.
func seqBegin(seq *atomic.Uint64) uint64 {
	s := seq.Load() | 1
	seq.Store(s)
	return s
}

// seqEnd closes the write opened by seqBegin.
func seqEnd(seq *atomic.Uint64, s uint64) { seq.Store(s + 1) }

// A reader that finds the counter odd waits for the writer. A live writer
// holds it odd for well under a microsecond, unless it is preempted (the Go
// scheduler and the OS may both park it for a while under load), so the
// reader keeps waiting while the writer's process exists, up to
// stuckWriter (a writer stopped with SIGSTOP, say). If the writer's process
// is gone, it died mid-write: the reader reports the group unreadable at
// once instead of spinning. A counter that moves resets the wait. A false
// "torn" only blanks one slot of one snapshot. (A variable for the stress
// test, which runs on machines loaded enough to park a writer for longer.)
var stuckWriter = time.Second

// seqRead calls read until it ran between two equal even counter values. It
// reports false if the counter stayed at one odd value while process pid
// (the writer, 0 if unknown) was gone or for stuckWriter.
func seqRead(seq *atomic.Uint64, pid int, read func()) bool {
	var stuck uint64   // the odd value being waited on
	var deadline int64 // when to give up on it, in Unix ns; 0 = not yet set
	for spins := 0; ; spins++ {
		s1 := seq.Load()
		if s1&1 == 0 {
			read()
			if seq.Load() == s1 {
				return true
			}
			continue // a write overlapped; the writer is alive
		}
		if s1 != stuck {
			stuck, deadline, spins = s1, 0, 0
		}
		if spins < 64 {
			runtime.Gosched()
			continue
		}
		now := time.Now().UnixNano()
		if deadline == 0 {
			if pid > 0 && unix.Kill(pid, 0) == unix.ESRCH {
				return false
			}
			deadline = now + int64(stuckWriter)
		} else if now > deadline {
			return false
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// Text fields are arrays of atomic words holding the bytes in file order
// (native byte order per word), NUL-padded; a value that fills the field has
// no terminator.

// storeText stores src into field, skipping words that do not change.
// Only the field's owner calls it, inside a seqlock write.
func storeText(field []atomic.Uint64, src []byte) {
	open := uint64(1) // the caller's seqlock is open already
	storeTextSeq(field, src, nil, &open)
}

// storeTextSeq is storeText that opens the seqlock lazily, at the first word
// that changes: *open is 0 until then and holds seqBegin's value after, for
// the caller's seqEnd. An unchanged value costs loads only. src is
// truncated to the field and NUL-padded.
func storeTextSeq(field []atomic.Uint64, src []byte, seq *atomic.Uint64, open *uint64) {
	full := min(len(src)/8, len(field)) // words that src fills
	for i := range full {
		storeWordSeq(&field[i], binary.NativeEndian.Uint64(src[i*8:]), seq, open)
	}
	for i := full; i < len(field); i++ {
		var v uint64 // NUL padding
		if i == full && len(src) > full*8 {
			v = lastWord(src, len(src)-full*8)
		}
		storeWordSeq(&field[i], v, seq, open)
	}
}

// lastWord is the word holding the last r (1 to 7) bytes of src,
// NUL-padded, in native byte order. When src has 8 bytes or more it loads
// the last eight and shifts the others out; only a shorter src is
// assembled byte by byte. (Copying the bytes into an array and loading that
// stalled on store forwarding and took most of SetRequestInfo's time.)
func lastWord(src []byte, r int) uint64 {
	if n := len(src); n >= 8 {
		w := binary.NativeEndian.Uint64(src[n-8:])
		if bigEndian {
			return w << (8 * (8 - r))
		}
		return w >> (8 * (8 - r))
	}
	var v uint64
	for k, c := range src {
		v |= uint64(c) << (8 * k)
	}
	if bigEndian {
		v = bits.ReverseBytes64(v)
	}
	return v
}

// bigEndian reports the machine's byte order, which words hold text in.
var bigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// storeWordSeq stores v into word unless it holds v already, opening the
// seqlock first as storeTextSeq says.
func storeWordSeq(word *atomic.Uint64, v uint64, seq *atomic.Uint64, open *uint64) {
	if word.Load() == v {
		return
	}
	if *open == 0 {
		*open = seqBegin(seq)
	}
	word.Store(v)
}

// loadText copies field into dst, which is len(field)*8 bytes long.
func loadText(dst []byte, field []atomic.Uint64) {
	for i := range field {
		binary.NativeEndian.PutUint64(dst[i*8:], field[i].Load())
	}
}

// Text returns b up to its first NUL byte: the value of a NUL-padded text
// field copied out by Snapshot.
func Text(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
