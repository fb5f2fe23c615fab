package child_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
	"eventmpm/shm"
)

// upgradeBackend answers an Upgrade request with 101 and the same
// protocol (/wsbad: with h2c), then sends back in upper case what it
// reads until its client closes or sends "bye". Other requests get 200
// and their Connection and Upgrade fields. It reports each tunnel's end
// on closed.
func upgradeBackend(t *testing.T) (*httptest.Server, <-chan string) {
	t.Helper()
	closed := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		up := r.Header.Get("Upgrade")
		if up == "" {
			io.WriteString(rw, "plain connection="+r.Header.Get("Connection")+" upgrade="+up)
			return
		}
		conn, brw, err := rw.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		if r.URL.Path == "/wsbad" {
			up = "h2c"
		}
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + up + "\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Path: " + r.URL.Path + "\r\n\r\n")
		brw.Flush()
		buf := make([]byte, 4096)
		for {
			n, err := brw.Read(buf)
			if n > 0 {
				if bytes.Equal(buf[:n], []byte("bye")) {
					brw.WriteString("BYE")
					brw.Flush()
					closed <- "backend said bye"
					return
				}
				brw.Write(bytes.ToUpper(buf[:n]))
				brw.Flush()
			}
			if err != nil {
				closed <- "client closed"
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, closed
}

// TestProxyWebSocket: a ws:// backend and a route with upgrade= pass the
// client's Upgrade on; the backend's 101 reaches the client with its
// fields, and the connection is a tunnel both ways (bytes the client sent
// right behind its request included) until either side closes, or until
// nothing moved for the longer of the route's timeout and Timeout. An
// Upgrade the route does not take is dropped; a 101 with another protocol
// is 502. RewriteRule [P] takes ws:// URLs too. The access log has the
// 101.
func TestProxyWebSocket(t *testing.T) {
	t.Parallel()
	b, closed := upgradeBackend(t)
	host := strings.TrimPrefix(b.URL, "http://")
	s := startServer(t, proxyModules+`Timeout 2
ProxyPass /ws ws://`+host+`/ws timeout=1
ProxyPass /wsbad ws://`+host+`/wsbad
ProxyPass /up http://`+host+`/up upgrade=foo,WebSocket
ProxyPass /plain http://`+host+`/plain
RewriteEngine On
RewriteRule ^/rw/(.*) ws://`+host+`/ws/$1 [P]
LogFormat "%>s %U" st
CustomLog logs/status_log st
`, nil)
	dial := func(req string) (net.Conn, *bufio.Reader, *http.Response) {
		t.Helper()
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c, br, resp
	}
	expect := func(br *bufio.Reader, want string) {
		t.Helper()
		got := make([]byte, len(want))
		if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
			t.Fatalf("read %q (%v), want %q", got, err, want)
		}
	}
	const upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"

	// The client closes first: the backend sees the end.
	c, br, resp := dial("GET /ws/chat HTTP/1.1\r\nHost: localhost\r\n" + upgrade + "early")
	if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "websocket" || resp.Header.Get("Connection") != "Upgrade" ||
		resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || resp.Header.Get("X-Path") != "/ws/chat" {
		t.Fatalf("101 head: %d %v", resp.StatusCode, resp.Header)
	}
	expect(br, "EARLY")
	io.WriteString(c, "hello")
	expect(br, "HELLO")
	c.Close()
	if got := <-closed; got != "client closed" {
		t.Errorf("backend: %s, want client closed", got)
	}

	// RewriteRule [P] to a ws:// URL.
	c, br, resp = dial("GET /rw/r HTTP/1.1\r\nHost: localhost\r\n" + upgrade)
	if resp.StatusCode != 101 || resp.Header.Get("X-Path") != "/ws/r" {
		t.Fatalf("[P] to ws://: %d %v", resp.StatusCode, resp.Header)
	}
	io.WriteString(c, "rw")
	expect(br, "RW")
	c.Close()
	<-closed

	// The backend closes first: the client sees the end.
	c, br, _ = dial("GET /up HTTP/1.1\r\nHost: localhost\r\n" + upgrade)
	io.WriteString(c, "bye")
	expect(br, "BYE")
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("after the backend closed: read %d, %v, want EOF", n, err)
	}
	<-closed

	// Nothing moves: the tunnel closes after Timeout (2 s, over the
	// route's 1 s), with no more than what was sent.
	_, br, _ = dial("GET /ws/idle HTTP/1.1\r\nHost: localhost\r\n" + upgrade)
	start := time.Now()
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("idle tunnel: read %d, %v, want EOF", n, err)
	}
	if waited := time.Since(start); waited < 1500*time.Millisecond {
		t.Errorf("idle tunnel closed after %v, want Timeout (2s)", waited)
	}
	<-closed

	// An Upgrade the route does not take is not passed on.
	_, br, resp = dial("GET /plain HTTP/1.1\r\nHost: localhost\r\n" + upgrade)
	body, _ := io.ReadAll(io.LimitReader(br, resp.ContentLength))
	if resp.StatusCode != 200 || string(body) != "plain connection= upgrade=" {
		t.Errorf("/plain: %d %q", resp.StatusCode, body)
	}
	// A 101 for another protocol.
	_, _, resp = dial("GET /wsbad HTTP/1.1\r\nHost: localhost\r\n" + upgrade)
	if resp.StatusCode != 502 {
		t.Errorf("/wsbad: %d, want 502", resp.StatusCode)
	}
	itest.Eventually(t, ioWait, "the AH00898 line", func() bool {
		return strings.Contains(s.logFile("error_log"), "AH00898: Unexpected Upgrade: h2c (expecting websocket) returned by /wsbad\n")
	})

	// Each worker flushes its own lines: a tunnel's may come after a
	// later request's.
	itest.Eventually(t, ioWait, "the access log's lines", func() bool {
		lines := strings.Split(strings.TrimSuffix(s.logFile("status_log"), "\n"), "\n")
		sort.Strings(lines)
		return strings.Join(lines, "\n") == "101 /rw/r\n101 /up\n101 /ws/chat\n101 /ws/idle\n200 /plain\n502 /wsbad"
	})
}

