package supervisor_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Two bounded load loops drive the tests: a fixed number of goroutines
// each sending GETs one after another on keep-alive connections, until a
// request budget or a deadline runs out or the test stops them.
//
// httpLoad uses net/http's client. Its Transport retries an idempotent
// request, once, when a reused connection was closed by the server before
// any byte of the answer came (RFC 9112 section 9.3.1 allows it): that is
// the keep-alive race every HTTP/1.1 server has, Apache included, when it
// closes an idle connection (a graceful stop closes them all) while the
// client is sending its next request on it. Counting those as failures
// would test the client, not the server, so httpLoad's Failed excludes
// them — but it counts them: Retries is the number of extra attempts.
//
// rawLoad is a client of our own on raw sockets that never retries. It
// tells the keep-alive race (the connection had answered before, the new
// request got end of file or a reset with not one byte of answer) from
// every other error (a fresh connection failing, a truncated or wrong
// answer, a timeout), reports both, and the tests require the second kind
// to be zero.

// loadOpts configures a load loop.
type loadOpts struct {
	addr    string // 127.0.0.1:port
	path    string
	want    []byte        // the expected body
	workers int           // goroutines, each with its own connection
	max     int64         // request budget over all workers
	dur     time.Duration // deadline
}

// loadStats are a load loop's counts.
type loadStats struct {
	Requests  int64 // answered 200 with the expected body
	Failed    int64
	Retries   int64 // httpLoad: extra attempts the Transport made
	Races     int64 // rawLoad: keep-alive races (not in Failed)
	Conns     int64 // connections opened
	errs      []string
	failPorts map[int]int // rawLoad: client port of each failure → count
	racePorts map[int]int // rawLoad: client port of each race → count
}

func (s loadStats) String() string {
	return fmt.Sprintf("%d ok, %d failed, %d retries, %d keep-alive races, %d connections",
		s.Requests, s.Failed, s.Retries, s.Races, s.Conns)
}

// load is a running load loop.
type load struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	stats  loadStats
	budget atomic.Int64
}

func newLoad(o loadOpts) (*load, context.Context) {
	ctx, cancel := context.WithTimeout(context.Background(), o.dur)
	l := &load{cancel: cancel, done: make(chan struct{})}
	l.stats.failPorts = map[int]int{}
	l.stats.racePorts = map[int]int{}
	l.budget.Store(o.max)
	return l, ctx
}

// take reserves one request of the budget.
func (l *load) take(ctx context.Context) bool {
	return ctx.Err() == nil && l.budget.Add(-1) >= 0
}

func (l *load) count(f func(*loadStats)) {
	l.mu.Lock()
	f(&l.stats)
	l.mu.Unlock()
}

func (l *load) fail(err error, port int) {
	l.count(func(s *loadStats) {
		s.Failed++
		s.failPorts[port]++
		if len(s.errs) < 20 {
			s.errs = append(s.errs, err.Error())
		}
	})
}

// stop ends the loop and returns its counts.
func (l *load) stop() loadStats {
	l.cancel()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// wait waits until the loop ends by itself (budget or deadline).
func (l *load) wait() loadStats {
	<-l.done
	return l.stop()
}

// startHTTPLoad runs a bounded loop of net/http keep-alive clients.
func startHTTPLoad(t *testing.T, o loadOpts) *load {
	t.Helper()
	l, ctx := newLoad(o)
	tr := &http.Transport{MaxIdleConnsPerHost: o.workers, MaxConnsPerHost: o.workers, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: ioWait}
	var wg sync.WaitGroup
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l.take(ctx) {
				l.httpGet(client, o)
			}
		}()
	}
	go func() { wg.Wait(); tr.CloseIdleConnections(); close(l.done) }()
	t.Cleanup(func() { l.stop() })
	return l
}

// httpGet sends one request, counting the Transport's extra attempts.
func (l *load) httpGet(client *http.Client, o loadOpts) {
	attempts, fresh, port := 0, 0, 0
	trace := &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			attempts++
			if !i.Reused {
				fresh++
			}
			if a, ok := i.Conn.LocalAddr().(*net.TCPAddr); ok {
				port = a.Port
			}
		},
	}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+o.addr+o.path, nil)
	resp, err := client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if err == nil && !bytes.Equal(body, o.want) {
			err = fmt.Errorf("body of %d bytes differs from the file's %d", len(body), len(o.want))
		}
	}
	l.count(func(s *loadStats) {
		s.Conns += int64(fresh)
		if attempts > 1 {
			s.Retries += int64(attempts - 1)
		}
	})
	if err != nil {
		l.fail(fmt.Errorf("port %d: %w", port, err), port)
		return
	}
	l.count(func(s *loadStats) { s.Requests++ })
}

