package status

import (
	"bytes"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"eventmpm/shm"
)

// TestMetricsGolden renders the fixture scoreboard as the Prometheus text
// exposition and compares it with testdata/metrics.txt (-update rewrites).
func TestMetricsGolden(t *testing.T) {
	snap := fixtureSnapshot()
	info := fixtureInfo(snap)
	got, err := NewMetrics().Append([]byte("prefix:"), snap, &info)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("prefix:")) {
		t.Fatalf("Append did not append to dst")
	}
	checkGolden(t, filepath.Join("testdata", "metrics.txt"), got[len("prefix:"):])
}

// parseExposition reads a text exposition with prometheus/common's parser,
// as a Prometheus server would.
func parseExposition(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, text)
	}
	return mfs
}

// sample is one expected series: its labels (name=value, sorted by name)
// and value.
type sample struct {
	labels string
	value  float64
}

// samplesOf returns a family's series as "name=value,..." label strings.
func samplesOf(mf *dto.MetricFamily) []sample {
	var out []sample
	for _, m := range mf.GetMetric() {
		var labels []string
		for _, l := range m.GetLabel() {
			labels = append(labels, l.GetName()+"="+l.GetValue())
		}
		sort.Strings(labels)
		var v float64
		switch mf.GetType() {
		case dto.MetricType_COUNTER:
			v = m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			v = m.GetGauge().GetValue()
		}
		out = append(out, sample{strings.Join(labels, ","), v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].labels < out[j].labels })
	return out
}

// TestMetricsParse parses the exposition of the fixture and checks every
// family's type, label sets and values against the snapshot, and against
// the ?auto page read with apache_exporter's rules: both renderings of one
// snapshot must tell the same story.
func TestMetricsParse(t *testing.T) {
	snap := fixtureSnapshot()
	info := fixtureInfo(snap)
	out, err := NewMetrics().Append(nil, snap, &info)
	if err != nil {
		t.Fatal(err)
	}
	mfs := parseExposition(t, out)
	auto, board := exporterParse(t, AppendAuto(nil, snap, &info))
	byLetter := func(c rune) float64 { return float64(board[c]) }
	gauge, counter := dto.MetricType_GAUGE, dto.MetricType_COUNTER
	tests := []struct {
		name string
		typ  dto.MetricType
		want []sample
	}{
		{"eventmpm_scoreboard_slots", gauge, []sample{
			{"state=closing", byLetter('C')}, {"state=dns", byLetter('D')}, {"state=graceful", byLetter('G')},
			{"state=idle_cleanup", byLetter('I')}, {"state=keepalive", byLetter('K')}, {"state=logging", byLetter('L')},
			{"state=open", byLetter('.')}, {"state=reading", byLetter('R')}, {"state=sending", byLetter('W')},
			{"state=starting", byLetter('S')}, {"state=waiting", byLetter('_')},
		}},
		{"eventmpm_workers", gauge, []sample{
			{"state=busy", auto["BusyWorkers"]}, {"state=graceful", auto["GracefulWorkers"]}, {"state=idle", auto["IdleWorkers"]},
		}},
		// Slots 0 and 1 serve generation 3; slot 2 (generation 2) and slot 4
		// (generation 1) drain; ?auto's Stopping counts those two.
		{"eventmpm_processes", gauge, []sample{
			{"state=old_generation", 2}, {"state=running", 2}, {"state=stopping", auto["Stopping"] - 2},
		}},
		{"eventmpm_connections", gauge, []sample{{"", auto["ConnsTotal"]}}},
		{"eventmpm_async_connections", gauge, []sample{
			{"state=closing", auto["ConnsAsyncClosing"]}, {"state=keepalive", auto["ConnsAsyncKeepAlive"]},
			{"state=wait_io", auto["ConnsAsyncWaitIO"]}, {"state=writing", auto["ConnsAsyncWriting"]},
		}},
		{"eventmpm_requests_total", counter, []sample{{"", auto["Total Accesses"]}}},
		{"eventmpm_sent_bytes_total", counter, []sample{{"", float64(sumWorkers(snap, func(w *shm.WorkerInfo) int64 { return w.BytesServed }))}}},
		{"eventmpm_request_duration_seconds_total", counter, []sample{{"", auto["Total Duration"] / 1000}}},
		{"eventmpm_generation", gauge, []sample{{"", auto["ParentServerMPMGeneration"]}}},
		{"eventmpm_start_time_seconds", gauge, []sample{{"", float64(fixStart.Unix())}}},
		{"eventmpm_restart_time_seconds", gauge, []sample{{"", float64(fixRestart.Unix())}}},
		{"eventmpm_uptime_seconds", gauge, []sample{{"", auto["ServerUptimeSeconds"]}}},
		{"eventmpm_max_request_workers", gauge, []sample{{"", 24}}},
		{"eventmpm_server_limit", gauge, []sample{{"", auto["ProcessSlotsTotal"]}}},
		{"eventmpm_build_info", gauge, []sample{{"mpm=event,version=eventmpm/0.1.0 (Unix)", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mf := mfs[tt.name]
			if mf == nil {
				t.Fatalf("family missing from:\n%s", out)
			}
			delete(mfs, tt.name)
			if mf.GetType() != tt.typ {
				t.Errorf("type: got %v, want %v", mf.GetType(), tt.typ)
			}
			if mf.GetHelp() == "" {
				t.Errorf("no HELP text")
			}
			if got := samplesOf(mf); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("samples:\ngot  %v\nwant %v", got, tt.want)
			}
		})
	}
	for name := range mfs {
		t.Errorf("family %s is not checked by this test", name)
	}
	// The kB figure of ?auto and the byte counter agree to the KiB.
	if got, want := math.Floor(mfsValue(t, out, "eventmpm_sent_bytes_total")/1024), auto["Total kBytes"]; got != want {
		t.Errorf("sent bytes: got %v KiB, want ?auto's Total kBytes %v", got, want)
	}
}

