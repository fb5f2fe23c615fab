package status

import (
	"time"

	"eventmpm/shm"
)

// The ExtendedStatus per-worker details of the HTML page. A worker is shown
// unless it is Ready or Dead and has never served a request.

func shownWorker(w *shm.WorkerInfo) bool {
	return w.AccessCount != 0 || (w.Status != shm.Ready && w.Status != shm.Dead)
}

// workerRow is what one row of the details shows, derived from the copy.
type workerRow struct {
	w        *shm.WorkerInfo
	slot     int
	pid, gen int
	cpu      [2]int64 // user, system ticks: the process's, as Apache's per-worker times are
	ss       int64    // seconds since last used
	reqMS    int64    // the last request, ms; 0 while one is in progress
}

func newWorkerRow(snap *shm.Snapshot, info *Info, slot, thread int) workerRow {
	w := snap.WorkerAt(slot, thread)
	p := &snap.Processes[slot]
	r := workerRow{w: w, slot: slot, pid: w.PID, gen: w.Generation}
	if w.PID == 0 {
		r.pid, r.gen = p.PID, p.Generation
	}
	if p.PID != 0 && p.PID == r.pid {
		r.cpu = [2]int64{ticks(p.CPUUser), ticks(p.CPUSystem)}
	}
	if !w.LastUsed.IsZero() {
		r.ss = int64(info.Now.Sub(w.LastUsed) / time.Second)
	}
	if !w.StartTime.IsZero() && w.StopTime.After(w.StartTime) {
		r.reqMS = w.StopTime.Sub(w.StartTime).Milliseconds()
	}
	return r
}

const workerTableHead = "\n\n<table border=\"0\"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th>" +
	"<th>CPU\n</th><th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th>" +
	"<th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n"

const workerTableLegend = "</table>\n <hr /> <table>\n" +
	" <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n" +
	" <tr><th>PID</th><td>OS process ID</td></tr>\n" +
	" <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>\n" +
	" <tr><th>M</th><td>Mode of operation</td></tr>\n" +
	"<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>\n" +
	"<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n" +
	" <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n" +
	" <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n" +
	" <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n" +
	" <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n" +
	" <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n" +
	" </table>\n"

// htmlMode is the M column: Apache bolds the busy letters.
var htmlMode = [shm.NumStatus]string{
	shm.Dead: ".", shm.Starting: "<b>S</b>", shm.Ready: "_", shm.BusyRead: "<b>R</b>",
	shm.BusyWrite: "<b>W</b>", shm.BusyKeepAlive: "<b>K</b>", shm.BusyLog: "<b>L</b>",
	shm.BusyDNS: "<b>D</b>", shm.Closing: "<b>C</b>", shm.Graceful: "G", shm.IdleKill: "I",
}

// listMode is the state word of the ?notable list.
var listMode = [shm.NumStatus]string{
	shm.Dead: "Dead", shm.Starting: "Starting", shm.Ready: "Ready", shm.BusyRead: "<b>Read</b>",
	shm.BusyWrite: "<b>Write</b>", shm.BusyKeepAlive: "<b>Keepalive</b>", shm.BusyLog: "<b>Logging</b>",
	shm.BusyDNS: "<b>DNS lookup</b>", shm.Closing: "<b>Closing</b>", shm.Graceful: "Graceful", shm.IdleKill: "Dying",
}

func modeOf(table *[shm.NumStatus]string, st shm.Status) string {
	if st < shm.NumStatus {
		return table[st]
	}
	return "?"
}

func appendWorkerTable(dst []byte, snap *shm.Snapshot, info *Info) []byte {
	for slot := range snap.Layout.ServerLimit {
		for th := range snap.Layout.ThreadLimit {
			if shownWorker(snap.WorkerAt(slot, th)) {
				dst = appendWorkerRow(dst, newWorkerRow(snap, info, slot, th))
			}
		}
	}
	return dst
}

