package child

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"eventmpm/child/accesslog"
	"eventmpm/child/http1"
	"eventmpm/child/poll"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/ipc"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// Params is everything a child needs to run.
type Params struct {
	// Config is the configuration of the child's generation.
	Config *config.Config
	// Slot is the child's process slot; Generation its generation.
	Slot       int
	Generation int
	// Listeners are the listening sockets (inherited, or bound by the
	// single-process mode).
	Listeners []ipc.Listener
	// Scoreboard is the attached scoreboard; the process slot is already
	// claimed for this process.
	Scoreboard *shm.Scoreboard
	// Commands delivers the supervisor's commands (or, in single-process
	// mode, the ones signals map to).
	Commands <-chan ipc.Command
	// Ready is called once the child accepts connections (may be nil).
	Ready func()
	// Draining is called when the child starts a graceful stop (may be
	// nil): the supervisor replaces a child that recycles itself at once.
	Draining func()
	// Log is the error logger.
	Log *slog.Logger
	// LogFiles are log files opened by the parent, by CustomLog target.
	LogFiles map[string]*os.File
	// TicketKey is the TLS session ticket key the supervisor gives all
	// its children (32 bytes); without one the child makes its own.
	TicketKey []byte
}

// Child is one running child process.
type Child struct {
	cfg *config.Config
	// proxyProtocol is set when some server sets RemoteIPProxyProtocol.
	proxyProtocol bool
	pwFiles       pwFiles         // AuthUserFile contents, shared by the workers
	groupFiles    groupFiles      // AuthGroupFile contents, likewise
	mapFiles      rewriteMapFiles // RewriteMap txt: and rnd: files, likewise
	log           *slog.Logger
	sb            *shm.Scoreboard
	proc          *shm.Process
	slot          int
	gen           int
	pid           int
	threads       int
	factor        float64

	bufs   *bufferPool
	date   http1.DateCache
	server []byte // the Server header value
	ext    bool   // ExtendedStatus
	tail   bool   // SeeRequestTail
	// uniqueIDs is mod_unique_id's state, zero when it is not loaded.
	uniqueIDs uniqueIDs

	// tlsServer is the TLS configuration of every TLS connection: its
	// GetConfigForClient picks the server's by SNI (tlsForHello).
	tlsServer *tls.Config
	ticketKey [32]byte
	tlsBufs   sync.Pool // sealed output of TLS connections (tlsTransport.out)

	main    *site
	watcher *static.Watcher // the open-file caches' change notifier, shared by the sites
	vhosts  []*site
	ports   []portSites // the virtual hosts by listening port and local address
	logs    []*accesslog.Log

	dying    atomic.Bool // graceful stop under way: idle workers show G
	stopping atomic.Bool // ungraceful stop: close everything
	// workerGroup counts the workers' goroutines, retired ones included
	// (see retire.go); retired counts the latter, and tunnelBufs holds
	// the buffers tunnels read their clients with.
	workerGroup sync.WaitGroup
	// backends is the context of every wait on a backend (a proxied
	// server, a FastCGI application, a CGI program): an ungraceful stop
	// cancels it (stopBackends), so a long-poll does not hold the child.
	backends     context.Context
	stopBackends context.CancelFunc
	retired      atomic.Int32
	tunnelBufs   sync.Pool
	loop         *loop
	draining     func()
}

// Run serves until the child is told to stop (or its parent dies) and every
// connection is finished. It returns an error only when the child cannot
// start or its event loop fails.
func Run(p Params) error {
	raiseFileLimit(p.Log)
	ch, err := newChild(p)
	if err != nil {
		return err
	}
	defer ch.closeLogs()
	defer ch.closeSites()
	l, err := ch.newLoop(p.Listeners)
	if err != nil {
		return err
	}
	ch.startWorkers()
	go ch.forwardCommands(p.Commands)
	ch.proc.Heartbeat(time.Now())
	if p.Ready != nil {
		p.Ready()
	}
	err = l.run()
	l.hand.close()
	ch.workerGroup.Wait() // the tunnels' goroutines too, which log on their way out
	l.poller.Close()
	if err != nil {
		return fmt.Errorf("child %d: %w", p.Slot, err)
	}
	return nil
}

