package status

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/version"
	"eventmpm/shm"
)

// liveScoreboard drives a real scoreboard file through the shm API, the way
// the supervisor and a child do, including hostile text in the slots.
func liveScoreboard(t testing.TB) *shm.Scoreboard {
	t.Helper()
	sb, err := shm.Create(filepath.Join(t.TempDir(), "scoreboard"), shm.Layout{ServerLimit: 16, ThreadLimit: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	sb.SetServerInfo(shm.ServerInfo{ServerName: "<b>evil</b>.example", ThreadsPerChild: 10, ActiveDaemonsLimit: 3,
		MaxRequestWorkers: 30, ExtendedStatus: true})
	sb.SetGeneration(1)
	for slot, gen := range []int{0, 1, 1} {
		p := sb.Process(slot)
		p.Claim(10000+slot, gen)
		p.SetConnCounts(5, 1, 2, 1, 0, 1)
		if gen == 0 {
			p.SetQuiescing(1)
		}
		for th := range 10 {
			w := p.Worker(th)
			w.Start(10000+slot, gen)
			w.SetStatus(shm.Ready)
			w.BeginRequest(time.Now())
			w.SetRequestInfo([]byte("<script>x</script>"), []byte("GET /\x1b]0;pwned\x07 HTTP/1.1"),
				[]byte(`"vhost"&`), []byte("HTTP/1.1"))
			w.EndRequest(int64(th)*1000, time.Duration(th)*time.Millisecond)
			w.SetStatus(shm.Status(1 + th%int(shm.NumStatus-1)))
		}
	}
	return sb
}

func TestRenderLiveScoreboard(t *testing.T) {
	sb := liveScoreboard(t)
	var snap shm.Snapshot
	sb.Snapshot(&snap)
	info := NewInfo(&snap, time.Now())
	info.Full = true
	if info.ServerVersion != version.Description || !info.ExtendedStatus || info.ServerName != snap.ServerName {
		t.Errorf("NewInfo: got %+v", info)
	}

	html := AppendHTML(nil, &snap, &info)
	for _, bad := range []string{"<script>", "<b>evil", "\x1b", "\x07", `"vhost"`} {
		if bytes.Contains(html, []byte(bad)) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	text := AppendText(nil, &snap, &info)
	for _, bad := range []string{"\x1b", "\x07"} {
		if bytes.Contains(text, []byte(bad)) {
			t.Errorf("terminal text contains raw control byte %q", bad)
		}
	}
	if !json.Valid(AppendJSON(nil, &snap, &info)) {
		t.Errorf("JSON rendering is not valid JSON")
	}
	nums, board := exporterParse(t, AppendAuto(nil, &snap, &info))
	if nums["Processes"] != 3 || nums["Stopping"] != 1 || nums["ProcessSlotsOldGeneration"] != 1 {
		t.Errorf("?auto: got Processes %v Stopping %v old %v, want 3 1 1", nums["Processes"], nums["Stopping"], nums["ProcessSlotsOldGeneration"])
	}
	// 3 active daemons × 10 threads, plus nothing beyond: the string is 30 long.
	total := 0
	for _, n := range board {
		total += n
	}
	if total != 30 {
		t.Errorf("scoreboard length: got %d, want 30", total)
	}
	if nums["Total Accesses"] != 30 {
		t.Errorf("Total Accesses: got %v, want 30", nums["Total Accesses"])
	}
}

func TestScoreboardHidesDisabledSlots(t *testing.T) {
	snap := fixtureSnapshot()
	got := string(appendScoreboard(nil, snap, 0))
	if want := "_RWKLCWWW_SDIGGW.........G"; got != want {
		t.Errorf("scoreboard: got %q, want %q", got, want)
	}
	lines := appendScoreboard(nil, &shm.Snapshot{
		Layout:  shm.Layout{ServerLimit: 2, ThreadLimit: 100},
		Workers: make([]shm.WorkerInfo, 200), Processes: make([]shm.ProcessInfo, 2),
	}, 64)
	if got := strings.Count(string(lines), "\n"); got != 3 {
		t.Errorf("200 letters at 64 a line: got %d line breaks, want 3", got)
	}
}
