package status

import (
	"bytes"
	"text/tabwriter"
	"time"

	"eventmpm/shm"
)

// AppendText appends the terminal rendering for `eventmpm status` to dst:
// summary lines, one row per live process (with its heartbeat age, which
// shows a hung child), the scoreboard letters 64 to a line with their key,
// and with info.Full the per-worker table. Scoreboard text is escaped as
// Apache escapes log items, so no control byte reaches the terminal.
func AppendText(dst []byte, snap *shm.Snapshot, info *Info) []byte {
	s := summarize(snap, info)
	start := len(dst)
	buf := bytes.NewBuffer(dst)
	appendTextSummary(buf, snap, info, &s)
	buf.WriteByte('\n')
	writeProcessTable(buf, snap, info, &s)
	buf.WriteString("\nScoreboard:\n")
	b := appendScoreboard(buf.AvailableBuffer(), snap, 64)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	buf.Write(b)
	buf.WriteString("Key: _ waiting, S starting, R reading, W sending reply, K keepalive, D DNS lookup,\n" +
		"     C closing, L logging, G gracefully finishing, I idle cleanup, . open slot\n")
	if info.Full {
		buf.WriteByte('\n')
		writeWorkerTable(buf, snap, info)
	}
	out := buf.Bytes()
	return append(out[:start], trimLines(out[start:])...)
}

// trimLines drops the trailing blanks tabwriter leaves after empty cells,
// in place.
func trimLines(b []byte) []byte {
	out := b[:0]
	for len(b) > 0 {
		line, rest, found := bytes.Cut(b, []byte{'\n'})
		out = append(out, bytes.TrimRight(line, " ")...)
		if found {
			out = append(out, '\n')
		}
		b = rest
	}
	return out
}

func appendTextSummary(buf *bytes.Buffer, snap *shm.Snapshot, info *Info, s *summary) {
	loc := info.location()
	b := buf.AvailableBuffer()
	b = appendLogItem(append(b, "Server:       "...), info.ServerName)
	b = append(append(b, " ("...), info.serverVersion()...)
	b = append(append(b, ", event MPM, built "...), info.serverBuilt()...)
	b = appendInt(append(b, ")\nParent:       pid "...), int64(snap.ParentPID))
	b = appendInt(append(b, ", MPM generation "...), int64(snap.Generation))
	b = appendInt(append(b, ", config generation "...), int64(snap.ConfigGeneration))
	b = appendTime(append(b, "\nCurrent time: "...), info.Now, loc)
	b = appendTime(append(b, "\nRestart time: "...), snap.RestartTime, loc)
	b = append(b, " (up"...)
	if s.uptime == 0 {
		b = append(b, " 0 seconds"...)
	}
	b = append(appendUptime(b, s.uptime), ")\nLoad:         "...)
	b = appendF(b, info.Load[0], 2)
	b = appendF(append(b, ' '), info.Load[1], 2)
	b = appendF(append(b, ' '), info.Load[2], 2)
	b = appendInt(append(b, "\nWorkers:      "...), int64(s.busy))
	b = appendInt(append(b, " busy, "...), int64(s.graceful))
	b = appendInt(append(b, " graceful, "...), int64(s.idle))
	b = appendInt(append(b, " idle\nProcesses:    "...), int64(s.processes))
	b = appendInt(append(b, " running, "...), int64(s.stopping))
	b = appendInt(append(b, " stopping; process slots: "...), int64(s.processes))
	b = appendInt(append(b, " of "...), int64(snap.Layout.ServerLimit))
	b = appendInt(append(b, " in use, "...), int64(s.oldGen))
	b = appendInt(append(b, " held by old generations\nConnections:  "...), int64(s.conns))
	b = appendInt(append(b, " total: "...), int64(s.waitIO))
	b = appendInt(append(b, " wait-io, "...), int64(s.writing))
	b = appendInt(append(b, " writing, "...), int64(s.keepAlive))
	b = appendInt(append(b, " keep-alive, "...), int64(s.closing))
	b = append(b, " closing\n"...)
	if info.ExtendedStatus {
		b = appendTextExtended(b, s)
	}
	buf.Write(b)
}

func appendTextExtended(b []byte, s *summary) []byte {
	b = appendInt(append(b, "Traffic:      "...), s.accesses)
	b = appendKBytes(append(b, " requests, "...), s.kbytes)
	b = appendInt(append(b, ", "...), s.durationMS)
	b = append(b, " ms"...)
	if s.uptime > 0 {
		b = appendG(append(b, "; "...), s.reqPerSec(), 3)
		b = appendBytes(append(b, " requests/sec, "...), int64(s.bytesPerSec()))
		b = append(b, "/second"...)
	}
	if s.accesses > 0 {
		b = appendBytes(append(b, ", "...), int64(s.bytesPerReq()))
		b = appendG(append(b, "/request, "...), s.msPerReq(), 3)
		b = append(b, " ms/request"...)
	}
	b = appendG(append(b, "\nCPU:          u"...), s.cpuSeconds(s.cpuUser), 6)
	b = appendG(append(b, " s"...), s.cpuSeconds(s.cpuSys), 6)
	b = appendG(append(b, " cu"...), s.cpuSeconds(s.cpuCUser), 6)
	b = appendG(append(b, " cs"...), s.cpuSeconds(s.cpuCSys), 6)
	if s.cpuTotal() != 0 && s.uptime > 0 {
		b = appendG(append(b, ", "...), s.cpuLoad(), 3)
		b = append(b, "% CPU load"...)
	}
	return append(b, '\n')
}

