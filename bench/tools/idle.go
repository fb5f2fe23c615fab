package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// runIdle is the idle-capacity client of compare.sh. It opens -n keep-alive
// connections to -addr (127.0.0.1 only), -conc at a time, sends one GET on
// each and reads the whole response, and keeps those that answered 200
// without "Connection: close". Opening stops at -phase even if not all were
// tried. It then prints one line
//
//	READY want=N opened=N failed=N untried=N seconds=S
//
// and holds the connections, idle, until SIGUSR1 (or -max-hold), when it
// checks each one without blocking and prints
//
//	RESULT want=N opened=N failed=N untried=N open=N dropped=N held_seconds=S
//
// where dropped counts connections the server closed (or reset) meanwhile.
// SIGTERM or SIGINT exit at once. Every wait is bounded.
func runIdle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ContinueOnError)
	addr := fs.String("addr", "", "server address, 127.0.0.1:PORT")
	path := fs.String("path", "/", "request path")
	n := fs.Int("n", 10000, "connections to open")
	conc := fs.Int("conc", 256, "connections being opened at once")
	timeout := fs.Duration("timeout", 3*time.Second, "limit for one connection's dial, request and response")
	phase := fs.Duration("phase", 30*time.Second, "limit for the whole opening phase")
	maxHold := fs.Duration("max-hold", 10*time.Minute, "exit after holding this long without SIGUSR1")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil || host != "127.0.0.1" {
		return fmt.Errorf("-addr must be 127.0.0.1:PORT, got %q", *addr)
	}
	sigC := make(chan os.Signal, 2)
	signal.Notify(sigC, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT)

	start := time.Now()
	o := openIdle(*addr, *path, *n, *conc, *timeout, start.Add(*phase))
	fmt.Printf("READY want=%d opened=%d failed=%d untried=%d seconds=%.1f\n",
		*n, len(o.conns), o.failed, o.untried, time.Since(start).Seconds())
	if o.firstErr != nil {
		fmt.Fprintf(os.Stderr, "idle: first failure: %v\n", o.firstErr)
	}

	select {
	case s := <-sigC:
		if s != syscall.SIGUSR1 {
			return fmt.Errorf("stopped by %v", s)
		}
	case <-time.After(*maxHold):
		fmt.Fprintln(os.Stderr, "idle: -max-hold reached without SIGUSR1")
	}
	open := 0
	for _, c := range o.conns {
		if stillOpen(c) {
			open++
		}
		c.Close()
	}
	fmt.Printf("RESULT want=%d opened=%d failed=%d untried=%d open=%d dropped=%d held_seconds=%.1f\n",
		*n, len(o.conns), o.failed, o.untried, open, len(o.conns)-open, time.Since(start).Seconds())
	return nil
}

// opened is the outcome of the opening phase.
type opened struct {
	conns    []net.Conn
	failed   int
	untried  int
	firstErr error
}

// openIdle opens up to n connections with conc workers until the deadline.
func openIdle(addr, path string, n, conc int, timeout time.Duration, deadline time.Time) opened {
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: benchtool-idle\r\n\r\n")
	var (
		mu  sync.Mutex
		o   opened
		wg  sync.WaitGroup
		idx = make(chan struct{})
	)
	o.conns = make([]net.Conn, 0, n)
	for range conc {
		wg.Go(func() {
			for range idx {
				c, err := openOne(addr, req, timeout)
				mu.Lock()
				if err != nil {
					o.failed++
					if o.firstErr == nil {
						o.firstErr = err
					}
				} else {
					o.conns = append(o.conns, c)
				}
				mu.Unlock()
			}
		})
	}
	sent := 0
	for ; sent < n && time.Now().Before(deadline); sent++ {
		idx <- struct{}{}
	}
	close(idx)
	wg.Wait()
	o.untried = n - sent
	return o
}

// openOne dials, sends req and reads one whole response, which must be a
// 200 that keeps the connection open.
func openOne(addr string, req []byte, timeout time.Duration) (net.Conn, error) {
	// No TCP keep-alive probes: Go's dialer sends them after 15 s idle
	// by default, and 10,000 connections opened within a second then
	// probe together every 15 s, a burst of about 14,000 segments on the
	// loopback (measured with /proc/net/snmp) that lands inside most
	// measurement windows of every server: load the idle scenario did not ask for.
	d := net.Dialer{Timeout: timeout, KeepAlive: -1}
	c, err := d.Dial("tcp4", addr)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (net.Conn, error) {
		c.Close()
		return nil, err
	}
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return fail(err)
	}
	if _, err := c.Write(req); err != nil {
		return fail(err)
	}
	br := bufio.NewReaderSize(c, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fail(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return fail(err)
	case resp.StatusCode != http.StatusOK:
		return fail(fmt.Errorf("status %d", resp.StatusCode))
	case resp.Close:
		return fail(errors.New("server answered Connection: close"))
	case br.Buffered() > 0:
		return fail(errors.New("bytes after the response"))
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		return fail(err)
	}
	return c, nil
}

// stillOpen peeks at c without blocking: EAGAIN means open and quiet; EOF,
// an error, or unsolicited bytes (an error page before a close) mean the
// server has given up on it.
func stillOpen(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := false
	buf := make([]byte, 1)
	cerr := raw.Control(func(fd uintptr) {
		_, _, err := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = err == syscall.EAGAIN
	})
	return cerr == nil && open
}
