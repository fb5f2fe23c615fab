package status

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"eventmpm/shm"
)

// ContentTypeMetrics is the content type of the Prometheus text exposition
// format, version 0.0.4: what every Prometheus server and agent accepts.
// Metrics answers it whatever the scraper's Accept header asks for.
const ContentTypeMetrics = "text/plain; version=0.0.4; charset=utf-8"

// Metrics renders a scoreboard snapshot in the Prometheus text exposition
// format: the handler of `SetHandler metrics`. It holds a private registry
// (never the client library's global one) with one collector that reads
// the snapshot passed to Append, so every scrape is one consistent reading
// of the scoreboard, the same data as the status page.
//
// The metrics, all named eventmpm_*:
//
//	scoreboard_slots{state}    gauge: worker slots by scoreboard state, one per
//	                           letter of ?auto's Scoreboard (waiting, starting,
//	                           reading, sending, keepalive, dns, closing,
//	                           logging, graceful, idle_cleanup, open)
//	workers{state}             gauge: ?auto's BusyWorkers, GracefulWorkers and
//	                           IdleWorkers (busy, graceful, idle)
//	processes{state}           gauge: child processes by state: running
//	                           (current generation), stopping (current
//	                           generation, quiescing), old_generation (draining
//	                           after a restart); they add up to ?auto's Processes
//	connections                gauge: open connections (ConnsTotal)
//	async_connections{state}   gauge: ConnsAsyncWaitIO, ConnsAsyncWriting,
//	                           ConnsAsyncKeepAlive, ConnsAsyncClosing (wait_io,
//	                           writing, keepalive, closing)
//	requests_total             counter: requests served (Total Accesses)
//	sent_bytes_total           counter: bytes sent, heads included, as %O
//	                           logs them (Total kBytes, in bytes)
//	request_duration_seconds_total counter: time spent on requests (Total Duration)
//	generation                 gauge: running MPM generation; moves on every
//	                           restart, graceful or not
//	start_time_seconds         gauge: first start, Unix time
//	restart_time_seconds       gauge: last start or hard restart, Unix time
//	uptime_seconds             gauge: seconds since the restart time
//	max_request_workers        gauge: MaxRequestWorkers
//	server_limit               gauge: ServerLimit, the process slots
//	build_info{version,mpm}    gauge: always 1
//
// The counters add the scoreboard's per-slot counts, which survive graceful
// restarts and child replacement; they reset only on a hard restart
// (SIGHUP), which moves restart_time_seconds, as Apache's do. They are kept
// whether or not ExtendedStatus is on.
//
// A Metrics is not safe for concurrent use: each worker keeps its own.
type Metrics struct {
	reg *prometheus.Registry
	col *collector
}

// NewMetrics returns a Metrics with its own registry.
func NewMetrics() *Metrics {
	col := newCollector()
	reg := prometheus.NewRegistry()
	// Registering fails only if the descriptors above are inconsistent: a
	// broken invariant of this file, caught by every test.
	reg.MustRegister(col)
	return &Metrics{reg: reg, col: col}
}

// Append appends the text exposition of snap to dst. info supplies the
// time (for the uptime) and the version.
func (m *Metrics) Append(dst []byte, snap *shm.Snapshot, info *Info) ([]byte, error) {
	m.col.snap, m.col.info = snap, info
	defer func() { m.col.snap, m.col.info = nil, nil }()
	families, err := m.reg.Gather()
	if err != nil {
		return dst, fmt.Errorf("status: gather metrics: %w", err)
	}
	w := appendWriter{b: dst}
	for _, mf := range families {
		if _, err := expfmt.MetricFamilyToText(&w, mf); err != nil {
			return dst, fmt.Errorf("status: encode metric %s: %w", mf.GetName(), err)
		}
	}
	return w.b, nil
}

// appendWriter is an io.Writer that appends to a caller's slice, so the
// exposition lands in the child's response body without a copy.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// scoreboardStates are the state label values of eventmpm_scoreboard_slots,
// indexed by shm.Status: Apache's scoreboard key, shortened ("Waiting for
// Connection" is waiting, "Open slot with no current process" open).
var scoreboardStates = [shm.NumStatus]string{
	shm.Dead: "open", shm.Starting: "starting", shm.Ready: "waiting", shm.BusyRead: "reading",
	shm.BusyWrite: "sending", shm.BusyKeepAlive: "keepalive", shm.BusyLog: "logging",
	shm.BusyDNS: "dns", shm.Closing: "closing", shm.Graceful: "graceful", shm.IdleKill: "idle_cleanup",
}

// The process states of eventmpm_processes.
const (
	procRunning = iota
	procStopping
	procOldGeneration
	numProcStates
)

var processStates = [numProcStates]string{"running", "stopping", "old_generation"}

// collector is the prometheus.Collector over the snapshot of the scrape in
// progress.
type collector struct {
	snap *shm.Snapshot
	info *Info

	scoreboard, workers, processes, connections, asyncConns *prometheus.Desc
	requests, sentBytes, duration                           *prometheus.Desc
	generation, startTime, restartTime, uptime              *prometheus.Desc
	maxRequestWorkers, serverLimit, buildInfo               *prometheus.Desc
}

