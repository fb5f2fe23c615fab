package child_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"eventmpm/internal/itest"

	"golang.org/x/sys/unix"
)

// Slow and abusive clients (issue 7): slowloris alone and by the
// thousand, a child short of descriptors, and an access log that cannot be
// written. TestSlowReader (itest_limits_test.go) covers a client that
// stops reading; TestRequestReadTimeout covers a head trickled below
// MinRate. Under `make soak` the flood and the log test run longer.

// TestSlowlorisAboveMinRate: a client that keeps sending header bytes
// faster than MinRate extends the header stage's deadline by a second per
// MinRate bytes, but never past its maximum (RequestReadTimeout
// header=1-3,MinRate=100: a 200 bytes/s trickle is cut off with 408 at
// about 3 s, not at the 1 s base).
func TestSlowlorisAboveMinRate(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "RequestReadTimeout header=1-3,MinRate=100\n")
	c := s.open(t)
	start := time.Now()
	c.send("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // 20 bytes every 100 ms: 200 bytes/s, twice MinRate
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; i < 300; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := fmt.Fprintf(c, "X-Slow-%03d: abcdefg\r\n", i); err != nil {
				return
			}
		}
	}()
	defer wg.Wait()
	defer close(stop)
	resp, body := c.read("GET")
	took := time.Since(start)
	t.Logf("cut off after %v", took.Round(time.Millisecond))
	if resp.StatusCode != 408 || !resp.Close || !strings.Contains(body, "<title>408 Request Timeout</title>") {
		t.Fatalf("got %d (close %v), want 408 with Connection: close", resp.StatusCode, resp.Close)
	}
	if took < 1500*time.Millisecond {
		t.Errorf("cut off after %v: the trickle above MinRate did not extend the 1 s base", took)
	}
	c.expectClosed()
}

// TestSlowlorisFlood holds thousands of slowloris connections (a request
// head sent in part, then one more header line every second; any the
// server cuts off is reopened) against a child of 4 workers, while a
// normal client sends requests one after the other, half on fresh
// connections and half on one kept alive. Every normal request must be
// answered, within a generous bound; the numbers are logged. Connections
// waiting for the rest of a head hold no worker and do not shut the accept
// gate (child/accept.go shouldAccept).
func TestSlowlorisFlood(t *testing.T) {
	t.Parallel()
	n := itest.Pick(2000, 8000)
	measure := itest.Pick(3*time.Second, 60*time.Second)
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < uint64(n)+200 {
		t.Skipf("RLIMIT_NOFILE %d (hard %d) is too low for %d connections", rl.Cur, rl.Max, n)
	}
	s := startConnServer(t, "")
	flood := startSlowloris(s.addr, n, itest.Pick(time.Second, 5*time.Second))
	defer flood.stop()
	itest.Eventually(t, 60*time.Second, fmt.Sprintf("the child holding %d slowloris connections", n), func() bool {
		return s.readScoreboard(t).Processes[0].Connections >= n*9/10
	})
	held := s.readScoreboard(t).Processes[0].Connections

	lat, failures := normalClient(s, measure)
	stats := flood.stop()
	t.Logf("%d slowloris connections (child holds %d; %d opened, %d cut off with 408, %d otherwise, %d dial errors)",
		n, held, stats.opened, stats.cut408, stats.cutOther, stats.dialErrs)
	t.Logf("normal client: %d requests in %v, %d failed; latency %s", len(lat), measure, len(failures), latencySummary(lat))
	if len(failures) > 0 {
		t.Errorf("normal client: %d failed requests, want none: %v", len(failures), failures[:min(len(failures), 5)])
	}
	if len(lat) == 0 {
		t.Fatalf("normal client: no request answered")
	}
	if worst := slices.Max(lat); worst > 5*time.Second {
		t.Errorf("normal client: slowest request took %v, want under 5s", worst)
	}
}

// floodStats are what the slowloris clients saw.
type floodStats struct {
	opened, cut408, cutOther, dialErrs int64
}

// slowloris is a running flood of slow request heads.
type slowloris struct {
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	stats   floodStats
	opened  atomic.Int64
	cut408  atomic.Int64
	cutOthr atomic.Int64
	dialErr atomic.Int64
}

// startSlowloris opens n connections to addr, each sending a partial
// request head and then one header line every trickle; a connection the
// server answers or closes is reopened until stop.
func startSlowloris(addr string, n int, trickle time.Duration) *slowloris {
	f := &slowloris{done: make(chan struct{})}
	for i := 0; i < n; i++ {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for !f.stopped() {
				f.hold(addr, trickle)
			}
		}()
	}
	return f
}

func (f *slowloris) stopped() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

// hold runs one slowloris connection until the server ends it or the
// flood stops.
func (f *slowloris) hold(addr string, trickle time.Duration) {
	c, err := net.DialTimeout("tcp", addr, ioWait)
	if err != nil {
		f.dialErr.Add(1)
		time.Sleep(100 * time.Millisecond)
		return
	}
	defer c.Close()
	f.opened.Add(1)
	if _, err := io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slowloris\r\n"); err != nil {
		return
	}
	buf := make([]byte, 64)
	for i := 0; ; i++ {
		c.SetReadDeadline(time.Now().Add(trickle))
		n, err := c.Read(buf)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if f.stopped() {
				return
			}
			if _, err := fmt.Fprintf(c, "X-%d: %d\r\n", i, i); err != nil {
				f.cutOthr.Add(1)
				return
			}
			continue
		}
		if n > 0 && strings.HasPrefix(string(buf[:n]), "HTTP/1.1 408 ") {
			f.cut408.Add(1)
		} else {
			f.cutOthr.Add(1)
		}
		return
	}
}

// stop ends the flood and returns its counts.
func (f *slowloris) stop() floodStats {
	f.once.Do(func() {
		close(f.done)
		f.wg.Wait()
		f.stats = floodStats{opened: f.opened.Load(), cut408: f.cut408.Load(), cutOther: f.cutOthr.Load(), dialErrs: f.dialErr.Load()}
	})
	return f.stats
}

// normalClient sends GET /a.txt for d, alternating between a fresh
// connection and one kept alive, and returns the latencies of the answered
// requests and the errors of the others.
func normalClient(s *server, d time.Duration) ([]time.Duration, []error) {
	fresh := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	kept := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer kept.CloseIdleConnections()
	var lat []time.Duration
	var errs []error
	for end, i := time.Now().Add(d), 0; time.Now().Before(end); i++ {
		cl := fresh
		if i%2 == 1 {
			cl = kept
		}
		start := time.Now()
		resp, err := cl.Get(s.url("/a.txt"))
		if err == nil {
			var body []byte
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && (resp.StatusCode != 200 || string(body) != "alpha\n") {
				err = fmt.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, "alpha\n")
			}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lat = append(lat, time.Since(start))
		time.Sleep(10 * time.Millisecond)
	}
	return lat, errs
}

// latencySummary renders the median, 99th percentile and maximum.
func latencySummary(lat []time.Duration) string {
	if len(lat) == 0 {
		return "n/a"
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	q := func(p float64) time.Duration {
		return s[min(len(s)-1, int(p*float64(len(s))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %v, p99 %v, max %v", q(0.5), q(0.99), s[len(s)-1].Round(10*time.Microsecond))
}
