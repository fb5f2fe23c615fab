package status

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"eventmpm/shm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden renders the fixture scoreboard every way and compares with
// testdata/. Run `go test ./status -run Golden -update` after a deliberate
// change, and read the diff.
func TestGolden(t *testing.T) {
	type render func([]byte, *shm.Snapshot, *Info) []byte
	tests := []struct {
		file   string
		render render
		edit   func(*Info)
	}{
		{"status.html", AppendHTML, nil},
		{"status_notable.html", AppendHTML, func(i *Info) { i.NoTable = true }},
		{"status_basic.html", AppendHTML, func(i *Info) { i.ExtendedStatus = false }},
		{"auto.txt", AppendAuto, nil},
		{"auto_basic.txt", AppendAuto, func(i *Info) { i.ExtendedStatus = false }},
		{"text.txt", AppendText, nil},
		{"text_basic.txt", AppendText, func(i *Info) { i.ExtendedStatus, i.Full = false, false }},
		{"status.json", AppendJSON, nil},
		{"status_basic.json", AppendJSON, func(i *Info) { i.ExtendedStatus, i.Full = false, false }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			snap := fixtureSnapshot()
			info := fixtureInfo(snap)
			if tt.edit != nil {
				tt.edit(&info)
			}
			got := tt.render([]byte("prefix:"), snap, &info)
			if !bytes.HasPrefix(got, []byte("prefix:")) {
				t.Fatalf("renderer did not append to dst")
			}
			got = got[len("prefix:"):]
			checkGolden(t, filepath.Join("testdata", tt.file), got)
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; got:\n%s", path, got)
	}
}

// TestJSONValid decodes the JSON rendering and checks a few values.
func TestJSONValid(t *testing.T) {
	snap := fixtureSnapshot()
	info := fixtureInfo(snap)
	var v struct {
		Server struct {
			Name          string    `json:"name"`
			MPMGeneration int       `json:"mpm_generation"`
			Load          []float64 `json:"load"`
		} `json:"server"`
		Totals *struct {
			Accesses int64 `json:"accesses"`
		} `json:"totals"`
		ProcessSlots struct {
			Total, InUse, OldGeneration int
		} `json:"process_slots"`
		Scoreboard   string           `json:"scoreboard"`
		ProcessTable []map[string]any `json:"process_table"`
		WorkerTable  []map[string]any `json:"worker_table"`
	}
	raw := AppendJSON(nil, snap, &info)
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("AppendJSON output is not JSON: %v\n%s", err, raw)
	}
	s := summarize(snap, &info)
	if v.Server.Name != "www.example.com" || v.Server.MPMGeneration != 3 || len(v.Server.Load) != 3 {
		t.Errorf("server: got %+v", v.Server)
	}
	if v.Totals == nil || v.Totals.Accesses != s.accesses {
		t.Errorf("totals: got %+v, want accesses %d", v.Totals, s.accesses)
	}
	if got, want := v.Scoreboard, string(appendScoreboard(nil, snap, 0)); got != want {
		t.Errorf("scoreboard: got %q, want %q", got, want)
	}
	if got := len(v.ProcessTable); got != 4 {
		t.Errorf("process_table: got %d rows, want 4", got)
	}
	if len(v.WorkerTable) == 0 {
		t.Errorf("worker_table: got none, want rows with Full")
	}
	for _, w := range v.WorkerTable {
		if w["request"] == nil {
			t.Errorf("worker row without request: %v", w)
		}
	}
}
