package supervisor

import (
	"bufio"
	"errors"
	"eventmpm/internal/sdnotify"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A live binary upgrade (SIGUSR2, `eventmpm upgrade`; nginx's USR2 and
// cloudflare/tableflip) hands the listening sockets and the scoreboard to
// the binary now on disk. The old supervisor starts it with the same
// arguments and these descriptors and variables:
//
//	fd 3   the readiness pipe: the new supervisor writes "ok\n" once its
//	       first generation serves (and it has written the PidFile), or
//	       "error: REASON\n" when it cannot start
//	fd 4   the scoreboard file (the descriptor shares the old one's lock)
//	fd 5…  the listening sockets, EVENTMPM_LISTEN_FDS of them
//
//	EVENTMPM_UPGRADE_FROM         the old supervisor's pid
//	EVENTMPM_UPGRADE_GENERATION   the old supervisor's last generation
const (
	upgradeFromEnv      = "EVENTMPM_UPGRADE_FROM"
	upgradeGenEnv       = "EVENTMPM_UPGRADE_GENERATION"
	upgradeListenFdsEnv = "EVENTMPM_LISTEN_FDS"
	upgradeReadyFd      = 3
	upgradeScoreboardFd = 4
	upgradeFirstListen  = 5
)

// UpgradeTimeout bounds how long the old supervisor waits for the new one
// to report its first generation ready; then it stops it and keeps serving.
const UpgradeTimeout = 60 * time.Second

// Upgrade is what a supervisor started by a live upgrade inherits.
type Upgrade struct {
	// FromPID is the old supervisor, whose scoreboard the new one shares.
	FromPID int
	// Generation is the old supervisor's last generation; the new one
	// starts at the next.
	Generation int
	// Listeners are the inherited listening sockets (InheritListeners
	// matches them to the Listen directives).
	Listeners []*os.File
	// Scoreboard is the old supervisor's scoreboard file.
	Scoreboard *os.File
	// Ready is the readiness pipe ("ok" or "error: REASON" lines).
	Ready *os.File
}

// UpgradeFromEnv returns the Upgrade this process was started for by an
// old supervisor, or nil when it was not. It unsets the variables and
// marks the descriptors close-on-exec, so children never see them.
func UpgradeFromEnv() (*Upgrade, error) {
	from, gen, fds := os.Getenv(upgradeFromEnv), os.Getenv(upgradeGenEnv), os.Getenv(upgradeListenFdsEnv)
	os.Unsetenv(upgradeFromEnv)
	os.Unsetenv(upgradeGenEnv)
	os.Unsetenv(upgradeListenFdsEnv)
	if from == "" {
		return nil, nil
	}
	up := &Upgrade{}
	var err error
	if up.FromPID, err = strconv.Atoi(from); err != nil || up.FromPID <= 0 {
		return nil, fmt.Errorf("upgrade: %s=%q is not a pid", upgradeFromEnv, from)
	}
	up.Generation, _ = strconv.Atoi(gen)
	n, err := strconv.Atoi(fds)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("upgrade: %s=%q is not a number of descriptors", upgradeListenFdsEnv, fds)
	}
	fixed, err := inheritedFiles(upgradeReadyFd, 2, func(i int) string { return []string{"upgrade ready pipe", "scoreboard"}[i] })
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	up.Ready, up.Scoreboard = fixed[0], fixed[1]
	if up.Listeners, err = inheritedFiles(upgradeFirstListen, n, func(i int) string { return "fd " + strconv.Itoa(upgradeFirstListen+i) }); err != nil {
		closeFiles(fixed)
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	return up, nil
}

// upgradeProc is the new supervisor an upgrade under way started.
type upgradeProc struct {
	cmd     *exec.Cmd
	started time.Time
}

// upgradeResult is the outcome of an upgrade, reported to the loop.
type upgradeResult struct {
	pid  int
	took time.Duration
	err  error
}

// beginUpgrade starts the binary now on disk as a new supervisor with the
// listening sockets and the scoreboard (SIGUSR2). The old one keeps
// serving until the new one reports ready (onUpgradeResult).
func (s *Supervisor) beginUpgrade() {
	if s.upgrade != nil {
		notice(s.log, fmt.Sprintf("upgrade to pid %d already under way", s.upgrade.cmd.Process.Pid), "module", "mpm_event")
		return
	}
	if s.pendingGen >= 0 {
		s.upgradeFailed(fmt.Errorf("generation %d is still starting; upgrade once it is ready", s.pendingGen))
		return
	}
	exe, err := os.Executable() // re-resolved: the binary now at the path
	if err != nil {
		s.upgradeFailed(fmt.Errorf("cannot find the executable: %w", err))
		return
	}
	s.makeUpgradeRoom()
	r, w, err := os.Pipe()
	if err != nil {
		s.upgradeFailed(fmt.Errorf("readiness pipe: %w", err))
		return
	}
	cmd := exec.Command(exe, s.opts.Args...)
	cmd.Env = append(upgradeEnviron(),
		upgradeFromEnv+"="+strconv.Itoa(os.Getpid()), upgradeGenEnv+"="+strconv.Itoa(s.lastGen),
		upgradeListenFdsEnv+"="+strconv.Itoa(len(s.listeners)))
	// Under systemd the new supervisor becomes the service's main process
	// (onUpgradeResult sends MAINPID), so it needs the notify socket that
	// sdnotify.FromEnv removed from this process's environment.
	cmd.Env = append(cmd.Env, s.opts.Notifier.Environ()...)
	cmd.ExtraFiles = []*os.File{w, s.sb.File()}
	for _, l := range s.listeners {
		cmd.ExtraFiles = append(cmd.ExtraFiles, l.File)
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		s.upgradeFailed(fmt.Errorf("cannot start %s: %w", exe, err))
		return
	}
	notice(s.log, fmt.Sprintf("upgrade: started %s as pid %d; pid %d serves until it is ready", exe, cmd.Process.Pid, os.Getpid()),
		"module", "mpm_event")
	s.upgrade = &upgradeProc{cmd: cmd, started: time.Now()}
	go s.watchUpgrade(s.upgrade, r)
}

// upgradeEnviron is this process's environment without the variables of
// an earlier upgrade or of socket activation.
func upgradeEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case upgradeFromEnv, upgradeGenEnv, upgradeListenFdsEnv, listenFdsEnv, listenPidEnv, listenFdNamesEnv:
			continue
		}
		out = append(out, kv)
	}
	return out
}

