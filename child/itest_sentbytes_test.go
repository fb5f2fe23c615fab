package child_test

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// sentBytesConf logs %O alone first on each line, and serves the status
// page.
const sentBytesConf = `LogFormat "%O \"%r\" %>s" sent
CustomLog logs/sent_log sent
ExtendedStatus On
<Location /server-status>
    SetHandler server-status
    Require local
</Location>
`

// TestScoreboardCountsLoggedBytes: the scoreboard's byte counters, and so
// Total kBytes, BytesPerReq and eventmpm_sent_bytes_total, count what %O
// logs, response heads included, as Apache's do with mod_logio built in
// (ap_increment_counts takes mod_logio's count): 20 GETs of a 6,756-byte
// file gave Apache 138 kB where counting bodies only gave 131. Keep-alive
// GETs, a HEAD (its head only), a 404, a 304, a range and an HTTP/1.0
// request; then ?auto's Total kBytes is the whole KiB of the %O sum so far,
// and the slots' bytes_served and my_bytes_served add up to the %O sum
// with the status request's own.
func TestScoreboardCountsLoggedBytes(t *testing.T) {
	t.Parallel()
	file := strings.Repeat("0123456789abcdef", 422) + "0123" // 6,756 bytes
	s := startServer(t, sentBytesConf, map[string]string{"f.html": file})
	setMtime(t, s.root, "f.html", fixedTime)
	c := s.open(t)
	const gets = 20
	for range gets {
		if resp, body := c.roundTrip("GET /f.html HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 || len(body) != len(file) {
			t.Fatalf("GET /f.html: got %d and %d bytes, want 200 and %d", resp.StatusCode, len(body), len(file))
		}
	}
	for _, r := range []struct {
		raw, method string
		status      int
	}{
		{"HEAD /f.html HTTP/1.1\r\nHost: localhost\r\n\r\n", "HEAD", 200},
		{"GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET", 404},
		{"GET /f.html HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: " + etagFor(len(file), fixedTime) + "\r\n\r\n", "GET", 304},
		{"GET /f.html HTTP/1.1\r\nHost: localhost\r\nRange: bytes=100-199\r\n\r\n", "GET", 206},
		{"GET /f.html HTTP/1.0\r\n\r\n", "GET", 200},
	} {
		if resp, _ := c.roundTrip(r.raw, r.method); resp.StatusCode != r.status {
			t.Fatalf("%q: got %d, want %d", r.raw, resp.StatusCode, r.status)
		}
	}
	c.expectClosed()
	const served = gets + 5
	before := waitSentLog(t, s, served)

	_, auto := s.open(t).roundTrip("GET /server-status?auto HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", "GET")
	if want := fmt.Sprintf("\nTotal kBytes: %d\n", before/1024); !strings.Contains(auto, want) {
		t.Errorf("?auto after %d requests that logged %d bytes (%%O): no %q in\n%s", served, before, strings.TrimSpace(want), auto)
	}
	if before <= int64(gets*len(file)+len(file)+100) {
		t.Errorf("%%O sum %d: want more than the bodies, heads included", before)
	}

	total := waitSentLog(t, s, served+1)
	snap := s.readScoreboard(t)
	var slots, child int64
	for th := 0; th < snap.ThreadsPerChild; th++ {
		w := snap.WorkerAt(0, th)
		slots += w.BytesServed
		child += w.MyBytesServed
	}
	if slots != total || child != total {
		t.Errorf("bytes_served %d, my_bytes_served %d: want both the %%O sum %d", slots, child, total)
	}
}

// waitSentLog waits until sent_log has n lines and returns the sum of
// their %O.
func waitSentLog(t *testing.T, s *server, n int) int64 {
	t.Helper()
	var lines []string
	itest.Eventually(t, ioWait, fmt.Sprintf("%d lines in sent_log", n), func() bool {
		lines = nil
		sc := bufio.NewScanner(strings.NewReader(s.logFile("sent_log")))
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		return len(lines) >= n
	})
	if len(lines) != n {
		t.Fatalf("sent_log: got %d lines, want %d:\n%s", len(lines), n, strings.Join(lines, "\n"))
	}
	var sum int64
	for _, l := range lines {
		f, _, _ := strings.Cut(l, " ")
		b, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatalf("sent_log line %q: no %%O first", l)
		}
		sum += b
	}
	return sum
}
