package status

import (
	"eventmpm/shm"
)

// AppendAuto appends mod_status's machine-readable ?auto rendering of snap
// to dst: Apache's keys, in Apache's order, with its number formats
// (SPEC.md 5.3), so apache_exporter and other parsers read it as they read
// httpd 2.4.63. Two eventmpm keys follow the Scoreboard line, where httpd's
// own status hooks (mod_ssl, mod_proxy_balancer) add theirs:
//
//	ProcessSlotsTotal: ServerLimit
//	ProcessSlotsOldGeneration: process slots held by children of an older generation
//
// Keeping them after the standard keys means no parser that stops at, or
// counts lines up to, Scoreboard is disturbed; both values are plain
// integers, so parsers that read every "Key: value" as a number still can.
func AppendAuto(dst []byte, snap *shm.Snapshot, info *Info) []byte {
	s := summarize(snap, info)
	loc := info.location()
	dst = append(dst, info.ServerName...)
	dst = append(dst, "\nServerVersion: "...)
	dst = append(dst, info.serverVersion()...)
	dst = append(dst, "\nServerMPM: event\nServer Built: "...)
	dst = append(dst, info.serverBuilt()...)
	dst = append(dst, "\nCurrentTime: "...)
	dst = appendTime(dst, info.Now, loc)
	dst = append(dst, "\nRestartTime: "...)
	dst = appendTime(dst, snap.RestartTime, loc)
	dst = autoInt(dst, "\nParentServerConfigGeneration: ", int64(snap.ConfigGeneration))
	dst = autoInt(dst, "\nParentServerMPMGeneration: ", int64(snap.Generation))
	dst = autoInt(dst, "\nServerUptimeSeconds: ", int64(s.uptime))
	dst = append(dst, "\nServerUptime:"...)
	dst = appendUptime(dst, s.uptime)
	for i, key := range [3]string{"\nLoad1: ", "\nLoad5: ", "\nLoad15: "} {
		dst = appendF(append(dst, key...), info.Load[i], 2)
	}
	dst = append(dst, '\n')
	if info.ExtendedStatus {
		dst = appendAutoExtended(dst, &s)
	}
	dst = autoInt(dst, "BusyWorkers: ", int64(s.busy))
	dst = autoInt(dst, "\nGracefulWorkers: ", int64(s.graceful))
	dst = autoInt(dst, "\nIdleWorkers: ", int64(s.idle))
	dst = autoInt(dst, "\nProcesses: ", int64(s.processes))
	dst = autoInt(dst, "\nStopping: ", int64(s.stopping))
	dst = autoInt(dst, "\nConnsTotal: ", int64(s.conns))
	dst = autoInt(dst, "\nConnsAsyncWaitIO: ", int64(s.waitIO))
	dst = autoInt(dst, "\nConnsAsyncWriting: ", int64(s.writing))
	dst = autoInt(dst, "\nConnsAsyncKeepAlive: ", int64(s.keepAlive))
	dst = autoInt(dst, "\nConnsAsyncClosing: ", int64(s.closing))
	dst = append(dst, "\nScoreboard: "...)
	dst = appendScoreboard(dst, snap, 0)
	dst = autoInt(dst, "\nProcessSlotsTotal: ", int64(snap.Layout.ServerLimit))
	dst = autoInt(dst, "\nProcessSlotsOldGeneration: ", int64(s.oldGen))
	return append(dst, '\n')
}

// appendAutoExtended appends the ExtendedStatus block, each line ending in
// a newline.
func appendAutoExtended(dst []byte, s *summary) []byte {
	dst = autoInt(dst, "Total Accesses: ", s.accesses)
	dst = autoInt(dst, "\nTotal kBytes: ", s.kbytes)
	dst = autoInt(dst, "\nTotal Duration: ", s.durationMS)
	dst = autoG(dst, "\nCPUUser: ", s.cpuSeconds(s.cpuUser))
	dst = autoG(dst, "\nCPUSystem: ", s.cpuSeconds(s.cpuSys))
	dst = autoG(dst, "\nCPUChildrenUser: ", s.cpuSeconds(s.cpuCUser))
	dst = autoG(dst, "\nCPUChildrenSystem: ", s.cpuSeconds(s.cpuCSys))
	// Apache divides by a zero uptime here and prints garbage; we skip.
	if s.cpuTotal() != 0 && s.uptime > 0 {
		dst = autoG(dst, "\nCPULoad: ", s.cpuLoad())
	}
	dst = autoInt(dst, "\nUptime: ", int64(s.uptime))
	if s.uptime > 0 {
		dst = autoG(dst, "\nReqPerSec: ", s.reqPerSec())
		dst = autoG(dst, "\nBytesPerSec: ", s.bytesPerSec())
	}
	if s.accesses > 0 {
		dst = autoG(dst, "\nBytesPerReq: ", s.bytesPerReq())
		dst = autoG(dst, "\nDurationPerReq: ", s.msPerReq())
	}
	return append(dst, '\n')
}

func autoInt(dst []byte, key string, v int64) []byte { return appendInt(append(dst, key...), v) }

func autoG(dst []byte, key string, v float64) []byte { return appendG(append(dst, key...), v, 6) }

// appendScoreboard appends one letter per worker slot, leaving out the Dead
// slots mod_status leaves out; with lineLen > 0 it breaks the line after
// every lineLen letters, as the HTML page does.
func appendScoreboard(dst []byte, snap *shm.Snapshot, lineLen int) []byte {
	written := 0
	for slot := range snap.Layout.ServerLimit {
		for th := range snap.Layout.ThreadLimit {
			c := scoreboardLetter(snap, slot, th)
			if c == 0 {
				continue
			}
			dst = append(dst, c)
			written++
			if lineLen > 0 && written%lineLen == 0 {
				dst = append(dst, '\n')
			}
		}
	}
	return dst
}