// watchUpgrade waits for the new supervisor's report, its exit or
// UpgradeTimeout, and reports the outcome to the loop. A new supervisor
// that is late is stopped (TERM, then KILL): its children see it go.
func (s *Supervisor) watchUpgrade(u *upgradeProc, r *os.File) {
	waitC := make(chan error, 1)
	go func() { waitC <- u.cmd.Wait() }()
	r.SetReadDeadline(u.started.Add(s.upgradeTimeout()))
	line, rerr := bufio.NewReader(r).ReadString('\n')
	r.Close()
	res := upgradeResult{pid: u.cmd.Process.Pid, took: time.Since(u.started)}
	line = strings.TrimSpace(line)
	switch {
	case line == "ok":
	case strings.HasPrefix(line, "error:"):
		res.err = errors.New(strings.TrimSpace(strings.TrimPrefix(line, "error:")))
	case errors.Is(rerr, os.ErrDeadlineExceeded):
		res.err = fmt.Errorf("new supervisor pid %d not ready after %s; stopped it", res.pid, s.upgradeTimeout())
		stopProcess(u.cmd.Process, waitC)
	default:
		select {
		case werr := <-waitC:
			res.err = fmt.Errorf("new supervisor pid %d exited before it was ready (%v); see its error log", res.pid, werr)
		case <-time.After(5 * time.Second):
			res.err = fmt.Errorf("new supervisor pid %d closed its readiness pipe without a report; stopped it", res.pid)
			stopProcess(u.cmd.Process, waitC)
		}
	}
	s.upgradeC <- res
}

// stopProcess stops a new supervisor that failed: SIGTERM (it stops its
// children and releases their scoreboard slots), SIGKILL after 10 s.
func stopProcess(p *os.Process, waitC <-chan error) {
	p.Signal(syscall.SIGTERM)
	select {
	case <-waitC:
	case <-time.After(10 * time.Second):
		p.Kill()
	}
}

// upgradeTimeout is UpgradeTimeout, or Options.UpgradeTimeout when set.
func (s *Supervisor) upgradeTimeout() time.Duration {
	if s.opts.UpgradeTimeout > 0 {
		return s.opts.UpgradeTimeout
	}
	return UpgradeTimeout
}

