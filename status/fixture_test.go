package status

import (
	"time"

	"eventmpm/shm"
)

// The deterministic scoreboard of the golden tests: 6 process slots of 8
// threads, ThreadsPerChild 6 and an active-daemons limit of 4, so some Dead
// slots are hidden; generation 3 serving, two older generations stopping,
// one free slot with history, and every status letter.

var (
	fixNow     = time.Date(2024, 3, 3, 9, 45, 17, 0, time.UTC)
	fixRestart = time.Date(2024, 3, 2, 8, 30, 0, 0, time.UTC)
	fixStart   = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
)

// fixWorker describes one worker slot of the fixture.
type fixWorker struct {
	st                     shm.Status
	gen, pid               int
	conn, my, acc          int64
	connB, myB, accB       int64
	lastUsedAgo, lastReqMS int
	durMS                  int64
	client, req, vh, proto string
}

func fixtureSnapshot() *shm.Snapshot {
	l := shm.Layout{ServerLimit: 6, ThreadLimit: 8}
	snap := &shm.Snapshot{
		Layout: l, Generation: 3, ConfigGeneration: 4, ParentPID: 4000,
		StartTime: fixStart, RestartTime: fixRestart,
		ParentCPU: shm.CPUTimes{User: 1500 * time.Millisecond, System: 750 * time.Millisecond,
			ChildrenUser: 12340 * time.Millisecond, ChildrenSystem: 3210 * time.Millisecond},
		ServerName: "www.example.com", ThreadsPerChild: 6, ActiveDaemonsLimit: 4, MaxRequestWorkers: 24,
		ExtendedStatus: true,
		Processes:      make([]shm.ProcessInfo, l.ServerLimit),
		Workers:        make([]shm.WorkerInfo, l.Workers()),
	}
	snap.Processes[0] = fixProcess(1001, 3, 0, false, [6]int{12, 1, 7, 1, 0, 1}, 5000, 3200, 800)
	snap.Processes[1] = fixProcess(1002, 3, 0, true, [6]int{9, 2, 0, 0, 1, 0}, 7000, 2100, 400)
	snap.Processes[2] = fixProcess(990, 2, 2, true, [6]int{3, 1, 0, 1, 0, 0}, 12000, 9000, 1000)
	snap.Processes[4] = fixProcess(985, 1, 1, true, [6]int{1, 0, 0, 0, 0, 1}, 400, 100, 50)

	const get = "GET /index.html HTTP/1.1"
	rows := map[int][]fixWorker{
		0: {
			{st: shm.Ready, gen: 3, pid: 1001, acc: 120, my: 40, accB: 1_500_000, myB: 400_000, lastUsedAgo: 2, lastReqMS: 3, durMS: 600,
				client: "192.0.2.10", req: get, vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.BusyRead, gen: 3, pid: 1001, acc: 7, my: 7, conn: 2, connB: 2048, myB: 9000, accB: 9000, durMS: 35,
				client: "192.0.2.11", req: "", vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.BusyWrite, gen: 3, pid: 1001, acc: 55, my: 55, conn: 1, connB: 700_000, myB: 6_000_000, accB: 6_000_000, lastReqMS: 1250, durMS: 9000,
				client: "2001:db8::1", req: `GET /search?q=<script>alert("x")</script>&page=2 HTTP/1.1`, vh: "www.example.com:443", proto: "HTTP/1.1"},
			{st: shm.BusyKeepAlive, gen: 3, pid: 1001, acc: 3, my: 3, conn: 3, connB: 300, myB: 300, accB: 300, durMS: 2,
				client: "198.51.100.7", req: "HEAD / HTTP/1.0", vh: "www.example.com:80", proto: "HTTP/1.0"},
			{st: shm.BusyLog, gen: 3, pid: 1001, acc: 9, my: 9, conn: 1, connB: 100, myB: 900, accB: 900, lastReqMS: 4, durMS: 40,
				client: "192.0.2.12", req: "GET /caf\xc3\xa9\x1b[31m HTTP/1.1", vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.Closing, gen: 3, pid: 1001, acc: 1, my: 1, conn: 1, connB: 10, myB: 10, accB: 10, lastReqMS: 1, durMS: 1,
				client: "203.0.113.9", req: "BREW /pot HTTP/1.1", vh: "www.example.com:80", proto: "HTTP/1.1"},
		},
		1: {
			{st: shm.BusyWrite, gen: 3, pid: 1002, acc: 4, my: 4, conn: 1, connB: 50_000, myB: 200_000, accB: 200_000, durMS: 80,
				client: "192.0.2.20", req: get, vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.BusyWrite, gen: 3, pid: 1002, acc: 2, my: 2, conn: 2, myB: 4096, accB: 4096, durMS: 5,
				client: "192.0.2.21", req: get, vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.BusyWrite, gen: 3, pid: 1002, acc: 1, my: 1, conn: 1, durMS: 1,
				client: "192.0.2.22", req: get, vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.Ready, gen: 3, pid: 1002},
			{st: shm.Starting, gen: 3, pid: 1002},
			{st: shm.BusyDNS, gen: 3, pid: 1002, acc: 1, my: 1, conn: 1, durMS: 2,
				client: "192.0.2.23", req: get, vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.Dead},
			{st: shm.IdleKill, gen: 3, pid: 1002},
		},
		2: {
			{st: shm.Graceful, gen: 2, pid: 990, acc: 800, my: 300, accB: 80_000_000, myB: 30_000_000, lastReqMS: 20, durMS: 40_000,
				client: "192.0.2.30", req: "GET /big.iso HTTP/1.1", vh: "www.example.com:80", proto: "HTTP/1.1"},
			{st: shm.Graceful, gen: 2, pid: 990, acc: 2, my: 2, accB: 20, myB: 20, durMS: 2},
			{st: shm.BusyWrite, gen: 2, pid: 990, acc: 30, my: 30, conn: 1, connB: 1 << 30, myB: 1 << 30, accB: 1 << 30, durMS: 600_000,
				client: "192.0.2.31", req: "GET /huge.bin HTTP/1.1", vh: "www.example.com:80", proto: "HTTP/1.1"},
		},
		3: {
			{st: shm.Dead, gen: 2, pid: 980, acc: 61, accB: 61_000, lastUsedAgo: 3600, durMS: 610,
				client: "192.0.2.40", req: get, vh: "www.example.com:80", proto: "HTTP/1.1"},
		},
		4: {
			{st: shm.Graceful, gen: 1, pid: 985, acc: 17, my: 5, conn: 1, connB: 512, myB: 2560, accB: 8704, lastUsedAgo: 900, durMS: 3_600_000,
				client: "192.0.2.50", req: "GET /ws HTTP/1.1", vh: "chat.example.com:80", proto: "HTTP/1.1"},
		},
	}
	for slot, ws := range rows {
		for th, f := range ws {
			*snap.WorkerAt(slot, th) = f.info()
		}
	}
	return snap
}