func newChild(p Params) (*Child, error) {
	cfg := p.Config
	ch := &Child{
		cfg: cfg, log: p.Log, sb: p.Scoreboard, slot: p.Slot, gen: p.Generation,
		pid: os.Getpid(), threads: cfg.MPM.ThreadsPerChild, factor: cfg.MPM.AsyncRequestWorkerFactor,
		ext: cfg.ExtendedStatus, tail: cfg.SeeRequestTail, draining: p.Draining, uniqueIDs: newUniqueIDs(cfg),
	}
	ch.proc = p.Scoreboard.Process(p.Slot)
	ch.backends, ch.stopBackends = context.WithCancel(context.Background())
	ch.bufs = newBufferPool(4096)
	ch.server = []byte(serverHeader(cfg.ServerTokens))
	key, err := ticketKeyFor(p.TicketKey)
	if err != nil {
		return nil, fmt.Errorf("TLS session ticket key: %w", err)
	}
	ch.ticketKey = key
	ch.tlsServer = &tls.Config{GetConfigForClient: ch.tlsForHello}
	ch.tlsBufs.New = func() any {
		b := make([]byte, 0, tlsOutBufSize)
		return &b
	}
	if err := ch.buildSites(p.LogFiles); err != nil {
		ch.closeSites()
		ch.closeLogs()
		return nil, err
	}
	return ch, nil
}

func (ch *Child) newLoop(lns []ipc.Listener) (*loop, error) {
	pl, err := poll.New()
	if err != nil {
		return nil, err
	}
	l := &loop{
		ch: ch, log: ch.log, poller: pl,
		conns:       make([]*conn, 1024),
		events:      make([]poll.Event, 256),
		maxAccepted: int64(ch.cfg.MPM.MaxConnectionsPerChild),
		now:         time.Now().UnixNano(),
		yield:       yieldCPU,
		cpus:        runtime.NumCPU(),
	}
	l.newQ.name, l.keepAliveQ.name, l.readQ.name, l.writeQ.name, l.lingerQ.name, l.handshakeQ.name =
		"new", "keep-alive", "read", "write", "linger", "handshake"
	for _, ln := range lns {
		if err := unix.SetNonblock(ln.Fd, true); err != nil {
			pl.Close()
			return nil, os.NewSyscallError("fcntl", err)
		}
		l.listeners = append(l.listeners, newListener(ln))
	}
	ch.loop = l
	l.gateAccept()
	return l, nil
}

func newListener(ln ipc.Listener) *listener {
	ls := &listener{fd: ln.Fd, addr: ln.Addr, proto: ln.Proto, stamped: stampArrivals(ln.Fd)}
	if sa, err := unix.Getsockname(ln.Fd); err == nil {
		ls.local = sockaddrToAddrPort(sa)
		ls.port = int(ls.local.Port())
	}
	return ls
}

// startWorkers starts ThreadsPerChild workers, each in its scoreboard slot.
func (ch *Child) startWorkers() {
	ch.tunnelBufs.New = func() any { b := make([]byte, tunnelChunk); return &b }
	for i := 0; i < ch.threads; i++ {
		slot := ch.proc.Worker(i)
		if !slot.Start(ch.pid, ch.gen) {
			// The slot was left by a previous child that was not reaped
			// cleanly; take it over, we own the process slot.
			slot.MarkDead()
			slot.Start(ch.pid, ch.gen)
		}
		w := ch.newWorker(i, slot)
		w.logs = ch.newLogBuffers()
		ch.workerGroup.Add(1)
		go func() {
			defer ch.workerGroup.Done()
			w.run()
		}()
	}
}

// newWorker makes a worker for the scoreboard slot, without log buffers.
func (ch *Child) newWorker(id int, slot *shm.Worker) *worker {
	w := &worker{ch: ch, l: ch.loop, id: id, slot: slot, wait: newWaiter()}
	w.entryAccessFn = w.entryAccess
	w.req.ContentLength = -1
	w.reply = new(static.Reply)
	return w
}

// newLogBuffers makes a worker's buffers for the access logs.
func (ch *Child) newLogBuffers() []*accesslog.Buffer {
	bufs := make([]*accesslog.Buffer, 0, len(ch.logs))
	for _, lg := range ch.logs {
		bufs = append(bufs, lg.NewBuffer())
	}
	return bufs
}