func sumWorkers(snap *shm.Snapshot, f func(*shm.WorkerInfo) int64) int64 {
	var n int64
	for i := range snap.Workers {
		n += f(&snap.Workers[i])
	}
	return n
}

// mfsValue returns the value of an unlabelled series of the exposition.
func mfsValue(t *testing.T, text []byte, name string) float64 {
	t.Helper()
	s := samplesOf(parseExposition(t, text)[name])
	if len(s) != 1 {
		t.Fatalf("%s: got %d series, want 1", name, len(s))
	}
	return s[0].value
}

// TestMetricsLint runs the client library's linter (promlint: naming,
// units, counters ending in _total, HELP present) over the collector, in a
// pedantic registry that also checks every metric against its descriptor.
func TestMetricsLint(t *testing.T) {
	snap := fixtureSnapshot()
	info := fixtureInfo(snap)
	c := newCollector()
	c.snap, c.info = snap, &info
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

// TestMetricsEmptySnapshot renders a scoreboard with no process: every
// family is still there (zeros), so dashboards see a server that is up and
// idle, not missing series.
func TestMetricsEmptySnapshot(t *testing.T) {
	l := shm.Layout{ServerLimit: 2, ThreadLimit: 3}
	snap := &shm.Snapshot{Layout: l, Processes: make([]shm.ProcessInfo, 2), Workers: make([]shm.WorkerInfo, l.Workers())}
	info := Info{Now: fixNow, ServerVersion: "eventmpm/0.1.0 (Unix)"}
	out, err := NewMetrics().Append(nil, snap, &info)
	if err != nil {
		t.Fatal(err)
	}
	mfs := parseExposition(t, out)
	if got, want := len(mfs), 15; got != want {
		t.Errorf("got %d families, want %d", got, want)
	}
	if got := mfsValue(t, out, "eventmpm_requests_total"); got != 0 {
		t.Errorf("requests_total: got %v, want 0", got)
	}
	if s := samplesOf(mfs["eventmpm_scoreboard_slots"]); len(s) != int(shm.NumStatus) {
		t.Errorf("scoreboard_slots: got %d series, want one per state (%d)", len(s), shm.NumStatus)
	}
	// A second rendering with the same Metrics gives the same bytes.
	m := NewMetrics()
	a, _ := m.Append(nil, snap, &info)
	b, _ := m.Append(nil, snap, &info)
	if !bytes.Equal(a, b) || !bytes.Equal(a, out) {
		t.Errorf("renderings of one snapshot differ")
	}
}