// TestProxyTunnelsHoldNoWorker: open WebSocket tunnels hold no worker
// (Apache's hold a thread each, SPEC.md section 7): three times as many
// tunnels as the child has workers stay open and relay both ways, every
// worker shows idle, the tunnels count in ConnsAsyncWaitIO, and a plain
// request is answered meanwhile. A graceful stop lets them run on until
// they close (the process exits then); each tunnel's 101 is logged when
// it closes.
func TestProxyTunnelsHoldNoWorker(t *testing.T) {
	t.Parallel()
	b, closed := upgradeBackend(t)
	host := strings.TrimPrefix(b.URL, "http://")
	s := startServer(t, proxyModules+`ProxyPass /ws ws://`+host+`/ws
ProxyPass /plain http://`+host+`/plain
LogFormat "%>s %U" st
CustomLog logs/status_log st
`, nil)
	const tunnels = 12 // ThreadsPerChild is 4
	conns := make([]*rawConn, tunnels)
	echo := func(i int, msg string) {
		t.Helper()
		c := conns[i]
		if _, err := io.WriteString(c, msg); err != nil {
			t.Fatalf("tunnel %d: %v", i, err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c.br, got); err != nil || string(got) != strings.ToUpper(msg) {
			t.Fatalf("tunnel %d: read %q (%v), want %q", i, got, err, strings.ToUpper(msg))
		}
	}
	for i := range conns {
		c := s.open(t)
		conns[i] = c
		io.WriteString(c, fmt.Sprintf("GET /ws/%d HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", i))
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil || resp.StatusCode != 101 {
			t.Fatalf("tunnel %d: %v %v", i, resp, err)
		}
		echo(i, fmt.Sprintf("hello %d", i))
	}
	pollScoreboard(t, "every worker idle and the tunnels in ConnsAsyncWaitIO", func() bool {
		snap := s.readScoreboard(t)
		return busyWorkers(snap) == 0 && snap.Processes[0].WaitIO == tunnels
	})
	plain := s.open(t)
	if resp, body := plain.roundTrip("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 || !strings.HasPrefix(body, "plain") {
		t.Fatalf("a plain request with the tunnels open: %d %q", resp.StatusCode, body)
	}
	for i := range conns {
		echo(i, fmt.Sprintf("again %d", i))
	}

	if err := s.proc.Signal(syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	plain.expectClosed()
	for i := range conns {
		echo(i, "after the graceful stop")
	}
	for i, c := range conns {
		c.Close()
		if got := <-closed; got != "client closed" {
			t.Errorf("tunnel %d: backend: %s, want client closed", i, got)
		}
	}
	err, ok := s.proc.Wait(t, ioWait)
	if !ok {
		t.Fatal("the process did not exit after the tunnels closed")
	}
	if err != nil {
		t.Errorf("got exit %v, want status 0", err)
	}
	lines := strings.Split(strings.TrimSuffix(s.logFile("status_log"), "\n"), "\n")
	if n := len(lines); n != tunnels+1 || !slices.Contains(lines, "200 /plain") || !slices.Contains(lines, "101 /ws/11") {
		t.Errorf("access log: %q, want the 101 of each tunnel and the 200", lines)
	}
}

// TestProxyTunnelsStop: SIGTERM closes open tunnels at once (both their
// ends), and the process exits 0.
func TestProxyTunnelsStop(t *testing.T) {
	t.Parallel()
	b, closed := upgradeBackend(t)
	host := strings.TrimPrefix(b.URL, "http://")
	s := startServer(t, proxyModules+`ProxyPass /ws ws://`+host+`/ws
`, nil)
	var conns []*rawConn
	for i := 0; i < 6; i++ {
		c := s.open(t)
		io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		if resp, err := http.ReadResponse(c.br, nil); err != nil || resp.StatusCode != 101 {
			t.Fatalf("tunnel %d: %v %v", i, resp, err)
		}
		conns = append(conns, c)
	}
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		c.expectClosed()
	}
	for range conns {
		if got := <-closed; got != "client closed" {
			t.Errorf("backend: %s, want client closed", got)
		}
	}
	err, ok := s.proc.Wait(t, ioWait)
	if !ok {
		t.Fatal("the process did not exit")
	}
	if err != nil {
		t.Errorf("got exit %v, want status 0", err)
	}
}

// TestProxyLongPollHoldsNoWorker: requests whose backend keeps them
// waiting (long-polls, a stream of server-sent events) give their worker
// back after a second: twice as many as the child has workers wait at
// once while every worker shows idle, they count in ConnsAsyncWaitIO, and
// a static request is answered meanwhile. Once the backend answers, each
// gets its response, a request pipelined behind one is answered after it
// by a worker of the pool, and the connections stay alive.
func TestProxyLongPollHoldsNoWorker(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var waiting atomic.Int32
	b := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		waiting.Add(1)
		defer waiting.Add(-1)
		if r.URL.Path == "/events" {
			rw.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(rw, "data: first\n\n")
			rw.(http.Flusher).Flush()
			<-release
			io.WriteString(rw, "data: second\n\n")
			return
		}
		<-release
		io.WriteString(rw, "answer "+r.URL.Path)
	}))
	t.Cleanup(b.Close)
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free) // before b.Close, which waits for the handlers
	s := startServer(t, proxyModules+`ProxyPass /poll `+b.URL+`/poll
ProxyPass /events `+b.URL+`/events
LogFormat "%>s %U" st
CustomLog logs/status_log st
`, map[string]string{"a.txt": "static"})
	const polls = 8 // ThreadsPerChild is 4
	conns := make([]*rawConn, polls)
	for i := range conns {
		conns[i] = s.open(t)
		conns[i].send(fmt.Sprintf("GET /poll/%d HTTP/1.1\r\nHost: localhost\r\n\r\n", i))
	}
	conns[0].send("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n") // pipelined behind the long-poll
	sse := s.open(t)
	sse.send("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n")
	sse.SetReadDeadline(time.Now().Add(ioWait))
	resp, err := http.ReadResponse(sse.br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("events: %v %v", resp, err)
	}
	events := bufio.NewReader(resp.Body)
	readEvent := func(want string) {
		t.Helper()
		for _, w := range []string{want + "\n", "\n"} {
			if line, err := events.ReadString('\n'); line != w {
				t.Fatalf("event stream: %q (%v), want %q", line, err, w)
			}
		}
	}
	readEvent("data: first")
	pollScoreboard(t, "every worker idle and the waiting requests in ConnsAsyncWaitIO", func() bool {
		snap := s.readScoreboard(t)
		return busyWorkers(snap) == 0 && snap.Processes[0].WaitIO == polls+1
	})
	if got := waiting.Load(); got != polls+1 {
		t.Fatalf("the backend holds %d requests, want %d", got, polls+1)
	}
	static := s.open(t)
	if resp, body := static.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 || body != "static" {
		t.Fatalf("a static request while the backend holds the others: %d %q", resp.StatusCode, body)
	}

	free()
	readEvent("data: second")
	for i, c := range conns {
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != fmt.Sprintf("answer /poll/%d", i) {
			t.Errorf("poll %d: %d %q", i, resp.StatusCode, body)
		}
	}
	if resp, body := conns[0].read("GET"); resp.StatusCode != 200 || body != "static" {
		t.Errorf("the request pipelined behind a long-poll: %d %q", resp.StatusCode, body)
	}
	for i, c := range conns {
		if resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 {
			t.Errorf("poll %d's connection afterwards: %d", i, resp.StatusCode)
		}
	}
	pollScoreboard(t, "ConnsAsyncWaitIO back to 0", func() bool {
		return s.readScoreboard(t).Processes[0].WaitIO == 0
	})
	itest.Eventually(t, ioWait, "the access log's lines", func() bool {
		lines := strings.Split(strings.TrimSuffix(s.logFile("status_log"), "\n"), "\n")
		return len(lines) == 2*polls+3 && slices.Contains(lines, "200 /events") && slices.Contains(lines, "200 /poll/7")
	})
}

