package status

import (
	"eventmpm/shm"
)

// AppendHTML appends mod_status's HTML page for snap to dst (SPEC.md 5.3):
// the summary, the per-process table of an async MPM, the scoreboard with
// its key, and with ExtendedStatus the per-worker table (or list, with
// info.NoTable). Every text that comes from the scoreboard or the request
// (server name, client, request line, vhost, protocol) is escaped.
//
// eventmpm adds one line to the summary, "Process slots: N of S in use, M
// held by old generations" (SPEC.md 0), and shows a stopping child's
// threads in its row of the process table, where httpd shows zeros.
func AppendHTML(dst []byte, snap *shm.Snapshot, info *Info) []byte {
	s := summarize(snap, info)
	dst = appendHTMLHead(dst, snap, info, &s)
	if info.ExtendedStatus {
		dst = appendHTMLExtended(dst, &s)
	}
	dst = appendInt(append(dst, "<dt>"...), int64(s.busy))
	dst = appendInt(append(dst, " requests currently being processed, "...), int64(s.graceful))
	dst = appendInt(append(dst, " workers gracefully restarting, "...), int64(s.idle))
	dst = append(dst, " idle workers</dt>\n"...)
	dst = appendInt(append(dst, "<dt>Process slots: "...), int64(s.processes))
	dst = appendInt(append(dst, " of "...), int64(snap.Layout.ServerLimit))
	dst = appendInt(append(dst, " in use, "...), int64(s.oldGen))
	dst = append(dst, " held by old generations</dt>\n</dl>"...)
	dst = appendProcessTable(dst, snap, &s)
	dst = append(dst, "<pre>"...)
	dst = appendScoreboard(dst, snap, 64)
	dst = append(dst, "</pre>\n"...)
	dst = append(dst, scoreboardKey...)
	switch {
	case !info.ExtendedStatus:
		dst = appendPIDKey(dst, snap)
		dst = append(dst, "<hr />To obtain a full report with current status information "+
			"you need to use the <code>ExtendedStatus On</code> directive.\n"...)
	case info.NoTable:
		dst = append(dst, "<hr /><h2>Server Details</h2>\n\n"...)
		dst = appendWorkerList(dst, snap, info)
	default:
		dst = append(dst, workerTableHead...)
		dst = appendWorkerTable(dst, snap, info)
		dst = append(dst, workerTableLegend...)
	}
	return append(dst, "</body></html>\n"...)
}

func appendHTMLHead(dst []byte, snap *shm.Snapshot, info *Info, s *summary) []byte {
	loc := info.location()
	dst = append(dst, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"+
		"<html><head>\n<title>Apache Status</title>\n</head><body>\n<h1>Apache Server Status for "...)
	dst = appendHTML(dst, info.ServerName)
	dst = append(dst, " (via "...)
	dst = appendHTML(dst, info.LocalIP)
	dst = append(dst, ")</h1>\n\n<dl><dt>Server Version: "...)
	dst = appendHTML(dst, info.serverVersion())
	dst = append(dst, "</dt>\n<dt>Server MPM: event</dt>\n<dt>Server Built: "...)
	dst = appendHTML(dst, info.serverBuilt())
	dst = append(dst, "\n</dt></dl><hr /><dl>\n<dt>Current Time: "...)
	dst = appendTime(dst, info.Now, loc)
	dst = append(dst, "</dt>\n<dt>Restart Time: "...)
	dst = appendTime(dst, snap.RestartTime, loc)
	dst = appendInt(append(dst, "</dt>\n<dt>Parent Server Config. Generation: "...), int64(snap.ConfigGeneration))
	dst = appendInt(append(dst, "</dt>\n<dt>Parent Server MPM Generation: "...), int64(snap.Generation))
	dst = append(dst, "</dt>\n<dt>Server uptime: "...)
	dst = appendUptime(dst, s.uptime)
	dst = append(dst, "</dt>\n<dt>Server load: "...)
	for i, l := range info.Load {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = appendF(dst, l, 2)
	}
	return append(dst, "</dt>\n"...)
}

func appendHTMLExtended(dst []byte, s *summary) []byte {
	dst = appendInt(append(dst, "<dt>Total accesses: "...), s.accesses)
	dst = appendKBytes(append(dst, " - Total Traffic: "...), s.kbytes)
	dst = appendInt(append(dst, " - Total Duration: "...), s.durationMS)
	dst = appendG(append(dst, "</dt>\n<dt>CPU Usage: u"...), s.cpuSeconds(s.cpuUser), 6)
	dst = appendG(append(dst, " s"...), s.cpuSeconds(s.cpuSys), 6)
	dst = appendG(append(dst, " cu"...), s.cpuSeconds(s.cpuCUser), 6)
	dst = appendG(append(dst, " cs"...), s.cpuSeconds(s.cpuCSys), 6)
	if s.cpuTotal() != 0 && s.uptime > 0 {
		dst = appendG(append(dst, " - "...), s.cpuLoad(), 3)
		dst = append(dst, "% CPU load"...)
	}
	dst = append(dst, "</dt>\n<dt>"...)
	if s.uptime > 0 {
		dst = appendG(dst, s.reqPerSec(), 3)
		dst = appendBytes(append(dst, " requests/sec - "...), int64(s.bytesPerSec()))
		dst = append(dst, "/second"...)
	}
	if s.accesses > 0 {
		if s.uptime > 0 {
			dst = append(dst, " - "...)
		}
		dst = appendBytes(dst, int64(s.bytesPerReq()))
		dst = appendG(append(dst, "/request - "...), s.msPerReq(), 6)
		dst = append(dst, " ms/request"...)
	}
	return append(dst, "</dt>\n"...)
}

