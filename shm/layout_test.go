package shm

import (
	"testing"
	"unsafe"
)

// TestLayout pins the byte map of doc.go: every field's offset and every
// record's size. A change here is a change of LayoutVersion.
func TestLayout(t *testing.T) {
	var h header
	var p processSlot
	var w Worker
	tests := []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"sizeof(header)", unsafe.Sizeof(h), HeaderSize},
		{"header.magic", unsafe.Offsetof(h.magic), 0},
		{"header.version", unsafe.Offsetof(h.version), 8},
		{"header.byteOrder", unsafe.Offsetof(h.byteOrder), 12},
		{"header.serverLimit", unsafe.Offsetof(h.serverLimit), 16},
		{"header.threadLimit", unsafe.Offsetof(h.threadLimit), 20},
		{"header.headerSize", unsafe.Offsetof(h.headerSize), 24},
		{"header.processSize", unsafe.Offsetof(h.processSize), 28},
		{"header.workerSize", unsafe.Offsetof(h.workerSize), 32},
		{"header.totalSize", unsafe.Offsetof(h.totalSize), 40},
		{"header.startTime", unsafe.Offsetof(h.startTime), 48},
		{"header.restartTime", unsafe.Offsetof(h.restartTime), 56},
		{"header.parentPID", unsafe.Offsetof(h.parentPID), 64},
		{"header.generation", unsafe.Offsetof(h.generation), 68},
		{"header.configGen", unsafe.Offsetof(h.configGen), 72},
		{"header.cpuUser", unsafe.Offsetof(h.cpuUser), 80},
		{"header.cpuSystem", unsafe.Offsetof(h.cpuSystem), 88},
		{"header.cpuCUser", unsafe.Offsetof(h.cpuCUser), 96},
		{"header.cpuCSystem", unsafe.Offsetof(h.cpuCSystem), 104},
		{"header.infoSeq", unsafe.Offsetof(h.infoSeq), 112},
		{"header.threadsPC", unsafe.Offsetof(h.threadsPC), 120},
		{"header.activeLimit", unsafe.Offsetof(h.activeLimit), 124},
		{"header.maxWorkers", unsafe.Offsetof(h.maxWorkers), 128},
		{"header.extended", unsafe.Offsetof(h.extended), 132},
		{"header.serverName", unsafe.Offsetof(h.serverName), 136},
		{"sizeof(header.serverName)", unsafe.Sizeof(h.serverName), ServerNameSize},

		{"sizeof(processSlot)", unsafe.Sizeof(p), ProcessSize},
		{"process.state", unsafe.Offsetof(p.state), 0},
		{"process.seq", unsafe.Offsetof(p.seq), 8},
		{"process.connections", unsafe.Offsetof(p.connections), 16},
		{"process.writeCompletion", unsafe.Offsetof(p.writeCompletion), 20},
		{"process.keepAlive", unsafe.Offsetof(p.keepAlive), 24},
		{"process.lingeringClose", unsafe.Offsetof(p.lingeringClose), 28},
		{"process.suspended", unsafe.Offsetof(p.suspended), 32},
		{"process.waitIO", unsafe.Offsetof(p.waitIO), 36},
		{"process.heartbeat", unsafe.Offsetof(p.heartbeat), 40},
		{"process.startTime", unsafe.Offsetof(p.startTime), 48},
		{"process.accepted", unsafe.Offsetof(p.accepted), 56},
		{"process.cpuUser", unsafe.Offsetof(p.cpuUser), 64},
		{"process.cpuSystem", unsafe.Offsetof(p.cpuSystem), 72},

		{"sizeof(Worker)", unsafe.Sizeof(w), WorkerSize},
		{"worker.state", unsafe.Offsetof(w.state), 0},
		{"worker.seq", unsafe.Offsetof(w.seq), 8},
		{"worker.pid", unsafe.Offsetof(w.pid), 16},
		{"worker.connCount", unsafe.Offsetof(w.connCount), 24},
		{"worker.connBytes", unsafe.Offsetof(w.connBytes), 32},
		{"worker.accessCount", unsafe.Offsetof(w.accessCount), 40},
		{"worker.bytesServed", unsafe.Offsetof(w.bytesServed), 48},
		{"worker.myAccess", unsafe.Offsetof(w.myAccess), 56},
		{"worker.myBytes", unsafe.Offsetof(w.myBytes), 64},
		{"worker.startTime", unsafe.Offsetof(w.startTime), 72},
		{"worker.stopTime", unsafe.Offsetof(w.stopTime), 80},
		{"worker.lastUsed", unsafe.Offsetof(w.lastUsed), 88},
		{"worker.duration", unsafe.Offsetof(w.duration), 96},
		{"worker.reqTime", unsafe.Offsetof(w.reqTime), 104},
		{"worker.client", unsafe.Offsetof(w.client), 112},
		{"worker.request", unsafe.Offsetof(w.request), 176},
		{"worker.vhost", unsafe.Offsetof(w.vhost), 240},
		{"worker.protocol", unsafe.Offsetof(w.protocol), 272},
		{"sizeof(worker.client)", unsafe.Sizeof(w.client), ClientSize},
		{"sizeof(worker.request)", unsafe.Sizeof(w.request), RequestSize},
		{"sizeof(worker.vhost)", unsafe.Sizeof(w.vhost), VHostSize},
		{"sizeof(worker.protocol)", unsafe.Sizeof(w.protocol), ProtocolSize},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestLayoutSize(t *testing.T) {
	tests := []struct {
		l    Layout
		size int64
		proc int
		work int
	}{
		{Layout{ServerLimit: 1, ThreadLimit: 1}, 320 + 80 + 288, 320, 400},
		{Layout{ServerLimit: 16, ThreadLimit: 64}, 320 + 16*80 + 16*64*288, 320, 320 + 16*80},
		{Layout{ServerLimit: 3, ThreadLimit: 5}, 320 + 3*80 + 15*288, 320, 560},
	}
	for _, tt := range tests {
		if got := tt.l.Size(); got != tt.size {
			t.Errorf("%+v Size: got %d, want %d", tt.l, got, tt.size)
		}
		if got := tt.l.processOffset(); got != tt.proc {
			t.Errorf("%+v processOffset: got %d, want %d", tt.l, got, tt.proc)
		}
		if got := tt.l.workerOffset(); got != tt.work {
			t.Errorf("%+v workerOffset: got %d, want %d", tt.l, got, tt.work)
		}
		if tt.l.workerOffset()%8 != 0 {
			t.Errorf("%+v: worker array at %d is not 8-aligned", tt.l, tt.l.workerOffset())
		}
	}
}

