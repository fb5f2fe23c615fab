package supervisor

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/internal/sdnotify"
	"eventmpm/internal/version"
	"eventmpm/ipc"
	"eventmpm/shm"
)

// HangTimeout is how old a ready child's heartbeat may grow before the
// child counts as hung and is killed and replaced.
const HangTimeout = 10 * time.Second

// tick is the maintenance interval (Apache's one-second ap_wait_or_timeout).
const tick = time.Second

// Options configure Run.
type Options struct {
	// Config is the configuration to start with.
	Config *config.Config
	// Reload reads the configuration again on a restart; prev is the
	// running one. It must not have side effects beyond reading files.
	Reload func(prev *config.Config) (*config.Config, error)
	// Executable is the binary children are started from: on Linux
	// /proc/self/exe, the very binary this process runs even once a
	// package upgrade replaced the file at its path, so a respawned child
	// never runs code its supervisor does not speak to (Apache and nginx
	// fork, and get that for free). Argv0 is what children show as their
	// name in ps (os.Args[0]); empty uses Executable.
	Executable string
	Argv0      string
	// Log is the error logger; ErrorLog, when set, is its file, reopened on
	// graceful restart. When Log's handler is an *errorlog.Handler, a
	// restart that changes ErrorLog or LogLevel redirects it (Run then owns
	// the error log it opened, and closes it when it returns; the caller
	// still closes ErrorLog).
	Log      *slog.Logger
	ErrorLog ErrorLogFile
	// SyslogSocket is where a restart's new "ErrorLog syslog" reaches the
	// system logger; "" tries errorlog.DefaultSyslogSockets.
	SyslogSocket string
	// Ready is called once the first generation is ready (may be nil).
	Ready func()
	// Notifier tells a service manager about readiness, reloads and
	// stops (systemd's Type=notify); nil tells nothing.
	Notifier *sdnotify.Notifier
	// ChildStderr receives the children's standard error (nil: discarded).
	ChildStderr *os.File
	// HangTimeout replaces the package's HangTimeout when positive; it is
	// at least 2 s (a child's heartbeat comes about once a second). Tests
	// set it to prove the mechanism without waiting 10 s.
	HangTimeout time.Duration
	// Inherited are listening sockets passed in by a service manager
	// (SocketActivation); they are adopted instead of bound
	// (InheritListeners).
	Inherited []*os.File
	// Upgrade is set when an old supervisor started this one in a live
	// upgrade (UpgradeFromEnv).
	Upgrade *Upgrade
	// Args are the command-line arguments (without the program name) a
	// live upgrade starts the new binary with.
	Args []string
	// UpgradeTimeout replaces UpgradeTimeout when positive.
	UpgradeTimeout time.Duration
}

// Reopener is a log file that can be reopened (log rotation).
type Reopener interface {
	Reopen() error
	File() *os.File
}