func appendWorkerRow(dst []byte, r workerRow) []byte {
	w := r.w
	dst = appendInt(append(dst, "<tr><td><b>"...), int64(r.slot))
	dst = appendInt(append(dst, '-'), int64(r.gen))
	dst = append(dst, "</b></td><td>"...)
	if w.Status == shm.Dead {
		dst = append(dst, '-')
	} else {
		dst = appendInt(dst, int64(r.pid))
	}
	dst = appendInt(append(dst, "</td><td>"...), w.ConnCount)
	dst = appendInt(append(dst, '/'), w.MyAccessCount)
	dst = appendInt(append(dst, '/'), w.AccessCount)
	dst = append(append(dst, "</td><td>"...), modeOf(&htmlMode, w.Status)...)
	dst = appendF(append(dst, "\n</td><td>"...), float64(float32(r.cpu[0]+r.cpu[1])/ticksPerSecond), 2)
	dst = appendInt(append(dst, "</td><td>"...), r.ss)
	dst = appendInt(append(dst, "</td><td>"...), r.reqMS)
	dst = appendInt(append(dst, "</td><td>"...), w.Duration.Milliseconds())
	dst = appendF(append(dst, "</td><td>"...), float64(float32(w.ConnBytes)/kbyte), 1)
	dst = appendF(append(dst, "</td><td>"...), float64(float32(w.MyBytesServed)/mbyte), 2)
	dst = appendF(append(dst, "</td><td>"...), float64(float32(w.BytesServed)/mbyte), 2)
	dst = appendEscaped(append(dst, "\n</td><td>"...), shm.Text(w.Client[:]))
	dst = appendEscaped(append(dst, "</td><td>"...), shm.Text(w.Protocol[:]))
	dst = appendEscaped(append(dst, "</td><td nowrap>"...), shm.Text(w.VHost[:]))
	dst = appendEscaped(append(dst, "</td><td nowrap>"...), shm.Text(w.Request[:]))
	return append(dst, "</td></tr>\n\n"...)
}

// appendWorkerList is the ?notable form of the details.
func appendWorkerList(dst []byte, snap *shm.Snapshot, info *Info) []byte {
	for slot := range snap.Layout.ServerLimit {
		for th := range snap.Layout.ThreadLimit {
			if shownWorker(snap.WorkerAt(slot, th)) {
				dst = appendWorkerItem(dst, newWorkerRow(snap, info, slot, th))
			}
		}
	}
	return dst
}

func appendWorkerItem(dst []byte, r workerRow) []byte {
	w := r.w
	dst = appendInt(append(dst, "<b>Server "...), int64(r.slot))
	dst = appendInt(append(dst, '-'), int64(r.gen))
	dst = append(dst, "</b> ("...)
	if w.Status == shm.Dead {
		dst = append(dst, '-')
	} else {
		dst = appendInt(dst, int64(r.pid))
	}
	dst = appendInt(append(dst, "): "...), w.ConnCount)
	dst = appendInt(append(dst, '|'), w.MyAccessCount)
	dst = appendInt(append(dst, '|'), w.AccessCount)
	dst = append(append(dst, " ["...), modeOf(&listMode, w.Status)...)
	dst = appendG(append(dst, "] u"...), float64(float32(r.cpu[0])/ticksPerSecond), 6)
	dst = appendG(append(dst, " s"...), float64(float32(r.cpu[1])/ticksPerSecond), 6)
	dst = append(dst, " cu0 cs0\n "...)
	dst = appendInt(dst, r.ss)
	dst = appendInt(append(dst, ' '), r.reqMS)
	dst = appendInt(append(dst, ' '), w.Duration.Milliseconds())
	dst = appendBytes(append(dst, " ("...), w.ConnBytes)
	dst = appendBytes(append(dst, '|'), w.MyBytesServed)
	dst = appendBytes(append(dst, '|'), w.BytesServed)
	dst = appendEscaped(append(dst, ")\n <i>"...), shm.Text(w.Client[:]))
	dst = appendEscaped(append(dst, " {"...), shm.Text(w.Request[:]))
	dst = appendEscaped(append(dst, "}</i> <i>("...), shm.Text(w.Protocol[:]))
	dst = appendEscaped(append(dst, ")</i> <b>["...), shm.Text(w.VHost[:]))
	return append(dst, "]</b><br />\n\n"...)
}