// TestBackendWaitsStop: SIGTERM does not wait for backends: a long-poll
// through the proxy and a CGI program that says nothing are given up at
// once (their waits are cancelled, the program killed), their clients'
// connections close and the process exits 0, well before Timeout.
func TestBackendWaitsStop(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	b := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(b.Close)
	t.Cleanup(func() { close(release) }) // before b.Close, which waits for the handler
	root := itest.NewRoot(t, baseConf+proxyModules+`LoadModule cgid_module modules/mod_cgid.so
Timeout 300
ProxyPass /poll `+b.URL+`/poll
ScriptAlias /cgi-bin/ htdocs/cgi-bin/
`, nil)
	if err := os.MkdirAll(root.Path("htdocs", "cgi-bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root.Path("htdocs", "cgi-bin", "slow"), []byte("#!/bin/sh\nexec sleep 300\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := runServer(t, root)
	var conns []*rawConn
	for _, path := range []string{"/poll", "/cgi-bin/slow"} {
		c := s.open(t)
		c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
		conns = append(conns, c)
	}
	pollScoreboard(t, "the long-poll waiting without a worker, the program with one", func() bool {
		snap := s.readScoreboard(t)
		return snap.Processes[0].WaitIO == 1 && busyWorkers(snap) == 1
	})
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err, ok := s.proc.Wait(t, ioWait)
	if !ok {
		t.Fatal("the process did not exit with requests waiting on backends")
	}
	if err != nil {
		t.Errorf("got exit %v, want status 0", err)
	}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(ioWait))
		if _, err := io.ReadAll(c.br); err != nil {
			t.Errorf("the client's connection: %v, want it closed", err)
		}
	}
	// The waits the stop gave up are no backend's failure.
	if log := s.logFile("error_log"); strings.Contains(log, "AH01102") || strings.Contains(log, "AH00898") ||
		strings.Contains(log, "End of script output") {
		t.Errorf("the stop logged backend errors:\n%s", log)
	}
}

