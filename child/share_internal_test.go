package child

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// TestSiblingsTake: a child leaves new connections to the siblings in the
// slots below its own when as many of them as it has CPUs are live and
// accepting, have a quarter of their workers idle, and stamped recently
// or are trusted while parked.
func TestSiblingsTake(t *testing.T) {
	now := time.Now()
	fresh, stale := now, now.Add(-time.Second)
	type sib struct {
		live, accepting bool
		beat            time.Time
		idle            int // of 8 workers
	}
	live := sib{true, true, fresh, 8}
	for _, tc := range []struct {
		name        string
		sibs        []sib // slots 0.., this child's slot is len(sibs)
		cpus        int
		trustParked bool
		want        bool
	}{
		{"slot 0 never leaves", nil, 1, true, false},
		{"a running sibling", []sib{live}, 1, false, true},
		{"a parked sibling, trusted", []sib{{true, true, stale, 8}}, 1, true, true},
		{"a parked sibling after a deferral it did not take", []sib{{true, true, stale, 8}}, 1, false, false},
		{"a sibling whose gate is shut", []sib{{true, false, fresh, 8}}, 1, true, false},
		{"an empty slot", []sib{{false, true, fresh, 8}}, 1, true, false},
		{"a sibling with a quarter of its workers idle", []sib{{true, true, fresh, 2}}, 1, false, true},
		{"a sibling with fewer idle", []sib{{true, true, fresh, 1}}, 1, false, false},
		{"two CPUs, one running sibling", []sib{live}, 2, true, false},
		{"two CPUs, two running siblings", []sib{live, live}, 2, false, true},
		{"two CPUs, one of two shut", []sib{live, {true, false, fresh, 8}}, 2, true, false},
		{"two CPUs, one of two busy", []sib{live, {true, true, fresh, 0}}, 2, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb, err := shm.Create(filepath.Join(t.TempDir(), "sb"), shm.Layout{ServerLimit: 4, ThreadLimit: 8})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			for i, s := range tc.sibs {
				p := sb.Process(i)
				if s.live && !p.Claim(os.Getpid()+1+i, 0) {
					t.Fatalf("claim slot %d", i)
				}
				p.SetNotAccepting(!s.accepting)
				p.Heartbeat(s.beat)
				for w := range 8 {
					p.Worker(w).Start(os.Getpid()+1+i, 0)
					if w < s.idle {
						p.Worker(w).SetStatus(shm.Ready)
					} else {
						p.Worker(w).SetStatus(shm.BusyWrite)
					}
				}
			}
			got := siblingsTake(sb, len(tc.sibs), tc.cpus, 8, now.Add(-shareFresh), tc.trustParked)
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestLeaveToSiblings: a crowded child in slot 1 takes its listeners out
// of the poller while the child in slot 0 accepts, and looks again after
// shareDefer: it takes what was left waiting, and then, for shareGrace,
// accepts unless the sibling's stamp is fresh.
func TestLeaveToSiblings(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nServerLimit 4\n", nil)
	l, sb := tc.l, tc.ch.sb
	// This child moves to slot 1; slot 0, which the harness claimed,
	// stands for a sibling.
	tc.ch.proc = sb.Process(1)
	if !tc.ch.proc.Claim(os.Getpid(), 0) {
		t.Fatal("claim")
	}
	lfd := loopbackListener(t, unix.SOCK_NONBLOCK)
	l.listeners = []*listener{{fd: lfd, addr: "127.0.0.1:0", proto: "http"}}
	if err := l.poller.AddListener(lfd); err != nil {
		t.Fatal(err)
	}
	l.hand.avail.Store(1)          // an idle worker: the gate would be open
	for i := range tc.ch.threads { // the sibling's workers, idle
		w := sb.Process(0).Worker(i)
		w.Start(os.Getpid(), 0)
		w.SetStatus(shm.Ready)
	}
	l.cpus, l.crowded, l.accepting = 1, true, true
	l.now = time.Now().UnixNano()
	sb.Process(0).Heartbeat(time.Unix(0, l.now))
	if !l.leaveToSiblings() || l.accepting || tc.ch.proc.NotAccepting() {
		t.Fatalf("a running sibling: leaves %v, polls its listeners %v, shown as not accepting %v (want true, false, false)",
			l.deferUntil != 0, l.accepting, tc.ch.proc.NotAccepting())
	}
	if l.shouldAccept() {
		t.Fatal("accepts again before shareDefer")
	}
	// A connection waits through the deferral: the sibling did not take it.
	sa, _ := unix.Getsockname(lfd)
	cfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(cfd)
	if err := unix.Connect(cfd, sa); err != nil {
		t.Fatal(err)
	}
	// While the sibling runs, what waits is its own.
	l.now += int64(shareDefer)
	sb.Process(0).Heartbeat(time.Unix(0, l.now))
	l.gateAccept()
	if l.accepted != 0 {
		t.Fatal("took a waiting connection from a running sibling")
	}
	if !l.leaveToSiblings() {
		t.Fatal("did not leave connections to a running sibling")
	}
	// A sibling that has not stamped since: the connection is this
	// child's.
	l.now += int64(shareDefer)
	sb.Process(0).Heartbeat(time.Unix(0, l.now-int64(time.Second)))
	l.gateAccept()
	if !l.accepting || tc.ch.proc.NotAccepting() || l.accepted != 1 || l.deferEnded != l.now {
		t.Fatalf("after shareDefer: accepting %v, took %d left waiting (want 1)", l.accepting, l.accepted)
	}
	// For shareGrace, a sibling with a stale stamp is not left anything...
	if l.leaveToSiblings() {
		t.Fatal("left connections to a stale sibling that left one waiting")
	}
	// ...but a sibling that runs again is, at once; and a deferral that
	// ends with nothing waiting starts no grace.
	sb.Process(0).Heartbeat(time.Unix(0, l.now))
	if !l.leaveToSiblings() {
		t.Fatal("did not leave connections to a running sibling")
	}
	ended := l.deferEnded
	l.now += int64(shareDefer)
	l.gateAccept()
	if !l.accepting || l.accepted != 1 || l.deferEnded != ended {
		t.Fatalf("nothing waiting: accepting %v, accepted %d, grace moved %v", l.accepting, l.accepted, l.deferEnded != ended)
	}
	// After shareGrace a parked sibling is trusted again.
	l.now += int64(shareGrace)
	if !l.leaveToSiblings() {
		t.Fatal("did not leave connections to a parked sibling after shareGrace")
	}
	l.now += int64(shareDefer)
	l.gateAccept()
	l.crowded = false
	if l.leaveToSiblings() {
		t.Fatal("left connections while not crowded")
	}
}
