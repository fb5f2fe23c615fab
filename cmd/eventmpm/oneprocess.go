package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"eventmpm/child"
	"eventmpm/config"
	"eventmpm/internal/version"
	"eventmpm/ipc"
	"eventmpm/shm"
	"eventmpm/supervisor"

	"golang.org/x/sys/unix"

	"github.com/urfave/cli/v2"
)

// startOneProcess is `start -X` (httpd -X, -D ONE_PROCESS): one child in
// the foreground, binding the listeners itself, without a supervisor. TERM
// and INT stop it at once and WINCH stops it gracefully; HUP and USR1 are
// not caught, as in Apache's debug mode.
func startOneProcess(c *cli.Context) error {
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	errFile, log, err := openErrorLog(cfg)
	if err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	if errFile != nil {
		defer errFile.Close()
	}
	lns, err := supervisor.BindListeners(cfg)
	if err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	sb, err := openScoreboard(cfg)
	if err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	defer sb.Close()
	proc := sb.Process(0)
	proc.Claim(os.Getpid(), 0)
	defer proc.Release()

	cmds := make(chan ipc.Command, 4)
	sigC := make(chan os.Signal, 4)
	signal.Notify(sigC, syscall.SIGTERM, syscall.SIGINT, syscall.SIGWINCH)
	defer signal.Stop(sigC)
	go forwardSignals(sigC, cmds)

	params := child.Params{
		Config: cfg, Slot: 0, Generation: 0, Scoreboard: sb, Commands: cmds, Log: log,
		Listeners: make([]ipc.Listener, len(lns)),
	}
	for i, l := range lns {
		// Give the child its own descriptors, as inherited ones would be:
		// it closes them when it stops accepting.
		fd, err := unix.FcntlInt(l.File.Fd(), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return cli.Exit("eventmpm: dup listener: "+err.Error(), exitFailure)
		}
		params.Listeners[i] = ipc.Listener{Fd: fd, Addr: l.Addr, Proto: l.Proto}
	}
	// The child owns the only copies now: when it stops accepting (a
	// graceful stop), the ports close and new connections are refused.
	supervisor.CloseListeners(lns)
	params.Ready = func() {
		supervisor.Notice(log, version.Description+" (single process) configured -- resuming normal operations", "module", "mpm_event", "ah", "AH00489")
	}
	if path := os.Getenv("EVENTMPM_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return cli.Exit(err.Error(), exitFailure)
		}
		defer stop()
	}
	if err := child.Run(params); err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	return nil
}

// forwardSignals maps the debug mode's signals to child commands.
func forwardSignals(sigC <-chan os.Signal, cmds chan<- ipc.Command) {
	for s := range sigC {
		if s == syscall.SIGWINCH {
			cmds <- ipc.CommandGraceful
		} else {
			cmds <- ipc.CommandStop
		}
	}
}

// openScoreboard creates the scoreboard file for a configuration and fills
// in its header.
func openScoreboard(cfg *config.Config) (*shm.Scoreboard, error) {
	sb, err := shm.Create(cfg.ScoreBoardFile, shm.Layout{ServerLimit: cfg.MPM.ServerLimit, ThreadLimit: cfg.MPM.ThreadLimit})
	if err != nil {
		return nil, err
	}
	sb.SetServerInfo(shm.ServerInfo{
		ServerName: cfg.Server.ServerName, ThreadsPerChild: cfg.MPM.ThreadsPerChild,
		ActiveDaemonsLimit: cfg.MPM.ActiveDaemonsLimit, MaxRequestWorkers: cfg.MPM.MaxRequestWorkers,
		ExtendedStatus: cfg.ExtendedStatus,
	})
	return sb, nil
}

// startCPUProfile writes a CPU profile of the single-process mode to path
// (EVENTMPM_CPUPROFILE, a debugging aid for performance work).
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
