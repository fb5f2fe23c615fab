package child_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"eventmpm/internal/itest"
	"eventmpm/shm"
)

// metricsConf runs a supervisor with two children of four workers that
// stay two when idle, the /metrics handler restricted as the bundled
// /server-status is (Require local), and one restricted to a network the
// test's loopback client is not in.
const metricsConf = `Listen 127.0.0.1:{{PORT}}
ServerName localhost
ServerLimit 4
ThreadLimit 8
StartServers 2
ThreadsPerChild 4
MinSpareThreads 4
MaxSpareThreads 16
MaxRequestWorkers 16
ScoreBoardFile logs/eventmpm.scoreboard
PidFile logs/eventmpm.pid
ErrorLog logs/error_log
LogLevel info
DocumentRoot htdocs
<Directory htdocs>
    Require all granted
</Directory>
` + metricsLocations

// metricsLocations serves /metrics to localhost and /metrics-lan to
// 10.0.0.0/8 only (so to no test client).
const metricsLocations = `<Location /metrics>
    SetHandler metrics
    Require local
</Location>
<Location /metrics-lan>
    SetHandler metrics
    Require ip 10.0.0.0/8
</Location>
`

const metricsIndex = "<html><body>metrics test</body></html>\n"

// metricsServer is one `eventmpm start --foreground` with its scoreboard
// mapped read-only.
type metricsServer struct {
	t      *testing.T
	root   *itest.Root
	proc   *itest.Proc
	sb     *shm.Scoreboard
	client *http.Client
}

func startMetricsServer(t *testing.T) *metricsServer {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test (make test-short runs unit tests only)")
	}
	root := itest.NewRoot(t, metricsConf, map[string]string{"index.html": metricsIndex})
	s := &metricsServer{t: t, root: root, client: &http.Client{Timeout: ioWait,
		Transport: &http.Transport{DisableKeepAlives: true}}}
	s.proc = itest.Run(t, root, "start", "--foreground")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("supervisor stderr:\n%s", s.proc.Stderr.String())
		}
		if s.sb != nil {
			s.sb.Close()
		}
	})
	s.proc.WaitListening(t, root.Addr(), 30*time.Second)
	s.sb = itest.WaitScoreboard(t, root.Path("logs", "eventmpm.scoreboard"), 10*time.Second)
	s.waitSettled(0)
	return s
}

// children counts the process slots with a pid by generation.
func (s *metricsServer) children() (gen int, byGen map[int]int, total int) {
	var snap shm.Snapshot
	s.sb.Snapshot(&snap)
	byGen = map[int]int{}
	for _, p := range snap.Processes {
		if p.PID != 0 {
			byGen[p.Generation]++
			total++
		}
	}
	return snap.Generation, byGen, total
}

// waitSettled waits until generation gen serves with its two children and
// no other child is left.
func (s *metricsServer) waitSettled(gen int) {
	s.t.Helper()
	itest.Eventually(s.t, 60*time.Second, fmt.Sprintf("generation %d alone with 2 children", gen), func() bool {
		g, byGen, total := s.children()
		return g == gen && byGen[gen] == 2 && total == 2
	})
}

// fetch GETs path and returns the status and body.
func (s *metricsServer) fetch(path string) (int, []byte) {
	s.t.Helper()
	resp, err := s.client.Get("http://" + s.root.Addr() + path)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp.StatusCode, b
}

// scrape is one parsed /metrics answer.
type scrape map[string]*dto.MetricFamily

// scrape GETs /metrics and parses it as Prometheus does.
func (s *metricsServer) scrape() scrape {
	s.t.Helper()
	resp, err := s.client.Get("http://" + s.root.Addr() + "/metrics")
	if err != nil {
		s.t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		s.t.Fatalf("scrape: got %d, want 200", resp.StatusCode)
	}
	if got, want := resp.Header.Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8"; got != want {
		s.t.Errorf("scrape Content-Type: got %q, want %q", got, want)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		s.t.Fatalf("scrape does not parse: %v", err)
	}
	return mfs
}

// value returns the series of family name whose labels include the given
// name=value pairs (none for an unlabelled family).
func (m scrape) value(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	mf := m[name]
	if mf == nil {
		t.Fatalf("scrape has no %s", name)
	}
	for _, metric := range mf.GetMetric() {
		have := map[string]bool{}
		for _, l := range metric.GetLabel() {
			have[l.GetName()+"="+l.GetValue()] = true
		}
		match := true
		for _, l := range labels {
			match = match && have[l]
		}
		if !match {
			continue
		}
		if c := metric.GetCounter(); c != nil {
			return c.GetValue()
		}
		return metric.GetGauge().GetValue()
	}
	t.Fatalf("scrape has no %s{%s}", name, strings.Join(labels, ","))
	return 0
}

