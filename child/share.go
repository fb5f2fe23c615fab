package child

import (
	"time"

	"eventmpm/shm"
)

// Sharing the CPUs with siblings.
//
// When the live children outnumber the CPUs a child may run on (the loop is
// "crowded": StartServers 2 on one core, or 3 children on a 2-vCPU machine),
// spreading new connections over all of them buys no parallelism: the
// children take turns on the same cores, and every turn is a switch between
// processes (address space, caches) and a wake-up of a child for a handful
// of connections. Measured with the harness's 2 children on one core
// (keep-alive 1 KiB, wrk 100 connections, 6 s rounds, interleaved): with
// the connections split anywhere from 70/32 to 1/101, p99 2.50 to 2.99 ms
// and 70,000 to 87,000 requests/s; with this, 101/1 every time, p99 1.81
// to 2.20 ms and 81,000 to 91,000 requests/s (BENCHMARKS.md, the run of
// 20:55 on 2026-12-07).
//
// The price: a keep-alive connection stays with the child that accepted
// it, as in Apache, so when the handlers wait on something (a slow
// backend) the connections of the busy child wait for its workers while
// a sibling's sit idle. New connections go to the siblings once fewer than
// a quarter of its workers are idle. Children that each have a CPU are
// not affected.
//
// So a crowded child leaves the connections waiting on its listeners to
// its siblings in lower scoreboard slots while at least as many of them as
// there are CPUs are accepting and live, with a quarter of their workers
// idle or more (siblingsTake): it takes its listeners out of its
// poller for shareDefer and looks again, still shown as accepting in the
// scoreboard: it does take what they leave. The child in slot 0 always
// accepts; the others take connections when the lower ones stop accepting
// (their accept gate closed: workers busy, draining, or gone), so Apache's
// model stands: every child competes for connections it has room for, and a
// saturated child's siblings take over, now at most shareDefer later.
//
// A sibling counts when its event loop stamped the scoreboard within
// shareFresh (a crowded loop stamps its heartbeat at most every shareStamp
// while it runs). A sibling that is parked has an old stamp, but its
// listeners are in its poller and the kernel wakes it for the same
// connection, so it counts too, except within shareGrace after a deferral
// of ours ended with connections still waiting (takeLeftovers): the sibling
// did not take them, hung or stopped, and this child accepts.
const (
	shareDefer = 5 * time.Millisecond
	shareFresh = 5 * time.Millisecond
	shareStamp = time.Millisecond
	shareGrace = 100 * time.Millisecond
)

// stampActive refreshes the heartbeat of a crowded loop that is running,
// for siblings deciding whether to leave connections to it.
func (l *loop) stampActive() {
	if l.crowded && l.now-l.lastStamp >= int64(shareStamp) {
		l.lastStamp = l.now
		l.ch.proc.Heartbeat(time.Unix(0, l.now))
	}
}

// leaveToSiblings reports whether this child should leave the connections
// on its listeners to its siblings (see above), and if so takes its
// listeners out of the poller until shareDefer from now.
func (l *loop) leaveToSiblings() bool {
	if !l.crowded || l.draining || l.stopping {
		return false
	}
	if !l.siblingsTake(l.now-l.deferEnded > int64(shareGrace)) {
		return false
	}
	l.deferUntil = l.now + int64(shareDefer)
	l.sharing = true
	l.closeGate()
	return true
}

// takeLeftovers accepts, when a spell of leaving connections to the
// siblings ends and none of them has stamped recently, what they left
// waiting on the listeners. Finding any means they did not take it in
// shareDefer: for shareGrace this child then counts only siblings that
// stamped recently. Siblings that are running (a loop busy with a burst of
// new connections may take longer) are left what waits.
func (l *loop) takeLeftovers() {
	l.deferExpired = false
	if l.siblingsTake(false) {
		return
	}
	before := l.accepted
	for _, ls := range l.listeners {
		l.acceptPending(ls)
	}
	if l.accepted > before {
		l.deferEnded = l.now
	}
}

// siblingsTake is siblingsTake for this child now.
func (l *loop) siblingsTake(trustParked bool) bool {
	fresh := time.Unix(0, l.now-int64(shareFresh))
	return siblingsTake(l.ch.sb, l.ch.proc.Slot(), l.cpus, l.ch.threads, fresh, trustParked)
}

// siblingsTake reports whether at least cpus of the processes in the
// scoreboard slots below slot are live and accepting, have at least a
// quarter of their threads workers idle, and, unless trustParked, stamped
// their heartbeat at fresh or later.
//
// The idle workers: a sibling whose workers wait on something (a slow
// backend) has room for connections until its accept gate closes, but
// they would queue behind its busy workers while this child's sit idle;
// below a quarter idle, this child takes new connections too.
func siblingsTake(sb *shm.Scoreboard, slot, cpus, threads int, fresh time.Time, trustParked bool) bool {
	need := cpus
	for i := range slot {
		p := sb.Process(i)
		if p.PID() == 0 || p.NotAccepting() {
			continue
		}
		if !trustParked && p.LastHeartbeat().Before(fresh) {
			continue
		}
		if idleWorkers(p, threads) < max(1, threads/4) {
			continue
		}
		if need--; need <= 0 {
			return true
		}
	}
	return false
}

// idleWorkers counts the workers of p's first threads slots that are
// ready for a connection.
func idleWorkers(p *shm.Process, threads int) int {
	n := 0
	for t := range threads {
		if p.Worker(t).Status() == shm.Ready {
			n++
		}
	}
	return n
}
