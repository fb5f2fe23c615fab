package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/internal/sdnotify"
	"eventmpm/supervisor"

	"github.com/urfave/cli/v2"
)

// daemonEnv marks the re-executed, detached supervisor; its value is the
// descriptor of the pipe on which it reports that startup finished.
const daemonEnv = "EVENTMPM_DAEMON_READY_FD"

// hangTimeoutEnv, when set to a duration, bounds how long a child may make
// no progress before the supervisor kills it (supervisor.Options.HangTimeout);
// only the tests use it.
const hangTimeoutEnv = "EVENTMPM_HANG_TIMEOUT"

// syslogSocketEnv is a hidden knob for the integration tests: the socket
// of the system logger for ErrorLog syslog instead of /dev/log.
const syslogSocketEnv = "EVENTMPM_SYSLOG_SOCKET"

// upgradeTimeoutEnv, when set to a duration, replaces
// supervisor.UpgradeTimeout; only the tests use it.
const upgradeTimeoutEnv = "EVENTMPM_UPGRADE_TIMEOUT"

// startServer starts the supervisor: in the foreground with --foreground
// or -D FOREGROUND, otherwise detached (re-executed in a new session) and
// returning once the server is ready or has failed to start.
//
// Under socket activation (LISTEN_FDS for this pid) it stays in the
// foreground: the service manager that passed the sockets is the one
// watching the process, and a detached copy would not be their LISTEN_PID.
func startServer(c *cli.Context, cfg *config.Config) error {
	inherited, err := supervisor.SocketActivation()
	if err != nil {
		return cli.Exit("eventmpm: "+err.Error(), exitFailure)
	}
	readyFd := os.Getenv(daemonEnv)
	if !c.Bool("foreground") && !hasDefine(c, foregroundFlag) && readyFd == "" && inherited == nil {
		return daemonize(c)
	}
	var notify *os.File
	if readyFd != "" {
		os.Unsetenv(daemonEnv)
		notify = os.NewFile(3, "ready")
	}
	err = runSupervisor(c, cfg, notify, func(o *supervisor.Options) { o.Inherited = inherited })
	if notify != nil && err != nil {
		fmt.Fprintln(notify, "error:", err)
	}
	return err
}

// startUpgraded runs a supervisor an old one started in a live upgrade,
// in the foreground whatever the arguments say (the old one is detached
// already, or in the foreground of its service manager). Whatever stops
// it before its first generation is ready, a broken configuration
// included, is reported on the readiness pipe, so the old supervisor and
// `eventmpm upgrade` can say why.
func startUpgraded(c *cli.Context, up *supervisor.Upgrade, err error) error {
	if err != nil {
		return cli.Exit("eventmpm: "+err.Error(), exitFailure)
	}
	cfg, err := loadConfig(c)
	if err == nil {
		err = runSupervisor(c, cfg, up.Ready, func(o *supervisor.Options) { o.Upgrade = up })
	}
	if err != nil {
		fmt.Fprintln(up.Ready, "error:", err)
	}
	return err
}