// startRawLoad runs a bounded loop of raw-socket keep-alive clients that
// never retry.
func startRawLoad(t *testing.T, o loadOpts) *load {
	t.Helper()
	l, ctx := newLoad(o)
	var wg sync.WaitGroup
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := &rawClient{l: l, o: o}
			defer rc.close()
			for l.take(ctx) {
				rc.do()
			}
		}()
	}
	go func() { wg.Wait(); close(l.done) }()
	t.Cleanup(func() { l.stop() })
	return l
}

// rawClient is one raw-socket keep-alive connection, reopened as needed.
type rawClient struct {
	l      *load
	o      loadOpts
	c      net.Conn
	br     *bufio.Reader
	served int // answers on the current connection
	port   int // its local port
}

func (rc *rawClient) close() {
	if rc.c != nil {
		rc.c.Close()
		rc.c = nil
	}
}

// do sends one request and reads its answer.
func (rc *rawClient) do() {
	if rc.c == nil {
		c, err := net.DialTimeout("tcp", rc.o.addr, ioWait)
		if err != nil {
			rc.l.fail(fmt.Errorf("dial: %w", err), 0)
			return
		}
		rc.c, rc.br, rc.served = c, bufio.NewReaderSize(c, 16<<10), 0
		rc.port = c.LocalAddr().(*net.TCPAddr).Port
		rc.l.count(func(s *loadStats) { s.Conns++ })
	}
	rc.c.SetDeadline(time.Now().Add(ioWait))
	_, werr := io.WriteString(rc.c, "GET "+rc.o.path+" HTTP/1.1\r\nHost: localhost\r\nUser-Agent: rawload\r\n\r\n")
	// A write error is reported by the read as well (reset or end of file).
	_, perr := rc.br.Peek(1)
	if perr != nil {
		rc.broken(perr, werr, true)
		return
	}
	resp, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		rc.broken(err, nil, false)
		return
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		rc.broken(fmt.Errorf("body: %w", err), nil, false)
		return
	case resp.StatusCode != 200 || !bytes.Equal(body, rc.o.want):
		rc.broken(fmt.Errorf("got status %d and %d bytes, want 200 and %d", resp.StatusCode, len(body), len(rc.o.want)), nil, false)
		return
	}
	rc.served++
	rc.l.count(func(s *loadStats) { s.Requests++ })
	if resp.Close {
		rc.close()
	}
}

// broken records a failed exchange and drops the connection. nothing says
// that not one byte of the answer came.
func (rc *rawClient) broken(err, werr error, nothing bool) {
	race := nothing && rc.served > 0 && closedByPeer(err)
	port := rc.port
	rc.close()
	if race {
		rc.l.count(func(s *loadStats) { s.Races++; s.racePorts[port]++ })
		return
	}
	if werr != nil {
		err = fmt.Errorf("%w (write: %v)", err, werr)
	}
	rc.l.fail(fmt.Errorf("port %d, after %d answers: %w", port, rc.served, err), port)
}

// closedByPeer reports an end of file or a reset: what a client sees when
// the server closed the connection before reading the request.
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// download is the outcome of a slow download.
type download struct {
	n    int64
	sum  [sha256.Size]byte
	err  error
	took time.Duration
}

// slowDownload fetches path on its own connection with a small receive
// buffer, reading 16 KiB at a time so that the whole body takes about d.
// started is closed once the first bytes of the body arrived: the request
// is then in flight in some child.
func slowDownload(addr, path string, size int, d time.Duration) (started <-chan struct{}, res <-chan download) {
	st := make(chan struct{})
	out := make(chan download, 1)
	go func() {
		begin := time.Now()
		dl := fetchSlowly(addr, path, size, d, st)
		dl.took = time.Since(begin)
		out <- dl
	}()
	return st, out
}

func fetchSlowly(addr, path string, size int, d time.Duration, started chan struct{}) (dl download) {
	var once sync.Once
	defer once.Do(func() { close(started) })
	dialer := net.Dialer{Timeout: ioWait, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return serr
	}}
	c, err := dialer.Dial("tcp", addr)
	if err != nil {
		return download{err: err}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(d + 60*time.Second))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); err != nil {
		return download{err: err}
	}
	br := bufio.NewReaderSize(c, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return download{err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return download{err: fmt.Errorf("status %d", resp.StatusCode)}
	}
	const chunk = 16 << 10
	pause := d / time.Duration(max(1, size/chunk))
	h := sha256.New()
	buf := make([]byte, chunk)
	for {
		n, err := io.ReadFull(resp.Body, buf)
		h.Write(buf[:n])
		dl.n += int64(n)
		if dl.n > 0 {
			once.Do(func() { close(started) })
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			dl.err = fmt.Errorf("after %d bytes: %w", dl.n, err)
			return dl
		}
		time.Sleep(pause)
	}
	copy(dl.sum[:], h.Sum(nil))
	if cl := resp.Header.Get("Content-Length"); cl != strconv.FormatInt(dl.n, 10) {
		dl.err = fmt.Errorf("got %d bytes, Content-Length %s", dl.n, cl)
	}
	return dl
}

// randomBody returns n bytes of reproducible noise.
func randomBody(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}