// processes adds eventmpm_processes over its states.
func (m scrape) processes(t *testing.T) float64 {
	var n float64
	for _, st := range []string{"running", "stopping", "old_generation"} {
		n += m.value(t, "eventmpm_processes", "state="+st)
	}
	return n
}

// TestMetricsScrape runs the real server with two children and scrapes
// /metrics: requests_total grows by exactly the requests made (plus the
// scrape before them: a request is counted before its answer is written),
// the scraping worker is busy, the processes are the children the
// scoreboard shows, and a graceful restart moves the generation but keeps
// the counters.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	s := startMetricsServer(t)
	const n = 25

	m := s.scrape()
	before := m.value(t, "eventmpm_requests_total")
	bytesBefore := m.value(t, "eventmpm_sent_bytes_total")
	if got := m.value(t, "eventmpm_generation"); got != 0 {
		t.Errorf("generation: got %v, want 0", got)
	}
	for range n {
		if st, body := s.fetch("/index.html"); st != 200 || string(body) != metricsIndex {
			t.Fatalf("GET /index.html: got %d %q", st, body)
		}
	}
	m = s.scrape()
	if got, want := m.value(t, "eventmpm_requests_total")-before, float64(n+1); got != want {
		t.Errorf("requests_total grew by %v, want %v (%d requests and the first scrape)", got, want, n)
	}
	if got, min := m.value(t, "eventmpm_sent_bytes_total")-bytesBefore, float64(n*len(metricsIndex)); got < min {
		t.Errorf("sent_bytes_total grew by %v, want at least %v", got, min)
	}
	if got := m.value(t, "eventmpm_workers", "state=busy"); got < 1 {
		t.Errorf("busy workers: got %v, want >= 1 (the scrape itself)", got)
	}
	_, _, total := s.children()
	if got := m.processes(t); got != float64(total) || got != m.value(t, "eventmpm_processes", "state=running") {
		t.Errorf("processes: got %v (running %v), want the scoreboard's %d, all running",
			got, m.value(t, "eventmpm_processes", "state=running"), total)
	}
	if got := m.value(t, "eventmpm_max_request_workers"); got != 16 {
		t.Errorf("max_request_workers: got %v, want 16", got)
	}
	restartTime := m.value(t, "eventmpm_restart_time_seconds")
	last := m.value(t, "eventmpm_requests_total")

	// Graceful restart: a new generation, the counters carry on.
	if err := s.proc.Signal(syscall.SIGUSR1); err != nil {
		t.Fatalf("SIGUSR1: %v", err)
	}
	s.waitSettled(1)
	m = s.scrape()
	if got := m.value(t, "eventmpm_generation"); got != 1 {
		t.Errorf("generation after graceful restart: got %v, want 1", got)
	}
	if got, want := m.value(t, "eventmpm_requests_total"), last+1; got != want {
		t.Errorf("requests_total after graceful restart: got %v, want %v (no reset, the last scrape counted)", got, want)
	}
	if got := m.value(t, "eventmpm_restart_time_seconds"); got != restartTime {
		t.Errorf("restart_time_seconds moved on a graceful restart: got %v, want %v", got, restartTime)
	}
	if got := m.processes(t); got != 2 {
		t.Errorf("processes after graceful restart: got %v, want 2", got)
	}
}

// TestMetricsAccess: /metrics is answered only to the clients its Require
// lines grant, with the 403 server-status gives, and only to GET and HEAD.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("integration test (make test-short runs unit tests only)")
	}
	s := startServer(t, metricsLocations+`<Location /status-lan>
    SetHandler server-status
    Require ip 10.0.0.0/8
</Location>
`, map[string]string{"index.html": "x"})
	c := &http.Client{Timeout: ioWait, Transport: &http.Transport{DisableKeepAlives: true}}
	forbidden := map[string]string{}
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{method: "GET", path: "/metrics", status: 200},
		{method: "HEAD", path: "/metrics", status: 200},
		{method: "POST", path: "/metrics", status: 405},
		{method: "GET", path: "/metrics-lan", status: 403},
		{method: "GET", path: "/status-lan", status: 403},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, s.url(tc.path), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 403 {
				forbidden[strings.TrimSuffix(tc.path, "-lan")] = string(b)
			}
			switch {
			case tc.status == 200 && tc.method == "GET" && !strings.Contains(string(b), "eventmpm_requests_total"):
				t.Errorf("200 body has no eventmpm_requests_total: %q", b)
			case tc.method == "HEAD" && len(b) != 0:
				t.Errorf("HEAD answered a body of %d bytes", len(b))
			}
		})
	}
	if m, st := forbidden["/metrics"], forbidden["/status"]; m != st || !strings.Contains(m, "403 Forbidden") {
		t.Errorf("the 403 of /metrics differs from server-status's:\n%s\n%s", m, st)
	}
}
