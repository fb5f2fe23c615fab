package status

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"eventmpm/shm"
)

// AppendJSON appends snap as one JSON object to dst, followed by a newline.
// The field names are a stable interface; new fields may be added, none
// renamed or removed. Times are RFC 3339 strings in info.Now's zone, or null
// when unset; durations of CPU are seconds as numbers. The schema:
//
//	server          object: name, version, mpm ("event"), built, parent_pid,
//	                config_generation, mpm_generation, start_time, restart_time,
//	                current_time, uptime_seconds, load ([1, 5, 15 minutes]),
//	                extended_status, server_limit, thread_limit,
//	                threads_per_child, active_daemons_limit, max_request_workers
//	totals          null without ExtendedStatus, else object: accesses, kbytes,
//	                duration_ms, cpu_user, cpu_system, cpu_children_user,
//	                cpu_children_system, cpu_load (percent), requests_per_second,
//	                bytes_per_second, bytes_per_request, ms_per_request (0 when
//	                undefined)
//	workers         object: busy, graceful, idle (as ?auto's BusyWorkers...)
//	processes       object: total, stopping
//	process_slots   object: total (ServerLimit), in_use, old_generation (held by
//	                children of an older generation)
//	connections     object: total, wait_io, writing, keep_alive, closing
//	scoreboard      string: ?auto's Scoreboard letters
//	process_table   array, one object per live process: slot, pid, generation,
//	                old_generation, stopping, quiescing (0, 1, 2), accepting,
//	                connections, threads {busy, graceful, idle}, async {wait_io,
//	                writing, keep_alive, closing}, suspended, accepted,
//	                start_time, heartbeat, heartbeat_age_seconds, cpu_user,
//	                cpu_system
//	worker_table    only with info.Full: array, one object per worker shown on
//	                the HTML page: slot, thread, generation, pid, status (Go
//	                name), mode (letter), conn_count, my_access_count,
//	                access_count, conn_bytes, my_bytes_served, bytes_served,
//	                seconds_since_used, last_request_ms, duration_ms, client,
//	                protocol, vhost, request
func AppendJSON(dst []byte, snap *shm.Snapshot, info *Info) []byte {
	s := summarize(snap, info)
	j := jsonWriter{b: dst, loc: info.location()}
	j.open('{')
	j.key("server")
	j.server(snap, info, &s)
	j.key("totals")
	if info.ExtendedStatus {
		j.totals(&s)
	} else {
		j.raw("null")
	}
	j.key("workers")
	j.object(field{"busy", s.busy}, field{"graceful", s.graceful}, field{"idle", s.idle})
	j.key("processes")
	j.object(field{"total", s.processes}, field{"stopping", s.stopping})
	j.key("process_slots")
	j.object(field{"total", snap.Layout.ServerLimit}, field{"in_use", s.processes}, field{"old_generation", s.oldGen})
	j.key("connections")
	j.object(field{"total", s.conns}, field{"wait_io", s.waitIO}, field{"writing", s.writing},
		field{"keep_alive", s.keepAlive}, field{"closing", s.closing})
	j.key("scoreboard")
	j.sep()
	j.b = append(j.b, '"')
	j.b = appendScoreboard(j.b, snap, 0)
	j.b = append(j.b, '"')
	j.key("process_table")
	j.processTable(snap, info)
	if info.Full {
		j.key("worker_table")
		j.workerTable(snap, info)
	}
	j.close('}')
	return append(j.b, '\n')
}

// jsonWriter appends JSON, tracking whether a comma is due.
type jsonWriter struct {
	b     []byte
	loc   *time.Location
	comma bool
}

func (j *jsonWriter) sep() {
	if j.comma {
		j.b = append(j.b, ',')
	}
	j.comma = true
}

func (j *jsonWriter) open(c byte)  { j.sep(); j.b = append(j.b, c); j.comma = false }
func (j *jsonWriter) close(c byte) { j.b = append(j.b, c); j.comma = true }
func (j *jsonWriter) raw(v string) { j.sep(); j.b = append(j.b, v...) }

// key writes "k": and leaves the writer expecting a value.
func (j *jsonWriter) key(k string) {
	j.sep()
	j.b = appendJSONString(j.b, k)
	j.b = append(j.b, ':')
	j.comma = false
}

func (j *jsonWriter) int(k string, v int64) { j.key(k); j.sep(); j.b = appendInt(j.b, v) }

func (j *jsonWriter) float(k string, v float64) {
	j.key(k)
	j.sep()
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	j.b = strconv.AppendFloat(j.b, v, 'g', -1, 64)
}

func (j *jsonWriter) bool(k string, v bool) { j.key(k); j.raw(strconv.FormatBool(v)) }

func (j *jsonWriter) str(k string, v []byte) { j.key(k); j.sep(); j.b = appendJSONString(j.b, v) }

func (j *jsonWriter) string(k, v string) { j.key(k); j.sep(); j.b = appendJSONString(j.b, v) }

func (j *jsonWriter) time(k string, t time.Time) {
	j.key(k)
	if t.IsZero() {
		j.raw("null")
		return
	}
	j.raw("\"")
	j.b = append(t.In(j.loc).AppendFormat(j.b, time.RFC3339Nano), '"')
}

// field is a named integer.
type field struct {
	k string
	v int
}

// object writes an object of integer fields.
func (j *jsonWriter) object(fs ...field) {
	j.open('{')
	for _, f := range fs {
		j.int(f.k, int64(f.v))
	}
	j.close('}')
}