// Supervisor is the running parent process.
type Supervisor struct {
	opts       Options
	cfg        *config.Config
	log        *slog.Logger
	gen        int // the current generation
	lastGen    int // the highest generation started
	servingGen int // during a graceful restart, the generation still serving
	listeners  []Listener
	sb         *shm.Scoreboard
	snap       shm.Snapshot
	slots      []*childProc // by process slot
	byPID      map[int]*childProc
	logFiles   []logFile // the current generation's log files, for children
	// ticketKey is the TLS session ticket key every child gets (random,
	// made once per supervisor: a restart keeps sessions resumable).
	ticketKey []byte
	// name is this process's name, which children take (ipc.NameEnv).
	name string

	pipedLogs    map[string]*PipedLog // running piped log programs, by target
	retiredLogs  []*PipedLog          // programs only old generations use
	pipesClosing sync.WaitGroup       // PipedLog.Close calls under way
	// errorLogOwned: a restart switched the error log to one Run opened
	errorLogOwned bool

	sigC    chan os.Signal
	exitC   chan childExit
	statusC chan childStatus

	spawnRate     int
	holdOff       int
	killedInARow  int
	everReady     bool
	loggedMaxReq  bool
	loggedMinSpar bool
	crashDelay    time.Duration
	owed          int // children to start once nextSpawnOK passes
	nextSpawnOK   time.Time
	pendingGen    int       // generation waiting to become ready before the old drains
	pendingSince  time.Time // when the pending generation was started
	pendingFailed bool      // a child of the pending generation died before it was ready
	restartQueued bool      // a graceful restart waits for the pending generation
	queuedAt      time.Time // since when
	stopping      bool      // stop or graceful-stop under way
	gracefulStop  bool
	stopDeadline  time.Time // GracefulShutdownTimeout
	readyCalled   bool
	sd            notifyState       // what the service manager was told
	prevCfg       *config.Config    // the configuration before a restart, until its generation is ready
	sbDeleted     bool              // the scoreboard file was unlinked: recreate at the next restart
	sbReported    bool              // a scoreboard problem was logged
	oldBoards     []*shm.Scoreboard // replaced scoreboards, still used by old children
	exitCode      int

	upgrade    *upgradeProc // a live upgrade under way (old side)
	upgradeC   chan upgradeResult
	handedOver bool // a live upgrade succeeded: the new supervisor owns the PidFile
	ownsHeader bool // this supervisor writes the scoreboard header (not before an upgraded one is ready)
	// foreignStopped: the previous supervisor's children stopped to make room
	foreignStopped map[int]bool
}

// Run starts the server and serves until it is stopped. It returns when
// every child is gone. The caller has written no PidFile; Run does.
func Run(opts Options) error {
	s := &Supervisor{
		opts: opts, cfg: opts.Config, log: opts.Log, byPID: map[int]*childProc{},
		sigC: make(chan os.Signal, 16), exitC: make(chan childExit, 64),
		statusC: make(chan childStatus, 64), spawnRate: 1, pendingGen: -1,
		upgradeC: make(chan upgradeResult, 1), ownsHeader: opts.Upgrade == nil,
		pipedLogs: map[string]*PipedLog{}, ticketKey: make([]byte, 32), name: ipc.ProcessName(),
	}
	if _, err := rand.Read(s.ticketKey); err != nil {
		return fmt.Errorf("supervisor: TLS session ticket key: %w", err)
	}
	if err := s.start(); err != nil {
		return err
	}
	defer s.cleanup()
	return s.loop()
}

// start binds (or adopts) the listeners, creates (or, in a live upgrade,
// shares) the scoreboard, writes the PidFile and starts the first
// generation. In a live upgrade the PidFile and the scoreboard header are
// written only once the first generation is ready (takeOverHeader).
func (s *Supervisor) start() error {
	s.becomeReaper()
	signal.Notify(s.sigC, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH)
	lns, err := s.openListeners()
	if err != nil {
		return err
	}
	s.listeners = lns
	sb, err := s.openScoreboard()
	if err != nil {
		CloseListeners(lns)
		return fmt.Errorf("scoreboard: %w", err)
	}
	s.sb = sb
	s.slots = make([]*childProc, sb.Layout().ServerLimit)
	if up := s.opts.Upgrade; up != nil {
		s.gen, s.lastGen = up.Generation+1, up.Generation+1
	}
	s.publishInfo()
	if s.ownsHeader {
		if err := writePidFile(s.cfg.PidFile, s.log, true); err != nil {
			s.sb.Close()
			CloseListeners(lns)
			return err
		}
	}
	s.adoptErrorPipe()
	if err := s.openLogFiles(); err != nil {
		s.closeAllPipedLogs()
		return err
	}
	s.logResuming()
	s.startChildren(s.cfg.MPM.StartServers)
	s.setPending()
	return nil
}

