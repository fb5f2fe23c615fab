package child

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

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
	status := os.NewFile(uintptr(m.StatusFd), "status")
	err = Run(Params{
		Config: cfg, Slot: m.Slot, Generation: int(m.Generation), Listeners: m.Listeners,
		Scoreboard: sb, Commands: ipc.ReadCommands(os.NewFile(uintptr(m.ControlFd), "control")),
		Ready:    func() { _ = ipc.Notify(status, ipc.StatusReady) },
		Log:      log,
		LogFiles: logFiles,
	})
	if err != nil {
		log.Error("child failed", "module", "mpm_event", "err", err)
		return ExitSick
	}
	return ExitOK
}

// NewErrorLogger makes the error logger of a configuration: to the given
// file when there is one (inherited from the parent), else to fallback.
func NewErrorLogger(cfg *config.Config, f *os.File, fallback io.Writer) *slog.Logger {
	spec, err := errorlog.ParseLogLevel(strings.Fields(cfg.LogLevel)...)
	if err != nil {
		spec = errorlog.LevelSpec{Level: errorlog.DefaultLevel}
	}
	var w io.Writer = fallback
	if f != nil {
		w = f
	}
	return errorlog.New(w, errorlog.Options{Level: spec.Level, Modules: spec.Modules})
}
