package shm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"
)

// LayoutVersion is the version of the byte map documented in doc.go. It
// changes whenever an offset, a width or a bit assignment changes; readers
// refuse any other version rather than misread it.
const LayoutVersion = 1

// Magic is the first eight bytes of every scoreboard file.
const Magic = "EVMPMSCB"

// byteOrderMark is stored in the writer's native byte order; a reader that
// loads anything else is on a machine of the other endianness.
const byteOrderMark = 0x01020304

// Limits on the two sizing directives, as in Apache's event MPM
// (MAX_SERVER_LIMIT and MAX_THREAD_LIMIT, SPEC.md 1.2).
const (
	MaxServerLimit = 20000
	MaxThreadLimit = 100000
)

// Widths of the worker slot's text fields, in bytes (SPEC.md 2.4).
const (
	ClientSize     = 64
	RequestSize    = 64
	VHostSize      = 32
	ProtocolSize   = 16
	ServerNameSize = 128
)

// Sizes of the three parts of the file. The layout test pins them against
// unsafe.Sizeof of the overlay structs.
const (
	HeaderSize  = 320
	ProcessSize = 80
	WorkerSize  = 288
)

// maxFileSize bounds the file Create will make (64 GiB): far more than any
// sane ServerLimit×ThreadLimit, and small enough that the size never
// overflows an int on 64-bit platforms.
const maxFileSize = 64 << 30

// ErrInvalidLayout reports a Layout outside 1..MaxServerLimit and
// 1..MaxThreadLimit, or one whose file would be unreasonably large.
var ErrInvalidLayout = errors.New("shm: invalid scoreboard layout")

// Layout is what sizes the scoreboard: ServerLimit process slots and
// ServerLimit×ThreadLimit worker slots. Like Apache, it cannot change while
// the server runs (SPEC.md 2.1); a new Layout means a new file.
type Layout struct {
	ServerLimit, ThreadLimit int
}

// Size returns the size in bytes of a scoreboard file with this layout.
func (l Layout) Size() int64 {
	return HeaderSize + int64(l.ServerLimit)*ProcessSize +
		int64(l.ServerLimit)*int64(l.ThreadLimit)*WorkerSize
}

// Workers returns the number of worker slots, ServerLimit×ThreadLimit.
func (l Layout) Workers() int { return l.ServerLimit * l.ThreadLimit }

func (l Layout) validate() error {
	if l.ServerLimit < 1 || l.ServerLimit > MaxServerLimit ||
		l.ThreadLimit < 1 || l.ThreadLimit > MaxThreadLimit || l.Size() > maxFileSize {
		return fmt.Errorf("%w: ServerLimit %d, ThreadLimit %d", ErrInvalidLayout, l.ServerLimit, l.ThreadLimit)
	}
	return nil
}

// processOffset and workerOffset locate the first slot of each array.
func (l Layout) processOffset() int { return HeaderSize }
func (l Layout) workerOffset() int  { return HeaderSize + l.ServerLimit*ProcessSize }