// logResuming writes the lines Apache writes as each generation starts
// (SPEC.md 4.1): at start and after every restart, so a changed ErrorLog
// begins with them.
func (s *Supervisor) logResuming() {
	notice(s.log, version.Description+" configured -- resuming normal operations", "module", "mpm_event", "ah", "AH00489")
	notice(s.log, "Server built: "+version.Built(), "module", "core", "ah", "AH00490")
}

// openListeners binds the Listen directives, or adopts the sockets a
// service manager or an old supervisor passed in.
func (s *Supervisor) openListeners() ([]Listener, error) {
	switch {
	case s.opts.Upgrade != nil:
		return InheritListeners(s.opts.Upgrade.Listeners, s.cfg, s.log)
	case len(s.opts.Inherited) > 0:
		return InheritListeners(s.opts.Inherited, s.cfg, s.log)
	}
	return BindListeners(s.cfg)
}

// scoreboardLayout sizes the scoreboard: twice ServerLimit process slots,
// the headroom draining generations use.
func scoreboardLayout(cfg *config.Config) shm.Layout {
	return shm.Layout{ServerLimit: 2 * cfg.MPM.ServerLimit, ThreadLimit: cfg.MPM.ThreadLimit}
}

// publishInfo writes the configuration's figures into the scoreboard header.
func (s *Supervisor) publishInfo() {
	if !s.ownsHeader {
		return
	}
	s.sb.SetServerInfo(shm.ServerInfo{
		ServerName: s.cfg.Server.ServerName, ThreadsPerChild: s.cfg.MPM.ThreadsPerChild,
		ActiveDaemonsLimit: s.cfg.MPM.ActiveDaemonsLimit, MaxRequestWorkers: s.cfg.MPM.MaxRequestWorkers,
		ExtendedStatus: s.cfg.ExtendedStatus,
	})
	s.sb.SetGeneration(s.gen)
	s.sb.SetParentPID(os.Getpid())
}

// loop is the supervisor's one select loop.
func (s *Supervisor) loop() error {
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	watchdogC, stopWatchdog := s.watchdog()
	defer stopWatchdog()
	defer s.guardFaults()()
	for !s.done() {
		s.handleEvent(ticker.C, watchdogC)
	}
	return s.finalError()
}

// handleEvent waits for and handles one event of the loop.
func (s *Supervisor) handleEvent(tickC, watchdogC <-chan time.Time) {
	defer s.recoverFault()
	select {
	case sig := <-s.sigC:
		s.onSignal(sig)
	case ex := <-s.exitC:
		s.reap(ex)
	case st := <-s.statusC:
		s.onStatus(st)
	case <-tickC:
		s.maintain()
	case res := <-s.upgradeC:
		s.onUpgradeResult(res)
	case <-watchdogC:
		s.notify(sdnotify.Watchdog)
	}
}

// done reports whether a stop has finished: no child left.
func (s *Supervisor) done() bool { return s.stopping && len(s.byPID) == 0 && s.upgrade == nil }

func (s *Supervisor) finalError() error {
	if s.exitCode != 0 {
		return &ExitError{Code: s.exitCode}
	}
	return nil
}

// ExitError is returned by Run when the server stops because of a fatal
// child error; Code is the process exit code to use.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("supervisor: exiting with code %d", e.Code) }

// cleanup releases what start acquired.
func (s *Supervisor) cleanup() {
	signal.Stop(s.sigC)
	CloseListeners(s.listeners)
	s.closeLogFiles()
	s.closeAllPipedLogs()
	if s.errorLogOwned {
		s.opts.ErrorLog.Close()
	}
	if s.sb != nil {
		s.sb.Close()
	}
	for _, sb := range s.oldBoards {
		sb.Close()
	}
}

// notice logs at Apache's notice level, which the error log always shows.
func notice(log *slog.Logger, msg string, args ...any) {
	log.Log(context.Background(), errorlog.LevelNotice, msg, args...)
}

// Notice logs at Apache's notice level (for the command's startup lines).
func Notice(log *slog.Logger, msg string, args ...any) { notice(log, msg, args...) }