// TestProxySlowClientHoldsNoWorker: clients that take a large proxied
// response slowly give their workers back after a second: three times as
// many as the child has workers wait to be written to while every worker
// shows idle and a static request is answered; then each gets its
// response whole. A WebSocket tunnel whose client stops reading for a
// while gets every byte too, once it reads again.
func TestProxySlowClientHoldsNoWorker(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	b := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Length", strconv.Itoa(len(big)))
		rw.Write(big)
	}))
	t.Cleanup(b.Close)
	wsBackend, closed := upgradeBackend(t)
	s := startServer(t, proxyModules+`Timeout 10
KeepAliveTimeout 30
SendBufferSize 65536
ProxyPass /big `+b.URL+`/big
ProxyPass /ws ws://`+strings.TrimPrefix(wsBackend.URL, "http://")+`/ws
`, map[string]string{"a.txt": "static"})
	// open dials with a small receive buffer, so that the server's
	// writes wait for the client to read.
	open := func() *rawConn {
		c := s.open(t)
		if err := c.Conn.(*net.TCPConn).SetReadBuffer(64 << 10); err != nil {
			t.Fatal(err)
		}
		return c
	}
	const slow = 12 // ThreadsPerChild is 4
	conns := make([]*rawConn, slow)
	for i := range conns {
		conns[i] = open()
		conns[i].send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n")
	}
	// A tunnel whose backend sends back more than the sockets hold while
	// its client does not read.
	ws := open()
	ws.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	ws.SetReadDeadline(time.Now().Add(ioWait))
	if resp, err := http.ReadResponse(ws.br, nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("tunnel: %v %v", resp, err)
	}
	sent := strings.Repeat("w", 1<<20)
	go io.WriteString(ws, sent) // echoed in upper case
	pollScoreboard(t, "every worker idle with the slow clients in ConnsAsyncWaitIO", func() bool {
		snap := s.readScoreboard(t)
		return busyWorkers(snap) == 0 && snap.Processes[0].WaitIO == slow+1
	})
	if resp, body := s.open(t).roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 || body != "static" {
		t.Fatalf("a static request while the slow clients wait: %d %q", resp.StatusCode, body)
	}
	time.Sleep(1500 * time.Millisecond) // the tunnel's writer waits for room meanwhile
	got := make([]byte, len(sent))
	ws.SetReadDeadline(time.Now().Add(ioWait))
	if n, err := io.ReadFull(ws.br, got); err != nil || string(got) != strings.ToUpper(sent) {
		t.Errorf("the tunnel's client got %d bytes (%v), want all %d echoed", n, err, len(sent))
	}
	ws.Close()
	<-closed
	for i, c := range conns {
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != string(big) {
			t.Errorf("slow client %d: %d, %d bytes, want the %d", i, resp.StatusCode, len(body), len(big))
		}
	}
	// Their connections go on with a worker of the pool.
	if resp, body := conns[0].roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 || body != "static" {
		t.Errorf("a slow client's next request: %d %q", resp.StatusCode, body)
	}
}

// busyWorkers counts the workers of the first process that are neither
// idle nor gone.
func busyWorkers(snap *shm.Snapshot) int {
	busy := 0
	for i := 0; i < snap.ThreadsPerChild; i++ {
		if st := snap.WorkerAt(0, i).Status; st != shm.Ready && st != shm.Dead {
			busy++
		}
	}
	return busy
}
