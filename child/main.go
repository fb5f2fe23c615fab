package child

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/ipc"
	"eventmpm/shm"
)

// Exit codes of a child process, as Apache's (SPEC.md 3.1): the supervisor
// stops the whole server on ExitFatal from a current-generation child and
// slows respawning on ExitSick.
const (
	ExitOK    = 0
	ExitSick  = 0x7 // APEXIT_CHILDSICK
	ExitFatal = 0xf // APEXIT_CHILDFATAL
)

// Main runs a child started by the supervisor from its manifest and returns
// the process exit code. Errors before serving starts are fatal for the
// server (a configuration the parent accepted cannot work here); later ones
// make the child sick.
func Main(m *ipc.Manifest, stderr io.Writer) int {
	cfg, err := config.Unmarshal(m.Config)
	if err != nil {
		fmt.Fprintf(stderr, "eventmpm child %d: %v\n", m.Slot, err)
		return ExitFatal
	}
	logFiles := map[string]*os.File{}
	for _, lf := range m.Logs {
		logFiles[lf.Target] = os.NewFile(uintptr(lf.Fd), lf.Target)
	}
	log := NewErrorLogger(cfg, logFiles[cfg.ErrorLog], stderr)
	sb, err := shm.Attach(os.NewFile(uintptr(m.ScoreboardFd), "scoreboard"))
	if err != nil {
		log.Error("cannot attach the scoreboard", "module", "mpm_event", "err", err)
		return ExitFatal
	}
	if !sb.Process(m.Slot).Claim(os.Getpid(), int(m.Generation)) {
		log.Error(fmt.Sprintf("scoreboard slot %d is held by another process", m.Slot), "module", "mpm_event")
		return ExitFatal
	}
	status := os.NewFile(uintptr(m.StatusFd), "status")
	err = Run(Params{
		Config: cfg, Slot: m.Slot, Generation: int(m.Generation), Listeners: m.Listeners,
		Scoreboard: sb, Commands: childCommands(os.NewFile(uintptr(m.ControlFd), "control")),
		Ready:     func() { _ = ipc.Notify(status, ipc.StatusReady) },
		Draining:  func() { _ = ipc.Notify(status, ipc.StatusDraining) },
		Log:       log,
		LogFiles:  logFiles,
		TicketKey: m.TicketKey,
	})
	if err != nil {
		log.Error("child failed", "module", "mpm_event", "err", err)
		return ExitSick
	}
	return ExitOK
}

// childCommands merges the control pipe with SIGTERM, which the supervisor
// sends to stop a child now (and escalates to SIGKILL). The signals an
// operator's terminal sends to the whole process group are the parent's to
// handle, so the child ignores them.
func childCommands(control *os.File) <-chan ipc.Command {
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGPIPE)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	out := make(chan ipc.Command, 8)
	pipe := ipc.ReadCommands(control)
	go func() {
		for {
			select {
			case cmd, ok := <-pipe:
				if !ok {
					return
				}
				out <- cmd
			case <-term:
				out <- ipc.CommandStop
			}
		}
	}()
	return out
}

// NewErrorLogger makes the error logger of a configuration: to the given
// file when there is one (inherited from the parent), else to fallback.
func NewErrorLogger(cfg *config.Config, f *os.File, fallback io.Writer) *slog.Logger {
	var w io.Writer = fallback
	if f != nil {
		w = f
	}
	return errorlog.New(w, errorlog.OptionsFor(cfg.LogLevel, cfg.Server.ErrorLogFormat, cfg.Server.ServerName))
}