func newCollector() *collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("eventmpm_"+name, help, labels, nil)
	}
	return &collector{
		scoreboard: d("scoreboard_slots", "Worker slots by scoreboard state, one per letter of the ?auto Scoreboard line.", "state"),
		workers: d("workers", "Workers of serving children: busy, gracefully finishing and idle "+
			"(mod_status BusyWorkers, GracefulWorkers, IdleWorkers).", "state"),
		processes: d("processes", "Child processes: running (current generation), stopping (current generation, "+
			"quiescing) and old_generation (draining after a restart).", "state"),
		connections: d("connections", "Open connections of all children (mod_status ConnsTotal)."),
		asyncConns: d("async_connections", "Connections held by the event loops, not by a worker "+
			"(mod_status ConnsAsyncWaitIO, ConnsAsyncWriting, ConnsAsyncKeepAlive, ConnsAsyncClosing).", "state"),
		requests:  d("requests_total", "Requests served since the last start or hard restart (mod_status Total Accesses)."),
		sentBytes: d("sent_bytes_total", "Response bytes sent, heads included (%O), since the last start or hard restart (mod_status Total kBytes)."),
		duration: d("request_duration_seconds_total", "Time spent serving requests since the last start or hard restart "+
			"(mod_status Total Duration)."),
		generation: d("generation", "Running MPM generation: moves on every restart, graceful or not "+
			"(mod_status ParentServerMPMGeneration)."),
		startTime:         d("start_time_seconds", "Time the server first started, in seconds since the Unix epoch."),
		restartTime:       d("restart_time_seconds", "Time of the last start or hard restart (counters reset), in seconds since the Unix epoch."),
		uptime:            d("uptime_seconds", "Seconds since the last start or hard restart (mod_status ServerUptimeSeconds)."),
		maxRequestWorkers: d("max_request_workers", "MaxRequestWorkers: the most requests served at once."),
		serverLimit:       d("server_limit", "ServerLimit: process slots in the scoreboard."),
		buildInfo:         d("build_info", "Always 1; the labels name the server version and MPM.", "version", "mpm"),
	}
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.scoreboard, c.workers, c.processes, c.connections, c.asyncConns,
		c.requests, c.sentBytes, c.duration, c.generation, c.startTime, c.restartTime, c.uptime,
		c.maxRequestWorkers, c.serverLimit, c.buildInfo,
	} {
		ch <- d
	}
}

// Collect implements prometheus.Collector over the snapshot set by
// Metrics.Append; outside a scrape it sends nothing.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	snap, info := c.snap, c.info
	if snap == nil || info == nil {
		return
	}
	s := summarize(snap, info)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	for st, n := range countScoreboard(snap) {
		gauge(c.scoreboard, float64(n), scoreboardStates[st])
	}
	gauge(c.workers, float64(s.busy), "busy")
	gauge(c.workers, float64(s.graceful), "graceful")
	gauge(c.workers, float64(s.idle), "idle")
	for st, n := range countProcesses(snap) {
		gauge(c.processes, float64(n), processStates[st])
	}
	gauge(c.connections, float64(s.conns))
	gauge(c.asyncConns, float64(s.waitIO), "wait_io")
	gauge(c.asyncConns, float64(s.writing), "writing")
	gauge(c.asyncConns, float64(s.keepAlive), "keepalive")
	gauge(c.asyncConns, float64(s.closing), "closing")
	t := countTotals(snap)
	counter(c.requests, float64(t.requests))
	counter(c.sentBytes, float64(t.bytes))
	counter(c.duration, t.duration.Seconds())
	gauge(c.generation, float64(snap.Generation))
	gauge(c.startTime, unixSeconds(snap.StartTime))
	gauge(c.restartTime, unixSeconds(snap.RestartTime))
	gauge(c.uptime, float64(s.uptime))
	gauge(c.maxRequestWorkers, float64(snap.MaxRequestWorkers))
	gauge(c.serverLimit, float64(snap.Layout.ServerLimit))
	gauge(c.buildInfo, 1, info.serverVersion(), "event")
}

// countScoreboard counts the worker slots shown in the Scoreboard line by
// status.
func countScoreboard(snap *shm.Snapshot) [shm.NumStatus]int {
	var n [shm.NumStatus]int
	for slot := range snap.Layout.ServerLimit {
		for th := range snap.Layout.ThreadLimit {
			if scoreboardLetter(snap, slot, th) == 0 {
				continue
			}
			if st := snap.WorkerAt(slot, th).Status; st < shm.NumStatus {
				n[st]++
			}
		}
	}
	return n
}

// countProcesses counts the process slots with a pid by state.
func countProcesses(snap *shm.Snapshot) [numProcStates]int {
	var n [numProcStates]int
	for i := range snap.Processes {
		p := &snap.Processes[i]
		switch {
		case p.PID == 0:
		case p.Generation != snap.Generation:
			n[procOldGeneration]++
		case p.Quiescing != 0:
			n[procStopping]++
		default:
			n[procRunning]++
		}
	}
	return n
}

// totals are the scoreboard's accumulated request counts.
type totals struct {
	requests, bytes int64
	duration        time.Duration
}

// countTotals adds every worker slot's cumulative counts: the slots keep
// them through child replacement and graceful restarts (SPEC.md 2.4).
func countTotals(snap *shm.Snapshot) totals {
	var t totals
	for i := range snap.Workers {
		w := &snap.Workers[i]
		t.requests += w.AccessCount
		t.bytes += w.BytesServed
		t.duration += w.Duration
	}
	return t
}

// unixSeconds is t as Unix seconds with microseconds, or 0 when unset.
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMicro()) / 1e6
}