func (j *jsonWriter) server(snap *shm.Snapshot, info *Info, s *summary) {
	j.open('{')
	j.string("name", info.ServerName)
	j.string("version", info.serverVersion())
	j.string("mpm", "event")
	j.string("built", info.serverBuilt())
	j.int("parent_pid", int64(snap.ParentPID))
	j.int("config_generation", int64(snap.ConfigGeneration))
	j.int("mpm_generation", int64(snap.Generation))
	j.time("start_time", snap.StartTime)
	j.time("restart_time", snap.RestartTime)
	j.time("current_time", info.Now)
	j.int("uptime_seconds", int64(s.uptime))
	j.key("load")
	j.open('[')
	for _, l := range info.Load {
		j.sep()
		j.b = strconv.AppendFloat(j.b, l, 'g', -1, 64)
	}
	j.close(']')
	j.bool("extended_status", info.ExtendedStatus)
	for _, f := range [...]field{
		{"server_limit", snap.Layout.ServerLimit}, {"thread_limit", snap.Layout.ThreadLimit},
		{"threads_per_child", snap.ThreadsPerChild}, {"active_daemons_limit", snap.ActiveDaemonsLimit},
		{"max_request_workers", snap.MaxRequestWorkers},
	} {
		j.int(f.k, int64(f.v))
	}
	j.close('}')
}

func (j *jsonWriter) totals(s *summary) {
	j.open('{')
	j.int("accesses", s.accesses)
	j.int("kbytes", s.kbytes)
	j.int("duration_ms", s.durationMS)
	j.float("cpu_user", s.cpuSeconds(s.cpuUser))
	j.float("cpu_system", s.cpuSeconds(s.cpuSys))
	j.float("cpu_children_user", s.cpuSeconds(s.cpuCUser))
	j.float("cpu_children_system", s.cpuSeconds(s.cpuCSys))
	var load, rps, bps, bpr, mpr float64
	if s.uptime > 0 {
		load, rps, bps = s.cpuLoad(), s.reqPerSec(), s.bytesPerSec()
	}
	if s.accesses > 0 {
		bpr, mpr = s.bytesPerReq(), s.msPerReq()
	}
	j.float("cpu_load", load)
	j.float("requests_per_second", rps)
	j.float("bytes_per_second", bps)
	j.float("bytes_per_request", bpr)
	j.float("ms_per_request", mpr)
	j.close('}')
}

func (j *jsonWriter) processTable(snap *shm.Snapshot, info *Info) {
	j.open('[')
	for slot := range snap.Processes {
		p := &snap.Processes[slot]
		if p.PID == 0 {
			continue
		}
		t := processThreads(snap, slot)
		j.open('{')
		j.int("slot", int64(slot))
		j.int("pid", int64(p.PID))
		j.int("generation", int64(p.Generation))
		j.bool("old_generation", p.Generation != snap.Generation)
		j.bool("stopping", p.Quiescing != 0)
		j.int("quiescing", int64(p.Quiescing))
		j.bool("accepting", !p.NotAccepting)
		j.int("connections", int64(p.Connections))
		j.key("threads")
		j.object(field{"busy", t.busy}, field{"graceful", t.graceful}, field{"idle", t.idle})
		j.key("async")
		j.object(field{"wait_io", p.WaitIO}, field{"writing", p.WriteCompletion},
			field{"keep_alive", p.KeepAlive}, field{"closing", p.LingeringClose})
		j.int("suspended", int64(p.Suspended))
		j.int("accepted", p.Accepted)
		j.time("start_time", p.StartTime)
		j.time("heartbeat", p.Heartbeat)
		var age float64
		if !p.Heartbeat.IsZero() {
			age = info.Now.Sub(p.Heartbeat).Seconds()
		}
		j.float("heartbeat_age_seconds", age)
		j.float("cpu_user", p.CPUUser.Seconds())
		j.float("cpu_system", p.CPUSystem.Seconds())
		j.close('}')
	}
	j.close(']')
}

func (j *jsonWriter) workerTable(snap *shm.Snapshot, info *Info) {
	j.open('[')
	for slot := range snap.Layout.ServerLimit {
		for th := range snap.Layout.ThreadLimit {
			if shownWorker(snap.WorkerAt(slot, th)) {
				j.worker(newWorkerRow(snap, info, slot, th), th)
			}
		}
	}
	j.close(']')
}

func (j *jsonWriter) worker(r workerRow, thread int) {
	w := r.w
	j.open('{')
	for _, f := range [...]struct {
		k string
		v int64
	}{
		{"slot", int64(r.slot)}, {"thread", int64(thread)}, {"generation", int64(r.gen)}, {"pid", int64(r.pid)},
	} {
		j.int(f.k, f.v)
	}
	j.string("status", w.Status.String())
	j.string("mode", string(rune(w.Status.Letter())))
	for _, f := range [...]struct {
		k string
		v int64
	}{
		{"conn_count", w.ConnCount}, {"my_access_count", w.MyAccessCount}, {"access_count", w.AccessCount},
		{"conn_bytes", w.ConnBytes}, {"my_bytes_served", w.MyBytesServed}, {"bytes_served", w.BytesServed},
		{"seconds_since_used", r.ss}, {"last_request_ms", r.reqMS}, {"duration_ms", w.Duration.Milliseconds()},
	} {
		j.int(f.k, f.v)
	}
	j.str("client", shm.Text(w.Client[:]))
	j.str("protocol", shm.Text(w.Protocol[:]))
	j.str("vhost", shm.Text(w.VHost[:]))
	j.str("request", shm.Text(w.Request[:]))
	j.close('}')
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 (a request line
// may hold anything) becomes U+FFFD, as encoding/json does.
func appendJSONString[T string | []byte](dst []byte, s T) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = utf8.AppendRune(dst, r)
		}
		i += size
	}
	return append(dst, '"')
}
