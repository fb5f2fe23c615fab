package child_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestEnableSendfileOffSlowClient downloads 4 MiB from a server with
// EnableSendfile Off through a small receive buffer, so that the child's
// writes keep blocking and the download waits for the client in the
// event loop between them: the body arrives intact, read again from where
// the last write stopped, and the connection then serves its next request.
func TestEnableSendfileOffSlowClient(t *testing.T) {
	files, big := drainFiles()
	s := startServer(t, "EnableSendfile Off\nSendBufferSize 65536\n", files)
	dl := startDownload(t, s)
	inFlight(t, s)
	dl.c.SetReadDeadline(time.Now().Add(ioWait))
	var body []byte
	buf := make([]byte, 16<<10)
	for {
		n, err := dl.resp.Body.Read(buf)
		body = append(body, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(body), err)
		}
		time.Sleep(time.Millisecond)
	}
	if !bytes.Equal(body, big) {
		t.Fatalf("got %d bytes, not the file's %d", len(body), len(big))
	}
	io.WriteString(dl.c, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=1000000-1000099\r\n\r\n")
	resp, err := http.ReadResponse(dl.br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 206 || !bytes.Equal(part, big[1000000:1000100]) {
		t.Errorf("the next request on the connection: got %d %q, want 206 and the range", resp.StatusCode, part)
	}
}
