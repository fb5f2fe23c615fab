package status_test

import (
	"bytes"
	"fmt"
	"time"

	"eventmpm/shm"
	"eventmpm/status"
)

// A /server-status handler: parse the query as mod_status does, copy the
// scoreboard into a reused Snapshot, and render into a reused buffer.
func Example() {
	snap := &shm.Snapshot{
		Layout:          shm.Layout{ServerLimit: 1, ThreadLimit: 4},
		ThreadsPerChild: 4, ActiveDaemonsLimit: 1,
		Processes: []shm.ProcessInfo{{PID: 1234}},
		Workers:   []shm.WorkerInfo{{Status: shm.Ready}, {Status: shm.BusyWrite}, {Status: shm.Ready}, {}},
	}
	// In the child: sb.Snapshot(snap) on a Snapshot kept per worker.
	q := status.ParseQuery("auto")
	info := status.NewInfo(snap, time.Now())
	info.ServerName = "www.example.com"

	var buf bytes.Buffer
	if q.Auto {
		buf.Write(status.AppendAuto(buf.AvailableBuffer(), snap, &info))
	}
	for _, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
		if bytes.HasPrefix(line, []byte("Scoreboard")) || bytes.HasPrefix(line, []byte("BusyWorkers")) {
			fmt.Printf("%s\n", line)
		}
	}
	fmt.Println(status.ContentTypeAuto)
	// Output:
	// BusyWorkers: 1
	// Scoreboard: _W_.
	// text/plain; charset=ISO-8859-1
}
