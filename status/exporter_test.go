package status

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"eventmpm/shm"
)

// exporterParse reads ?auto text with apache_exporter's rules
// (collector/collector.go): split each line at the first ':', trim both
// sides, skip the keyless first line; every value must parse as a float64
// except the textual keys; ServerVersion is split on '/', ' ' and '.', and
// the exporter indexes the third part unchecked; Scoreboard is counted per
// letter. It returns the parsed numbers and the scoreboard counts.
func exporterParse(t *testing.T, auto []byte) (map[string]float64, map[rune]int) {
	t.Helper()
	textual := map[string]bool{
		"ServerVersion": true, "ServerMPM": true, "Server Built": true, "CurrentTime": true,
		"RestartTime": true, "ServerUptime": true, "Scoreboard": true,
	}
	nums := map[string]float64{}
	board := map[rune]int{}
	sc := bufio.NewScanner(bytes.NewReader(auto))
	for first := true; sc.Scan(); first = false {
		key, value, ok := strings.Cut(sc.Text(), ":")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if first {
			if ok {
				t.Errorf("first line %q has a key; the exporter expects the bare server name", sc.Text())
			}
			continue
		}
		if !ok {
			t.Errorf("line %q has no key", sc.Text())
			continue
		}
		if _, dup := nums[key]; dup {
			t.Errorf("key %q appears twice", key)
		}
		switch key {
		case "ServerVersion":
			checkServerVersion(t, value)
		case "Scoreboard":
			for _, c := range value {
				board[c]++
			}
		}
		if textual[key] {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Errorf("%s: value %q does not parse as a float: %v", key, value, err)
		}
		nums[key] = v
	}
	return nums, board
}

func checkServerVersion(t *testing.T, v string) {
	t.Helper()
	slash := strings.Split(v, "/")
	if len(slash) < 2 {
		t.Fatalf("ServerVersion %q has no '/'", v)
	}
	parts := strings.Split(strings.Split(slash[1], " ")[0], ".")
	if len(parts) < 3 {
		t.Fatalf("ServerVersion %q: got %d dot parts, want 3 (the exporter would panic)", v, len(parts))
	}
	if _, err := strconv.ParseFloat(parts[0]+"."+parts[1]+parts[2], 64); err != nil {
		t.Errorf("ServerVersion %q: version does not parse: %v", v, err)
	}
}

func TestAutoExporterRules(t *testing.T) {
	snap := fixtureSnapshot()
	for _, ext := range []bool{true, false} {
		info := fixtureInfo(snap)
		info.ExtendedStatus = ext
		info.ServerVersion = "" // the real default: version.Description
		auto := AppendAuto(nil, snap, &info)
		nums, board := exporterParse(t, auto)
		s := summarize(snap, &info)
		want := map[string]float64{
			"BusyWorkers": float64(s.busy), "IdleWorkers": float64(s.idle), "Processes": 4, "Stopping": 2,
			"ConnsTotal": 25, "ConnsAsyncWriting": 4, "ConnsAsyncKeepAlive": 7, "ConnsAsyncClosing": 2,
			"ParentServerConfigGeneration": 4, "ParentServerMPMGeneration": 3, "Load1": 0.42,
			"ProcessSlotsTotal": 6, "ProcessSlotsOldGeneration": 2,
		}
		if ext {
			want["Total Accesses"] = float64(s.accesses)
			want["Total kBytes"] = float64(s.kbytes)
		}
		for k, v := range want {
			if got, ok := nums[k]; !ok || got != v {
				t.Errorf("ext=%v %s: got %v (present %v), want %v", ext, k, got, ok, v)
			}
		}
		letters := 0
		for c, n := range board {
			if !strings.ContainsRune("_SRWKDCLGI.", c) {
				t.Errorf("scoreboard letter %q is not one the exporter knows", c)
			}
			letters += n
		}
		if want := len(appendScoreboard(nil, snap, 0)); letters != want {
			t.Errorf("scoreboard: got %d letters, want %d", letters, want)
		}
	}
}

// TestAutoApacheNumbers rebuilds apache_exporter's event-MPM fixture (real
// httpd 2.4 output: 445 s up, 131 requests, 138 kB, .25 s user and .15 s
// system CPU) and checks that our lines read the same.
func TestAutoApacheNumbers(t *testing.T) {
	restart := time.Date(2016, 7, 29, 13, 58, 49, 0, time.UTC)
	snap := &shm.Snapshot{
		Layout: shm.Layout{ServerLimit: 1, ThreadLimit: 5}, ConfigGeneration: 1, RestartTime: restart,
		ParentCPU:  shm.CPUTimes{User: 250 * time.Millisecond, System: 150 * time.Millisecond},
		Processes:  make([]shm.ProcessInfo, 1),
		Workers:    make([]shm.WorkerInfo, 5),
		ServerName: "localhost",
	}
	snap.Processes[0] = shm.ProcessInfo{PID: 100}
	for i, st := range []shm.Status{shm.Ready, shm.BusyWrite, shm.Ready, shm.Ready, shm.Ready} {
		snap.Workers[i].Status = st
	}
	snap.Workers[0].AccessCount, snap.Workers[0].BytesServed = 131, 138*1024+500
	snap.Workers[0].Duration = 12930 * time.Millisecond
	info := Info{
		Now: restart.Add(445 * time.Second), ServerName: "localhost", Load: [3]float64{0.02, 0.02, 0},
		ExtendedStatus: true, ServerVersion: "Apache/2.4.23 (Unix)", ServerBuilt: "Jul 29 2016 04:26:14",
	}
	got := string(AppendAuto(nil, snap, &info))
	want := `localhost
ServerVersion: Apache/2.4.23 (Unix)
ServerMPM: event
Server Built: Jul 29 2016 04:26:14
CurrentTime: Friday, 29-Jul-2016 14:06:14 UTC
RestartTime: Friday, 29-Jul-2016 13:58:49 UTC
ParentServerConfigGeneration: 1
ParentServerMPMGeneration: 0
ServerUptimeSeconds: 445
ServerUptime: 7 minutes 25 seconds
Load1: 0.02
Load5: 0.02
Load15: 0.00
Total Accesses: 131
Total kBytes: 138
Total Duration: 12930
CPUUser: .25
CPUSystem: .15
CPUChildrenUser: 0
CPUChildrenSystem: 0
CPULoad: .0898876
Uptime: 445
ReqPerSec: .294382
BytesPerSec: 317.555
BytesPerReq: 1078.72
DurationPerReq: 98.7023
BusyWorkers: 1
GracefulWorkers: 0
IdleWorkers: 4
Processes: 1
Stopping: 0
ConnsTotal: 0
ConnsAsyncWaitIO: 0
ConnsAsyncWriting: 0
ConnsAsyncKeepAlive: 0
ConnsAsyncClosing: 0
Scoreboard: _W___
ProcessSlotsTotal: 1
ProcessSlotsOldGeneration: 0
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