// runSupervisor runs the parent process until it stops.
func runSupervisor(c *cli.Context, cfg *config.Config, notify *os.File, with func(*supervisor.Options)) error {
	exe, err := childExecutable()
	if err != nil {
		return cli.Exit("eventmpm: cannot find my own executable: "+err.Error(), exitFailure)
	}
	// Read (and unset, so children never see it) NOTIFY_SOCKET before
	// anything is started.
	notifier, notifyErr := sdnotify.FromEnv()
	errFile, log, err := openErrorLog(cfg)
	if err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	if errFile != nil {
		defer errFile.Close()
	}
	opts := supervisor.Options{
		Config: cfg, Executable: exe, Argv0: os.Args[0], Log: log, ChildStderr: os.Stderr,
		SyslogSocket: os.Getenv(syslogSocketEnv),
		Reload: func(prev *config.Config) (*config.Config, error) {
			o := loadOptions(c)
			o.Previous = prev
			return config.Load(o)
		},
		Ready: func() {
			if notify != nil {
				fmt.Fprintln(notify, "ok")
				notify.Close()
			}
		},
	}
	if errFile != nil {
		opts.ErrorLog = errFile
	}
	opts.Notifier = notifier
	if notifyErr != nil {
		log.Warn(notifyErr.Error()+"; not notifying the service manager", "module", "core")
	}
	opts.Args = os.Args[1:]
	with(&opts)
	// A hidden knob for the integration tests: a shorter bound on hung
	// children than supervisor.HangTimeout (10 s), e.g. "2s".
	if d, err := time.ParseDuration(os.Getenv(hangTimeoutEnv)); err == nil {
		opts.HangTimeout = d
	}
	if d, err := time.ParseDuration(os.Getenv(upgradeTimeoutEnv)); err == nil {
		opts.UpgradeTimeout = d
	}
	supervisor.Notice(log, "Command line: '"+strings.Join(os.Args, " ")+"'", "module", "core", "ah", "AH00094")
	if err := supervisor.Run(opts); err != nil {
		if xe, ok := err.(*supervisor.ExitError); ok {
			// The reason is in the error log; say where, also to a start
			// command waiting for a detached server.
			return cli.Exit(fmt.Sprintf("eventmpm: the server stopped with exit code %d; see the error log %s", xe.Code, cfg.ErrorLog), xe.Code)
		}
		return cli.Exit(err.Error(), exitFailure)
	}
	return nil
}

// openErrorLog opens ErrorLog for the supervisor: a file, a piped logger
// program ("|command") or the system logger ("syslog[:facility]"), which
// the supervisor's children inherit too.
func openErrorLog(cfg *config.Config) (supervisor.ErrorLogFile, *slog.Logger, error) {
	f, err := supervisor.OpenErrorLog(cfg.ErrorLog, os.Getenv(syslogSocketEnv), os.Stderr)
	if err != nil {
		return nil, nil, err
	}
	return f, errorlog.New(f, errorlog.OptionsFor(cfg.LogLevel, cfg.Server.ErrorLogFormat, cfg.Server.ServerName)), nil
}

// selfExe names the running binary itself where the system has such a
// name (Linux's procfs).
const selfExe = "/proc/self/exe"

// childExecutable is the binary children are started from: the running
// one itself where the system can name it (see supervisor.Options), else
// its path.
func childExecutable() (string, error) {
	if _, err := os.Stat(selfExe); err == nil {
		return selfExe, nil
	}
	return os.Executable()
}

// daemonize re-executes this command detached (a new session, standard
// streams on /dev/null) and waits until the server reports it is ready or
// failed, so `eventmpm start` fails visibly when the server cannot start.
func daemonize(c *cli.Context) error {
	exe, err := os.Executable()
	if err != nil {
		return cli.Exit("eventmpm: "+err.Error(), exitFailure)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return cli.Exit("eventmpm: "+err.Error(), exitFailure)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return cli.Exit("eventmpm: "+err.Error(), exitFailure)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), daemonEnv+"=3")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stdin, cmd.Stdout = devnull, devnull
	cmd.Stderr = devnull
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return cli.Exit("eventmpm: cannot start the server: "+err.Error(), exitFailure)
	}
	w.Close()
	devnull.Close()
	go cmd.Wait()
	return waitDaemon(r, 60*time.Second)
}

// waitDaemon reads the detached server's startup report.
func waitDaemon(r *os.File, limit time.Duration) error {
	r.SetReadDeadline(time.Now().Add(limit))
	line, err := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSpace(line)
	switch {
	case line == "ok":
		return nil
	case strings.HasPrefix(line, "error:"):
		msg := strings.TrimSpace(strings.TrimPrefix(line, "error:"))
		if !strings.HasPrefix(msg, "eventmpm:") {
			msg = "eventmpm: " + msg
		}
		return cli.Exit(msg, exitFailure)
	case err != nil:
		return cli.Exit("eventmpm: the server exited during startup; see the error log", exitFailure)
	}
	return cli.Exit("eventmpm: unexpected startup report: "+line, exitFailure)
}
