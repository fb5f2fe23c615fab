package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"eventmpm/supervisor"

	"github.com/urfave/cli/v2"
)

// verbSignals is the verb↔signal table (SPEC.md 4.1): each verb that acts
// on a running server is one signal to the supervisor named by PidFile.
var verbSignals = map[string]syscall.Signal{
	"stop":          syscall.SIGTERM,
	"restart":       syscall.SIGHUP,
	"graceful":      syscall.SIGUSR1,
	"graceful-stop": syscall.SIGWINCH,
	"upgrade":       syscall.SIGUSR2, // beyond Apache: nginx's binary upgrade
}

func verbs() []*cli.Command {
	return []*cli.Command{
		{
			Name:  "start",
			Usage: "start the server (daemonised unless --foreground)",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "foreground", Usage: "keep the supervisor in the foreground (also -D FOREGROUND)"},
				&cli.BoolFlag{Name: "X", Usage: "run one child in the foreground without a supervisor (also -D ONE_PROCESS)"},
			},
			Action: func(c *cli.Context) error { return runVerb(c, "start") },
		},
		{Name: "stop", Usage: "stop now (SIGTERM)", Action: func(c *cli.Context) error { return runVerb(c, "stop") }},
		{Name: "restart", Usage: "hard restart: re-read the configuration, new children (SIGHUP)", Action: func(c *cli.Context) error { return runVerb(c, "restart") }},
		{Name: "graceful", Usage: "graceful restart: new generation, old children finish their requests (SIGUSR1)", Action: func(c *cli.Context) error { return runVerb(c, "graceful") }},
		{Name: "graceful-stop", Usage: "stop accepting, let requests finish, then stop (SIGWINCH)", Action: func(c *cli.Context) error { return runVerb(c, "graceful-stop") }},
		{Name: "upgrade", Usage: "live binary upgrade: the binary now on disk takes the sockets over, the old supervisor drains (SIGUSR2)", Action: func(c *cli.Context) error { return runVerb(c, "upgrade") }},
		{Name: "configtest", Usage: "check the configuration (httpd -t); -S also dumps it", Action: func(c *cli.Context) error {
			return configtest(c, c.Bool("S") || hasDefine(c, dumpRunCfgFlag))
		}},
		statusCommand(),
		{Name: "version", Usage: "show the version (httpd -v)", Action: func(c *cli.Context) error { return showVersion(c, c.Bool("V")) }},
	}
}

// runVerb runs one of start, stop, restart, graceful, graceful-stop as
// Apache's ap_signal_server does (SPEC.md 4.3): the configuration is read
// and checked first, and nothing is signalled when it is broken.
func runVerb(c *cli.Context, verb string) error {
	switch verb {
	case "start":
		if c.Bool("X") || hasDefine(c, oneProcessFlag) {
			return startOneProcess(c)
		}
	case "stop", "restart", "graceful", "graceful-stop", "upgrade":
	default:
		return cli.Exit(fmt.Sprintf("eventmpm: unknown verb %q for -k (start, stop, restart, graceful, graceful-stop, upgrade)", verb), exitUsage)
	}
	if verb == "start" || verb == "restart" || verb == "graceful" {
		if up, err := supervisor.UpgradeFromEnv(); up != nil || err != nil {
			return startUpgraded(c, up, err)
		}
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	pid, state, err := readPidFile(cfg.PidFile)
	if err != nil {
		return err
	}
	running := state == ""
	switch {
	case verb == "start" && running:
		fmt.Fprintf(c.App.Writer, "eventmpm (pid %d) already running\n", pid)
		return nil
	case verb == "start":
		return startServer(c, cfg)
	case !running && (verb == "restart" || verb == "graceful"):
		fmt.Fprintln(c.App.Writer, "eventmpm not running, trying to start")
		return startServer(c, cfg)
	case !running && verb == "upgrade":
		return cli.Exit(state+"; nothing to upgrade", exitNotRunning)
	case !running:
		fmt.Fprintln(c.App.Writer, state)
		return nil
	case verb == "upgrade":
		return upgrade(c, cfg, pid)
	}
	if err := syscall.Kill(pid, verbSignals[verb]); err != nil {
		return cli.Exit(fmt.Sprintf("eventmpm: cannot signal pid %d: %v", pid, err), exitFailure)
	}
	return nil
}

// readPidFile reads PidFile. It returns the pid and, when no server runs,
// the status line Apache prints ("eventmpm (no pid file) not running",
// "eventmpm (pid N?) not running"); a corrupt file is an error (AH00058).
//
// A symbolic link at the path is refused, not followed: whoever can write
// the directory (the children's User, say) could otherwise point it at any
// file holding a live pid, and the verbs would signal that process, or
// start would believe the server is already running.
func readPidFile(path string) (int, string, error) {
	b, err := readNoFollow(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, "eventmpm (no pid file) not running", nil
	}
	if err != nil {
		return 0, "", pidFileError(path, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, "", pidFileError(path, nil)
	}
	if pid == os.Getpid() || syscall.Kill(pid, 0) == syscall.ESRCH {
		return pid, fmt.Sprintf("eventmpm (pid %d?) not running", pid), nil
	}
	if name, other := otherProgram(pid); other {
		return pid, fmt.Sprintf("eventmpm (pid %d?) not running (pid %d runs %s)", pid, pid, name), nil
	}
	return pid, "", nil
}

// otherProgram reports, where the system tells (Linux's /proc, for a
// process this user may inspect), that the live process pid runs another
// program than this one, and names it. The pid in a stale pid file is
// often in use again after a reboot, and always in a restarted container,
// where the numbers start over: start then believed the server was
// running and exited (the container with it), and stop signalled a
// stranger. The programs are compared by file name, so a supervisor whose
// binary was replaced on disk since (" (deleted)") still counts.
func otherProgram(pid int) (string, bool) {
	target, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return "", false
	}
	self, err := os.Executable()
	if err != nil {
		return "", false
	}
	name := filepath.Base(strings.TrimSuffix(target, " (deleted)"))
	if name == filepath.Base(strings.TrimSuffix(self, " (deleted)")) {
		return "", false
	}
	return name, true
}

func pidFileError(path string, err error) error {
	why := ""
	if errors.Is(err, errSymlink) {
		why = ": it is a symbolic link, which eventmpm does not follow"
	}
	return cli.Exit(fmt.Sprintf("AH00058: Error retrieving pid file %s%s\nAH00059: Remove it before continuing if it is corrupted.", path, why), exitFailure)
}

// errSymlink: the pid file's path names a symbolic link.
var errSymlink = errors.New("eventmpm: pid file is a symbolic link")

// readNoFollow reads a file without following a final symbolic link.
func readNoFollow(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		// Linux says ELOOP, FreeBSD EMLINK: ask lstat rather than guess.
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
			return nil, errSymlink
		}
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
