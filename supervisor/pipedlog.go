package supervisor

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Piped logs (ErrorLog "|command", CustomLog "|command"), as Apache's
// piped_log in server/log.c: the parent starts each distinct program once,
// keeps BOTH ends of its pipe, gives the read end to the program as its
// standard input and the write end to every child as an inherited log
// descriptor. When the program dies, the parent starts it again on the
// same pipe, so lines written meanwhile wait in the pipe (64 KiB on
// Linux) instead of being lost; once the pipe is full, writers block until
// the program is back, as in Apache.
//
// Differences from Apache, all deliberate:
//   - A program that keeps dying young is restarted with a back-off
//     (pipeMinBackoff, doubling up to pipeMaxBackoff) instead of at once,
//     so a command that always fails is no fork storm. One that ran for
//     pipeHealthy or longer is restarted at once, as in Apache.
//   - Across a graceful restart a program whose command line is unchanged
//     keeps running (Apache restarts every piped logger). A changed or
//     dropped one is closed only when the last child holding its pipe (the
//     old generation, draining) has exited, so no line is lost.
//   - "|command" and "|$command" run through /bin/sh -c; "||command" is
//     split into words (quotes group) and executed without a shell. (Apache
//     2.4 runs plain "|command" without a shell; a shell runs a simple
//     command the same way, and "|cat >> file" keeps working.)
//
// The programs run as the user that started eventmpm (root before the
// children drop to User/Group), with its environment, like Apache's. They
// are put in their own process group so that a Ctrl-C aimed at a
// foreground server does not kill them before the children's last lines
// are read: they exit when the pipe's last writer is gone (end of file).

// Piped-logger timing.
const (
	pipeMinBackoff = 500 * time.Millisecond
	pipeMaxBackoff = time.Minute
	// pipeHealthy is how long a program must have run for its death to be
	// restarted at once.
	pipeHealthy = 10 * time.Second
	// pipeCloseWait is how long Close waits for the program to read the
	// rest of the pipe and exit before killing it.
	pipeCloseWait = 5 * time.Second
)

// ErrPipedLogClosed is returned by writes to a closed [PipedLog].
var ErrPipedLogClosed = errors.New("supervisor: piped log closed")

// PipedLog is one piped logger program and its pipe. It implements
// [Reopener] (Reopen does nothing: the program rotates by itself, as
// rotatelogs does) and io.Writer, so it can be the supervisor's own error
// log.
type PipedLog struct {
	target string   // as configured: "|cmd", "|$cmd" or "||cmd"
	argv   []string // the program and its arguments
	stderr *os.File // the program's stdout and stderr (nil: /dev/null)

	mu      sync.Mutex
	r, w    *os.File // both ends, kept for the program's restarts
	cmd     *exec.Cmd
	started time.Time
	backoff time.Duration
	starts  int
	closed  bool
	log     *slog.Logger  // where failures are reported (nil: nowhere)
	exitC   chan struct{} // closed when the current program has exited
}

// StartPipedLog parses target ("|command", "|$command" or "||command"),
// makes its pipe and starts the program. stderr becomes the program's
// standard output and error.
func StartPipedLog(target string, stderr *os.File) (*PipedLog, error) {
	argv, err := pipedArgv(target)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("piped log %q: %w", target, err)
	}
	p := &PipedLog{target: target, argv: argv, stderr: stderr, r: r, w: w, backoff: pipeMinBackoff}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.spawnLocked(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	return p, nil
}

// pipedArgv turns a piped log target into the program's argv.
func pipedArgv(target string) ([]string, error) {
	cmd, ok := strings.CutPrefix(target, "|")
	if !ok {
		return nil, fmt.Errorf("piped log %q: does not start with |", target)
	}
	if rest, ok := strings.CutPrefix(cmd, "|"); ok {
		argv, err := splitWords(rest)
		if err == nil && len(argv) == 0 {
			err = errors.New("no command")
		}
		if err != nil {
			return nil, fmt.Errorf("piped log %q: %w", target, err)
		}
		return argv, nil
	}
	cmd = strings.TrimSpace(strings.TrimPrefix(cmd, "$"))
	if cmd == "" {
		return nil, fmt.Errorf("piped log %q: no command", target)
	}
	return []string{"/bin/sh", "-c", cmd}, nil
}