// onUpgradeResult ends an upgrade: on success this supervisor stops
// gracefully, leaving the PidFile (it names the new one); on failure it
// logs why and goes on serving.
func (s *Supervisor) onUpgradeResult(res upgradeResult) {
	s.upgrade = nil
	if res.err != nil {
		s.upgradeFailed(res.err)
		return
	}
	notice(s.log, fmt.Sprintf("upgrade: new supervisor pid %d ready after %s; shutting down gracefully",
		res.pid, res.took.Round(time.Millisecond)), "module", "mpm_event")
	s.writeUpgradeReport(fmt.Sprintf("ok %d %s", res.pid, res.took.Round(time.Millisecond)))
	if s.stopping {
		return
	}
	// The service manager follows the new main process from now on; this
	// one's graceful stop is not the service's (no STOPPING=1).
	s.notify(sdnotify.MainPID(res.pid), sdnotify.Status(fmt.Sprintf("upgraded: pid %d serves, pid %d finishes its connections", res.pid, os.Getpid())))
	s.handedOver = true
	s.ownsHeader = false
	s.beginGracefulStop()
}

// upgradeFailed logs and reports a failed upgrade; this supervisor keeps
// serving.
func (s *Supervisor) upgradeFailed(err error) {
	s.log.Error(fmt.Sprintf("upgrade failed, pid %d keeps serving: %v", os.Getpid(), err), "module", "mpm_event")
	s.writeUpgradeReport("error: " + err.Error())
}

// abortUpgrade stops a new supervisor still starting when this one is
// told to stop: the stop wins.
func (s *Supervisor) abortUpgrade() {
	if s.upgrade != nil {
		s.upgrade.cmd.Process.Signal(syscall.SIGTERM)
	}
}

// UpgradeReportPath is where the old supervisor writes an upgrade's
// outcome for `eventmpm upgrade`: beside the PidFile.
func UpgradeReportPath(pidFile string) string { return pidFile + ".upgrade" }

// writeUpgradeReport writes the outcome line atomically (a temporary file
// renamed into place).
func (s *Supervisor) writeUpgradeReport(line string) {
	path := UpgradeReportPath(s.cfg.PidFile)
	tmp := path + "." + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, []byte(line+"\n"), 0o644); err != nil {
		s.log.Warn("cannot write the upgrade report", "module", "core", "file", path, "err", err)
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		s.log.Warn("cannot write the upgrade report", "module", "core", "file", path, "err", err)
	}
}

// UpgradeReport is an upgrade's outcome as `eventmpm upgrade` reads it.
type UpgradeReport struct {
	NewPID int           // the new supervisor, on success
	Took   time.Duration // until it was ready
	Err    string        // why it failed, empty on success
}

// ReadUpgradeReport reads the report at path; os.ErrNotExist until the
// old supervisor wrote it.
func ReadUpgradeReport(path string) (UpgradeReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return UpgradeReport{}, err
	}
	line := strings.TrimSpace(string(b))
	if msg, ok := strings.CutPrefix(line, "error:"); ok {
		return UpgradeReport{Err: strings.TrimSpace(msg)}, nil
	}
	var r UpgradeReport
	var took string
	if _, err := fmt.Sscanf(line, "ok %d %s", &r.NewPID, &took); err != nil {
		return UpgradeReport{}, fmt.Errorf("upgrade report %s: unreadable %q", path, line)
	}
	r.Took, _ = time.ParseDuration(took)
	return r, nil
}

// makeUpgradeRoom keeps half the scoreboard's process slots (ServerLimit)
// free for the new supervisor: this one's serving children hold at most
// ServerLimit, so only children still draining from a graceful restart
// can be in the way, and the oldest of them are stopped now.
func (s *Supervisor) makeUpgradeRoom() {
	for s.freeSlots()+s.stoppingHard() < s.cfg.MPM.ServerLimit {
		var oldest *childProc
		for _, c := range s.slots {
			if c != nil && c.draining && !c.stopped && (oldest == nil || c.gen < oldest.gen) {
				oldest = c
			}
		}
		if oldest == nil {
			return
		}
		s.log.Warn(fmt.Sprintf("upgrade: stopping draining child pid %d of generation %d now, to leave the new supervisor its scoreboard slots",
			oldest.pid, oldest.gen), "module", "mpm_event")
		s.stopChild(oldest)
	}
}

// stoppingHard counts children told to stop now, whose slots come free
// within seconds.
func (s *Supervisor) stoppingHard() int {
	n := 0
	for _, c := range s.slots {
		if c != nil && c.stopped {
			n++
		}
	}
	return n
}