const processTableHead = "\n\n<table rules=\"all\" cellpadding=\"1%\">\n" +
	"<tr><th rowspan=\"2\">Slot</th><th rowspan=\"2\">PID</th><th rowspan=\"2\">Stopping</th>" +
	"<th colspan=\"2\">Connections</th>\n" +
	"<th colspan=\"3\">Threads</th><th colspan=\"4\">Async connections</th></tr>\n" +
	"<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th>" +
	"<th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>\n"

// appendProcessTable appends the async MPM's per-process table with its
// Sum row.
func appendProcessTable(dst []byte, snap *shm.Snapshot, s *summary) []byte {
	dst = append(dst, processTableHead...)
	var sum threads
	for slot := range snap.Processes {
		p := &snap.Processes[slot]
		if p.PID == 0 {
			continue
		}
		t := processThreads(snap, slot)
		sum.busy, sum.graceful, sum.idle = sum.busy+t.busy, sum.graceful+t.graceful, sum.idle+t.idle
		dst = appendInt(append(dst, "<tr><td>"...), int64(slot))
		dst = appendInt(append(dst, "</td><td>"...), int64(p.PID))
		dst = append(dst, "</td><td>"...)
		dst = append(dst, yesNo(p.Quiescing != 0)...)
		if p.Generation != snap.Generation {
			dst = append(dst, " (old gen)"...)
		}
		dst = appendInt(append(dst, "</td><td>"...), int64(p.Connections))
		dst = append(append(dst, "</td><td>"...), yesNo(!p.NotAccepting)...)
		dst = appendCells(dst, t.busy, t.graceful, t.idle, p.WaitIO, p.WriteCompletion, p.KeepAlive, p.LingeringClose)
		dst = append(dst, "</td></tr>\n"...)
	}
	dst = appendInt(append(dst, "<tr><td>Sum</td><td>"...), int64(s.processes))
	dst = appendInt(append(dst, "</td><td>"...), int64(s.stopping))
	dst = appendInt(append(dst, "</td><td>"...), int64(s.conns))
	dst = append(dst, "</td><td>&nbsp;"...)
	dst = appendCells(dst, sum.busy, sum.graceful, sum.idle, s.waitIO, s.writing, s.keepAlive, s.closing)
	return append(dst, "</td></tr>\n</table>\n"...)
}

// appendCells appends "</td><td>v" for each value.
func appendCells(dst []byte, vs ...int) []byte {
	for _, v := range vs {
		dst = appendInt(append(dst, "</td><td>"...), int64(v))
	}
	return dst
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

const scoreboardKey = "<p>Scoreboard Key:<br />\n" +
	"\"<b><code>_</code></b>\" Waiting for Connection, \n" +
	"\"<b><code>S</code></b>\" Starting up, \n" +
	"\"<b><code>R</code></b>\" Reading Request,<br />\n" +
	"\"<b><code>W</code></b>\" Sending Reply, \n" +
	"\"<b><code>K</code></b>\" Keepalive (read), \n" +
	"\"<b><code>D</code></b>\" DNS Lookup,<br />\n" +
	"\"<b><code>C</code></b>\" Closing connection, \n" +
	"\"<b><code>L</code></b>\" Logging, \n" +
	"\"<b><code>G</code></b>\" Gracefully finishing,<br /> \n" +
	"\"<b><code>I</code></b>\" Idle cleanup of worker, \n" +
	"\"<b><code>.</code></b>\" Open slot with no current process<br />\n" +
	"</p>\n"

// appendPIDKey appends the "PID Key" list shown without ExtendedStatus:
// each live slot's process pid and letter, three to a line.
func appendPIDKey(dst []byte, snap *shm.Snapshot) []byte {
	dst = append(dst, "PID Key: <br />\n<pre>\n"...)
	k := 0
	for slot := range snap.Processes {
		for th := range snap.Layout.ThreadLimit {
			c := scoreboardLetter(snap, slot, th)
			if c == 0 || c == '.' {
				continue
			}
			dst = appendInt(append(dst, "   "...), int64(snap.Processes[slot].PID))
			dst = append(dst, " in state: "...)
			dst = append(dst, c, ' ')
			if k++; k >= 3 {
				dst = append(dst, '\n')
				k = 0
			} else {
				dst = append(dst, ',')
			}
		}
	}
	return append(dst, "\n</pre>\n"...)
}