func writeProcessTable(buf *bytes.Buffer, snap *shm.Snapshot, info *Info, s *summary) {
	tw := tabwriter.NewWriter(buf, 0, 0, 2, ' ', 0)
	tw.Write([]byte("SLOT\tPID\tGEN\tSTOPPING\tCONNS\tACCEPTING\tBUSY\tGRACEFUL\tIDLE\tWAIT-IO\tWRITING\tKEEP-ALIVE\tCLOSING\tACCEPTED\tHEARTBEAT\tCPU\n"))
	var sum threads
	var row []byte
	for slot := range snap.Processes {
		p := &snap.Processes[slot]
		if p.PID == 0 {
			continue
		}
		t := processThreads(snap, slot)
		sum.busy, sum.graceful, sum.idle = sum.busy+t.busy, sum.graceful+t.graceful, sum.idle+t.idle
		row = appendInt(row[:0], int64(slot))
		row = appendInt(append(row, '\t'), int64(p.PID))
		row = appendInt(append(row, '\t'), int64(p.Generation))
		row = append(append(row, '\t'), yesNo(p.Quiescing != 0)...)
		if p.Generation != snap.Generation {
			row = append(row, " (old gen)"...)
		}
		row = appendInt(append(row, '\t'), int64(p.Connections))
		row = append(append(row, '\t'), yesNo(!p.NotAccepting)...)
		row = appendTabs(row, t.busy, t.graceful, t.idle, p.WaitIO, p.WriteCompletion, p.KeepAlive, p.LingeringClose)
		row = appendInt(append(row, '\t'), p.Accepted)
		row = appendAge(append(row, '\t'), info.Now, p.Heartbeat)
		row = appendF(append(row, '\t'), float64(float32(ticks(p.CPUUser)+ticks(p.CPUSystem))/ticksPerSecond), 2)
		tw.Write(append(row, '\n'))
	}
	row = appendInt(append(row[:0], "Sum\t"...), int64(s.processes))
	row = append(row, "\t\t"...)
	row = appendInt(row, int64(s.stopping))
	row = appendInt(append(row, '\t'), int64(s.conns))
	row = append(row, '\t')
	row = appendTabs(row, sum.busy, sum.graceful, sum.idle, s.waitIO, s.writing, s.keepAlive, s.closing)
	tw.Write(append(row, '\n'))
	tw.Flush()
}

func appendTabs(dst []byte, vs ...int) []byte {
	for _, v := range vs {
		dst = appendInt(append(dst, '\t'), int64(v))
	}
	return dst
}

// appendAge appends how long ago t was, in whole seconds ("3s ago"), or "-".
func appendAge(dst []byte, now, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, '-')
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return append(appendInt(dst, int64(d/time.Second)), "s ago"...)
}

func writeWorkerTable(buf *bytes.Buffer, snap *shm.Snapshot, info *Info) {
	tw := tabwriter.NewWriter(buf, 0, 0, 2, ' ', 0)
	tw.Write([]byte("SRV\tPID\tACC\tM\tCPU\tSS\tREQ\tDUR\tCONN\tCHILD\tSLOT\tCLIENT\tPROTOCOL\tVHOST\tREQUEST\n"))
	var row []byte
	for slot := range snap.Layout.ServerLimit {
		for th := range snap.Layout.ThreadLimit {
			if !shownWorker(snap.WorkerAt(slot, th)) {
				continue
			}
			tw.Write(appendTextWorker(row[:0], newWorkerRow(snap, info, slot, th)))
		}
	}
	tw.Flush()
}

func appendTextWorker(row []byte, r workerRow) []byte {
	w := r.w
	row = appendInt(row, int64(r.slot))
	row = appendInt(append(row, '-'), int64(r.gen))
	row = append(row, '\t')
	if w.Status == shm.Dead {
		row = append(row, '-')
	} else {
		row = appendInt(row, int64(r.pid))
	}
	row = appendInt(append(row, '\t'), w.ConnCount)
	row = appendInt(append(row, '/'), w.MyAccessCount)
	row = appendInt(append(row, '/'), w.AccessCount)
	row = append(row, '\t', w.Status.Letter())
	row = appendF(append(row, '\t'), float64(float32(r.cpu[0]+r.cpu[1])/ticksPerSecond), 2)
	row = appendInt(append(row, '\t'), r.ss)
	row = appendInt(append(row, '\t'), r.reqMS)
	row = appendInt(append(row, '\t'), w.Duration.Milliseconds())
	row = appendF(append(row, '\t'), float64(float32(w.ConnBytes)/kbyte), 1)
	row = appendF(append(row, '\t'), float64(float32(w.MyBytesServed)/mbyte), 2)
	row = appendF(append(row, '\t'), float64(float32(w.BytesServed)/mbyte), 2)
	for _, f := range [][]byte{w.Client[:], w.Protocol[:], w.VHost[:], w.Request[:]} {
		row = appendLogItem(append(row, '\t'), shm.Text(f))
	}
	return append(row, '\n')
}