func TestLayoutValidate(t *testing.T) {
	tests := []struct {
		l  Layout
		ok bool
	}{
		{Layout{ServerLimit: 16, ThreadLimit: 64}, true},
		{Layout{ServerLimit: 0, ThreadLimit: 64}, false},
		{Layout{ServerLimit: 16, ThreadLimit: 0}, false},
		{Layout{ServerLimit: MaxServerLimit + 1, ThreadLimit: 1}, false},
		{Layout{ServerLimit: 1, ThreadLimit: MaxThreadLimit + 1}, false},
		{Layout{ServerLimit: MaxServerLimit, ThreadLimit: MaxThreadLimit}, false}, // 576 GB
	}
	for _, tt := range tests {
		if err := tt.l.validate(); (err == nil) != tt.ok {
			t.Errorf("%+v validate: got %v, want ok=%v", tt.l, err, tt.ok)
		}
	}
}

func TestStateWords(t *testing.T) {
	for st := Dead; st < NumStatus; st++ {
		for _, gen := range []uint32{0, 1, 77, generationMask} {
			for _, since := range []uint32{0, 1_700_000_000, 1<<32 - 1} {
				w := packWorker(st, gen, since)
				if workerStatus(w) != st || workerGen(w) != gen || workerSince(w) != since {
					t.Errorf("worker word %d/%d/%d: got %d/%d/%d", st, gen, since, workerStatus(w), workerGen(w), workerSince(w))
				}
			}
		}
	}
	for _, pid := range []int{1, 4242, 1<<31 - 1} {
		for _, gen := range []uint32{0, 5, generationMask} {
			for q := 0; q <= 2; q++ {
				for _, na := range []bool{false, true} {
					w := packProcess(pid, gen, q, na)
					if procPID(w) != pid || procGen(w) != gen || procQuiescing(w) != q || procNotAccepting(w) != na {
						t.Errorf("process word %d/%d/%d/%v: got %d/%d/%d/%v", pid, gen, q, na,
							procPID(w), procGen(w), procQuiescing(w), procNotAccepting(w))
					}
					if w>>59 != 0 {
						t.Errorf("process word %#x uses reserved bits", w)
					}
				}
			}
		}
	}
}

func TestStatusLetters(t *testing.T) {
	tests := []struct {
		st     Status
		letter byte
		name   string
		busy   bool
	}{
		{Dead, '.', "Dead", false},
		{Starting, 'S', "Starting", false},
		{Ready, '_', "Ready", false},
		{BusyRead, 'R', "BusyRead", true},
		{BusyWrite, 'W', "BusyWrite", true},
		{BusyKeepAlive, 'K', "BusyKeepAlive", true},
		{BusyLog, 'L', "BusyLog", true},
		{BusyDNS, 'D', "BusyDNS", true},
		{Closing, 'C', "Closing", true},
		{Graceful, 'G', "Graceful", false},
		{IdleKill, 'I', "IdleKill", false},
		{Status(42), '?', "Status(42)", false},
	}
	for i, tt := range tests {
		if i < int(NumStatus) && int(tt.st) != i {
			t.Errorf("%s: got number %d, want %d (Apache's numbering)", tt.name, tt.st, i)
		}
		if got := tt.st.Letter(); got != tt.letter {
			t.Errorf("%s Letter: got %q, want %q", tt.name, got, tt.letter)
		}
		if got := tt.st.String(); got != tt.name {
			t.Errorf("String: got %q, want %q", got, tt.name)
		}
		if got := tt.st.Busy(); got != tt.busy {
			t.Errorf("%s Busy: got %v, want %v", tt.name, got, tt.busy)
		}
	}
}