// forwardCommands turns the supervisor's commands into loop requests.
func (ch *Child) forwardCommands(cmds <-chan ipc.Command) {
	if cmds == nil {
		return
	}
	for cmd := range cmds {
		switch cmd {
		case ipc.CommandGraceful:
			ch.loop.requests.Or(reqGraceful)
		case ipc.CommandParentGone:
			ch.log.Warn("parent process gone: stopping gracefully", "module", "mpm_event")
			ch.loop.requests.Or(reqGraceful)
		case ipc.CommandStop:
			ch.loop.requests.Or(reqStop)
		case ipc.CommandReopenLogs:
			ch.loop.requests.Or(reqReopenLogs)
		}
		ch.loop.poller.Wake()
	}
}

// markIdleGraceful shows every idle worker as G once a graceful stop starts.
func (ch *Child) markIdleGraceful() {
	for i := 0; i < ch.threads; i++ {
		if slot := ch.proc.Worker(i); slot.Status() == shm.Ready {
			slot.SetStatus(shm.Graceful)
		}
	}
}

// reopenLogs reopens every access log (log rotation).
func (ch *Child) reopenLogs() {
	for _, lg := range ch.logs {
		if err := lg.Reopen(); err != nil {
			ch.log.Error("cannot reopen access log", "module", "log_config", "log", lg.Name(), "err", err)
		}
	}
}

func (ch *Child) closeLogs() {
	for _, lg := range ch.logs {
		lg.Close()
	}
}

// closeFd closes a connection's descriptor.
func (ch *Child) closeFd(fd int) { closeSocket(fd) }

// newDeadline is the deadline for a new connection's first request: the
// header stage of its base server's RequestReadTimeout, or its Timeout
// when that stage is off.
func (ch *Child) newDeadline(c *conn, now int64) int64 {
	if c.base.readTO.Timeout > 0 {
		return now + int64(c.base.readTO.Timeout)
	}
	return now + c.base.timeout
}

// readDeadline is the deadline of a partly received request head:
// mod_reqtimeout's header stage, extended by one second per MinRate bytes
// received, up to its maximum.
func (ch *Child) readDeadline(c *conn) int64 {
	st := c.base.readTO
	if st.Timeout <= 0 {
		return nowNano() + c.base.timeout
	}
	d := st.Timeout
	if st.MinRate > 0 {
		d += time.Duration(c.stageBytes/st.MinRate) * time.Second
		if st.Max > 0 && d > st.Max {
			d = st.Max
		}
	}
	return c.stageStart + int64(d)
}

// localAddr returns the connection's local address.
func (c *conn) localAddr() netip.Addr { return c.localAddrPort().Addr() }

// localAddrPort returns the address and port the connection arrived on
// (Apache's c->local_addr): the listener's own when it is bound to one
// address, else the socket's, looked up once per connection (getsockname
// allocates, and the access log asks on every request). It is the zero
// AddrPort when the lookup fails.
func (c *conn) localAddrPort() netip.AddrPort {
	if a := c.lst.local.Addr(); a.IsValid() && !a.IsUnspecified() {
		return c.lst.local
	}
	if !c.localKnown {
		c.localKnown = true
		if sa, err := unix.Getsockname(c.fd); err == nil {
			c.local = sockaddrToAddrPort(sa)
		}
	}
	return c.local
}

// raiseFileLimit raises the soft descriptor limit to the hard one, so idle
// keep-alive connections are bounded by the system rather than by a
// conservative default (SPEC.md 0).
func raiseFileLimit(log *slog.Logger) {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur >= rl.Max {
		return
	}
	old := rl.Cur
	rl.Cur = rl.Max
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		log.Warn("cannot raise the descriptor limit", "module", "mpm_event",
			"soft", strconv.FormatUint(uint64(old), 10), "err", err)
	}
}

func nowNano() int64 { return time.Now().UnixNano() }

// scoreboardFault repairs the scoreboard after a fault in its mapping (the
// file was truncated under the running server) and logs what it did, once
// per fault burst.
func (ch *Child) scoreboardFault() {
	what, err := ch.sb.RecoverFault()
	if err != nil {
		ch.log.Error("scoreboard fault: cannot recover", "module", "mpm_event", "err", err)
		return
	}
	ch.log.Error("scoreboard fault: "+what, "module", "mpm_event")
}
