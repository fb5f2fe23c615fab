package child_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
	"eventmpm/shm"
)

// drainFileSize is the download the drain tests keep in flight: far more
// than the socket buffers hold with SendBufferSize 65536 and a small client
// receive buffer.
const drainFileSize = 4 << 20

// drainFiles adds a patterned download to connFiles.
func drainFiles() (map[string]string, []byte) {
	big := make([]byte, drainFileSize)
	for i := range big {
		big[i] = byte(i*7 + i>>10)
	}
	files := map[string]string{"big.bin": string(big)}
	for k, v := range connFiles {
		files[k] = v
	}
	return files, big
}

// download is a GET of big.bin whose body is read on demand.
type download struct {
	c    net.Conn
	br   *bufio.Reader
	resp *http.Response
}

// startDownload connects with a small receive buffer, asks for big.bin
// and reads the head and the first 64 KiB of the body.
func startDownload(t *testing.T, s *server) *download {
	t.Helper()
	d := net.Dialer{Timeout: ioWait, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 32<<10)
		})
	}}
	c, err := d.DialContext(context.Background(), "tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	io.WriteString(c, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(ioWait))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != drainFileSize {
		t.Fatalf("got %d length %d, want 200 %d", resp.StatusCode, resp.ContentLength, drainFileSize)
	}
	dl := &download{c: c, br: br, resp: resp}
	return dl
}

// rest reads the rest of the body (bounded) and what follows it until the
// server closes the connection.
func (d *download) rest(t *testing.T) (body []byte, closed bool) {
	t.Helper()
	d.c.SetReadDeadline(time.Now().Add(ioWait))
	body, err := io.ReadAll(d.resp.Body)
	if err != nil {
		return body, true
	}
	after, err := d.br.ReadByte()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return body, false
	}
	if err == nil {
		t.Errorf("got %q after the body, want the connection closed", after)
	}
	return body, true
}

// inFlight waits until the download waits for the client in the write
// completion queue (the server cannot send it all yet).
func inFlight(t *testing.T, s *server) {
	t.Helper()
	pollScoreboard(t, "the download in ConnsAsyncWriting", func() bool {
		return s.readScoreboard(t).Processes[0].WriteCompletion == 1
	})
}

// TestGracefulDrain: SIGWINCH to the -X process while a slow download is
// in flight. The download completes byte for byte, idle keep-alive
// connections are closed at once, new connections are refused, idle
// workers show G, and the process exits 0 once the download is done.
func TestGracefulDrain(t *testing.T) {
	t.Parallel()
	files, big := drainFiles()
	s := startServer(t, "SendBufferSize 65536\nKeepAliveTimeout 30\n", files)
	idle := s.open(t)
	if resp, _ := idle.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.Close {
		t.Fatal("the idle connection was not kept alive")
	}
	dl := startDownload(t, s)
	first := make([]byte, 64<<10)
	if _, err := io.ReadFull(dl.resp.Body, first); err != nil {
		t.Fatal(err)
	}
	inFlight(t, s)

	if err := s.proc.Signal(syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	idle.expectClosed()
	itest.Eventually(t, ioWait, "new connections refused", func() bool {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			return false
		}
		return errors.Is(err, syscall.ECONNREFUSED)
	})
	pollScoreboard(t, "the child quiescing with its idle workers in G", func() bool {
		snap := s.readScoreboard(t)
		if snap.Processes[0].Quiescing == 0 {
			return false
		}
		graceful := 0
		for i := 0; i < snap.ThreadsPerChild; i++ {
			if snap.WorkerAt(0, i).Status == shm.Graceful {
				graceful++
			}
		}
		return graceful == snap.ThreadsPerChild
	})
	if s.proc.Exited() {
		t.Fatal("the process exited with the download still in flight")
	}

	rest, closed := dl.rest(t)
	if got := append(first, rest...); !bytes.Equal(got, big) {
		t.Errorf("got %d bytes, want the %d bytes of the file unchanged", len(got), len(big))
	}
	if !closed {
		t.Errorf("the download's connection stayed open after the drain")
	}
	err, ok := s.proc.Wait(t, ioWait)
	if !ok {
		t.Fatal("the process did not exit after the drain")
	}
	if err != nil {
		t.Errorf("got exit %v, want status 0", err)
	}
}

// TestStop: SIGTERM closes every connection at once, idle and in flight
// alike, and the process exits 0.
func TestStop(t *testing.T) {
	t.Parallel()
	files, _ := drainFiles()
	s := startServer(t, "SendBufferSize 65536\nKeepAliveTimeout 30\n", files)
	idle := s.open(t)
	idle.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	dl := startDownload(t, s)
	inFlight(t, s)

	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	idle.expectClosed()
	if body, closed := dl.rest(t); !closed || len(body) >= drainFileSize {
		t.Errorf("got %d bytes (closed %v), want the download cut short", len(body), closed)
	}
	err, ok := s.proc.Wait(t, ioWait)
	if !ok {
		t.Fatal("the process did not exit after SIGTERM")
	}
	if err != nil {
		t.Errorf("got exit %v, want status 0", err)
	}
}