func fixProcess(pid, gen, q int, notAccepting bool, c [6]int, accepted int64, userMS, sysMS int) shm.ProcessInfo {
	return shm.ProcessInfo{
		PID: pid, Generation: gen, Quiescing: q, NotAccepting: notAccepting,
		Connections: c[0], WriteCompletion: c[1], KeepAlive: c[2], LingeringClose: c[3], Suspended: c[4], WaitIO: c[5],
		Heartbeat: fixNow.Add(-time.Duration(pid%3) * time.Second), StartTime: fixRestart.Add(time.Duration(pid) * time.Second),
		Accepted: accepted, CPUUser: time.Duration(userMS) * time.Millisecond, CPUSystem: time.Duration(sysMS) * time.Millisecond,
	}
}

func (f fixWorker) info() shm.WorkerInfo {
	w := shm.WorkerInfo{
		Status: f.st, Generation: f.gen, PID: f.pid, Since: fixNow.Add(-time.Minute),
		ConnCount: f.conn, ConnBytes: f.connB, AccessCount: f.acc, BytesServed: f.accB,
		MyAccessCount: f.my, MyBytesServed: f.myB, Duration: time.Duration(f.durMS) * time.Millisecond,
	}
	if f.acc > 0 {
		w.LastUsed = fixNow.Add(-time.Duration(f.lastUsedAgo) * time.Second)
		w.StartTime = w.LastUsed.Add(-time.Duration(f.lastReqMS) * time.Millisecond)
		w.StopTime = w.LastUsed
		if f.lastReqMS == 0 { // a request in progress: stop is the previous one's
			w.StopTime = w.StartTime.Add(-time.Second)
		}
		w.LastRequest = time.Duration(f.lastReqMS) * time.Millisecond
	}
	copy(w.Client[:], f.client)
	copy(w.Request[:], f.req)
	copy(w.VHost[:], f.vh)
	copy(w.Protocol[:], f.proto)
	return w
}

func fixtureInfo(snap *shm.Snapshot) Info {
	return Info{
		Now: fixNow, ServerName: snap.ServerName, LocalIP: "192.0.2.1", Load: [3]float64{0.42, 0.3, 0.05},
		ExtendedStatus: snap.ExtendedStatus, ServerVersion: "eventmpm/0.1.0 (Unix)", ServerBuilt: "Mar  1 2024 09:00:00",
		Full: true,
	}
}
