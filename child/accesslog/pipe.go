package accesslog

import (
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Piped-logger timing.
const (
	// pipeCloseWait is how long Close waits for the program to exit after
	// its stdin was closed before killing it.
	pipeCloseWait = 5 * time.Second
	// pipeMaxBackoff bounds the wait before restarting a program that
	// died; the wait doubles while it keeps dying young.
	pipeMaxBackoff = time.Minute
)

// pipeMinBackoff is the first wait before a restart (a variable so tests
// can shorten it).
var pipeMinBackoff = time.Second

// pipeProc is a running piped logger.
type pipeProc struct {
	cmd     *exec.Cmd
	command string
	started time.Time
	backoff time.Duration // wait before the next restart
	done    chan struct{} // closed when the program has exited
}

// startPipe starts command with "sh -c", its stdin a pipe whose write end
// becomes the target; stdout and stderr are the child's own (where Apache
// sends them too: the error log). The caller installs the target, then
// starts watchPipe.
func startPipe(command string, backoff time.Duration) (*target, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("piped log %q: %w", command, err)
	}
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, os.Stderr, os.Stderr
	err = cmd.Start()
	r.Close() // the program holds its own copy
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("start piped log program %q: %w", command, err)
	}
	p := &pipeProc{cmd: cmd, command: command, started: time.Now(),
		backoff: backoff, done: make(chan struct{})}
	t := newTarget(w, p)
	t.pipe = true
	return t, nil
}

// watchPipe waits for the program of t to exit. If t is still the Log's
// target, the program died on its own: like Apache (AH00106 "piped log
// program failed unexpectedly"), report it and start it again after a
// backoff. Lines written meanwhile fail with EPIPE and are counted as
// dropped.
func (l *Log) watchPipe(t *target) {
	p := t.proc
	err := p.cmd.Wait()
	close(p.done)
	if l.cur.Load() != t {
		return // closed or replaced on purpose
	}
	wait := p.backoff
	if time.Since(p.started) >= pipeMaxBackoff {
		wait = pipeMinBackoff // it ran well for a while: start over
	}
	next := min(2*wait, pipeMaxBackoff)
	l.notify(fmt.Errorf("piped log program %q failed unexpectedly (%v); restarting in %v", p.command, err, wait))
	time.AfterFunc(wait, func() { l.restartPipe(t, next) })
}

// restartPipe replaces the dead target old with a new program, unless the
// Log was closed meanwhile.
func (l *Log) restartPipe(old *target, backoff time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.cur.Load() != old {
		return
	}
	t, err := startPipe(old.proc.command, backoff)
	if err != nil {
		l.notify(fmt.Errorf("%w; retrying in %v", err, backoff))
		time.AfterFunc(backoff, func() { l.restartPipe(old, min(2*backoff, pipeMaxBackoff)) })
		return
	}
	l.swap(t)
	go l.watchPipe(t)
}

// wait waits up to d for the program to exit, then kills it.
func (p *pipeProc) wait(d time.Duration) {
	select {
	case <-p.done:
	case <-time.After(d):
		p.cmd.Process.Kill() // it exits; Wait in watchPipe reaps it
		<-p.done
	}
}