// splitWords splits s at blanks into words, as apr_tokenize_to_argv:
// double or single quotes group blanks into a word, a backslash escapes
// the next character.
func splitWords(s string) ([]string, error) {
	var out []string
	var word strings.Builder
	inWord, quote, escaped := false, rune(0), false
	for _, r := range s {
		switch {
		case escaped:
			word.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, errors.New("unbalanced quote or trailing backslash")
	}
	if inWord {
		out = append(out, word.String())
	}
	return out, nil
}

// Target returns the target as configured.
func (p *PipedLog) Target() string { return p.target }

// File returns the write end of the pipe, for the children.
func (p *PipedLog) File() *os.File { return p.w }

// Reopen does nothing: a piped logger is not reopened on a graceful
// restart (the program rotates by itself).
func (p *PipedLog) Reopen() error { return nil }

// Write writes b to the pipe with one write(2).
func (p *PipedLog) Write(b []byte) (int, error) {
	p.mu.Lock()
	w, closed := p.w, p.closed
	p.mu.Unlock()
	if closed {
		return 0, ErrPipedLogClosed
	}
	return w.Write(b)
}

// setLogger sets where the program's failures are reported.
func (p *PipedLog) setLogger(log *slog.Logger) {
	p.mu.Lock()
	p.log = log
	p.mu.Unlock()
}

// Pid returns the current program's pid, or 0 while none runs.
func (p *PipedLog) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// spawnLocked starts the program on the pipe and a goroutine that waits
// for it. Callers hold p.mu.
func (p *PipedLog) spawnLocked() error {
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Stdin = p.r
	if p.stderr != nil {
		cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("AH00104: unable to start piped log program '%s': %w", p.commandLine(), err)
	}
	p.cmd, p.started, p.exitC = cmd, time.Now(), make(chan struct{})
	p.starts++
	go p.watch(cmd, p.exitC)
	return nil
}

// commandLine is the program as Apache names it in its messages.
func (p *PipedLog) commandLine() string {
	return strings.TrimLeft(strings.TrimPrefix(p.target, "|"), "|$ ")
}

// watch waits for the program to exit and, unless the log was closed,
// reports it and starts it again after the back-off.
func (p *PipedLog) watch(cmd *exec.Cmd, exitC chan struct{}) {
	err := cmd.Wait()
	close(exitC)
	p.mu.Lock()
	if p.closed || p.cmd != cmd {
		p.mu.Unlock()
		return
	}
	p.cmd = nil
	wait := p.nextWaitLocked()
	log := p.log
	time.AfterFunc(wait, p.restart)
	p.mu.Unlock()
	// Logged without the lock: the message may go to this very pipe, and
	// wait there until the program is back.
	if log != nil {
		log.Error(fmt.Sprintf("piped log program '%s' failed unexpectedly (%v); restarting in %v", p.commandLine(), describeExit(err), wait),
			"module", "core", "ah", "AH00106")
	}
}

// nextWaitLocked is the wait before the next start: none after a program
// that ran well, else the back-off, which then doubles.
func (p *PipedLog) nextWaitLocked() time.Duration {
	if time.Since(p.started) >= pipeHealthy {
		p.backoff = pipeMinBackoff
		return 0
	}
	wait := p.backoff
	p.backoff = min(2*p.backoff, pipeMaxBackoff)
	return wait
}

// restart starts the program again, unless the log was closed meanwhile;
// a failure to start is retried after the back-off.
func (p *PipedLog) restart() {
	p.mu.Lock()
	if p.closed || p.cmd != nil {
		p.mu.Unlock()
		return
	}
	err := p.spawnLocked()
	var wait time.Duration
	if err != nil {
		wait = p.nextWaitLocked()
		time.AfterFunc(wait, p.restart)
	}
	log := p.log
	p.mu.Unlock()
	if err != nil && log != nil {
		log.Error(fmt.Sprintf("%v; retrying in %v", err, wait), "module", "core")
	}
}

// describeExit words a program's end for the log.
func describeExit(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// Close closes the parent's ends of the pipe: once the children holding
// the write end are gone, the program reads the rest and gets end of
// file. Close waits up to pipeCloseWait for it to exit, then kills it.
func (p *PipedLog) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	cmd, exitC := p.cmd, p.exitC
	p.w.Close()
	p.r.Close()
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-exitC:
	case <-time.After(pipeCloseWait):
		cmd.Process.Kill()
		<-exitC
	}
	return nil
}