// header is the overlay on the first HeaderSize bytes. See doc.go for the
// owner of every field.
type header struct {
	magic       atomic.Uint64                     // 0: Magic, stored last by Create
	version     atomic.Uint32                     // 8: LayoutVersion
	byteOrder   atomic.Uint32                     // 12: byteOrderMark
	serverLimit atomic.Int32                      // 16
	threadLimit atomic.Int32                      // 20
	headerSize  atomic.Uint32                     // 24: HeaderSize
	processSize atomic.Uint32                     // 28: ProcessSize
	workerSize  atomic.Uint32                     // 32: WorkerSize
	_           uint32                            // 36: reserved
	totalSize   atomic.Uint64                     // 40: Layout.Size()
	startTime   atomic.Int64                      // 48: µs since the Unix epoch
	restartTime atomic.Int64                      // 56: µs since the Unix epoch
	parentPID   atomic.Int32                      // 64
	generation  atomic.Uint32                     // 68: running generation (24 bits used)
	configGen   atomic.Uint32                     // 72: configurations loaded
	_           uint32                            // 76: reserved
	cpuUser     atomic.Int64                      // 80: parent CPU, µs
	cpuSystem   atomic.Int64                      // 88
	cpuCUser    atomic.Int64                      // 96: reaped children's CPU, µs
	cpuCSystem  atomic.Int64                      // 104
	infoSeq     atomic.Uint64                     // 112: seqlock over 120..264
	threadsPC   atomic.Int32                      // 120: ThreadsPerChild
	activeLimit atomic.Int32                      // 124: ActiveDaemonsLimit
	maxWorkers  atomic.Int32                      // 128: MaxRequestWorkers
	extended    atomic.Uint32                     // 132: ExtendedStatus, 0 or 1
	serverName  [ServerNameSize / 8]atomic.Uint64 // 136..264
	_           [HeaderSize - 264]byte            // 264..320: reserved, zero
}

// processSlot is the overlay on one process slot (SPEC.md 2.3).
type processSlot struct {
	state           atomic.Uint64 // 0: pid | generation | quiescing | not_accepting
	seq             atomic.Uint64 // 8: seqlock over 16..40
	connections     atomic.Int32  // 16
	writeCompletion atomic.Int32  // 20
	keepAlive       atomic.Int32  // 24
	lingeringClose  atomic.Int32  // 28
	suspended       atomic.Int32  // 32
	waitIO          atomic.Int32  // 36
	heartbeat       atomic.Int64  // 40: µs since the Unix epoch
	startTime       atomic.Int64  // 48: µs since the Unix epoch
	accepted        atomic.Int64  // 56: connections accepted by this child
	cpuUser         atomic.Int64  // 64: µs
	cpuSystem       atomic.Int64  // 72: µs
}

// Worker is one worker slot (SPEC.md 2.4), used in place inside the mapping:
// a *Worker points into the scoreboard file. Its methods are the only way to
// touch it; doc.go lists the owner of every field.
type Worker struct {
	state       atomic.Uint64                   // 0: status | generation | since
	seq         atomic.Uint64                   // 8: seqlock over 24..288
	pid         atomic.Int32                    // 16
	_           uint32                          // 20: reserved
	connCount   atomic.Int64                    // 24
	connBytes   atomic.Int64                    // 32
	accessCount atomic.Int64                    // 40: cumulative per slot
	bytesServed atomic.Int64                    // 48: cumulative per slot
	myAccess    atomic.Int64                    // 56: per child
	myBytes     atomic.Int64                    // 64: per child
	startTime   atomic.Int64                    // 72: µs, start of the last request
	stopTime    atomic.Int64                    // 80: µs, end of the last request
	lastUsed    atomic.Int64                    // 88: µs
	duration    atomic.Int64                    // 96: µs, sum of request times
	reqTime     atomic.Int64                    // 104: µs, time of the last request
	client      [ClientSize / 8]atomic.Uint64   // 112
	request     [RequestSize / 8]atomic.Uint64  // 176
	vhost       [VHostSize / 8]atomic.Uint64    // 240
	protocol    [ProtocolSize / 8]atomic.Uint64 // 272
}

// Compile-time checks that the overlays have the documented sizes.
var (
	_ [HeaderSize - unsafe.Sizeof(header{})]byte
	_ [unsafe.Sizeof(header{}) - HeaderSize]byte
	_ [ProcessSize - unsafe.Sizeof(processSlot{})]byte
	_ [unsafe.Sizeof(processSlot{}) - ProcessSize]byte
	_ [WorkerSize - unsafe.Sizeof(Worker{})]byte
	_ [unsafe.Sizeof(Worker{}) - WorkerSize]byte
)

// magicWord is Magic as the header's first word, in native byte order, so
// that the file's first eight bytes spell Magic.
var magicWord = binary.NativeEndian.Uint64([]byte(Magic))
