package config

import "fmt"

// This file is the event MPM's sanity pass (SPEC.md 1.3): event_check_config
// then the silent corrections of event_run, in Apache's order and with its
// texts. Each correction has a first-startup wording ("WARNING: ...", which
// Apache prints over several console lines and eventmpm joins into one) and
// a restart wording (Options.Previous set).

// The compile-time limits of Apache's event MPM (MAX_SERVER_LIMIT,
// MAX_THREAD_LIMIT).
const (
	maxServerLimit = 20000
	maxThreadLimit = 100000
)

// buckets is the number of listener buckets; eventmpm always uses one.
const buckets = 1

// clamper emits one correction in the wording of the current (re)start.
type clamper struct {
	w       *walker
	restart bool
}

func (c clamper) warn(key, startCode, startText, restartCode, restartText string) {
	pos := c.w.mpmPos[key]
	if c.restart {
		c.w.warn(pos, restartCode, "%s", restartText)
		return
	}
	c.w.warn(pos, startCode, "%s", startText)
}

// clamp corrects the MPM limits in SPEC.md 1.3 order (steps 1-9, B=1), with
// eventmpm's one difference: when MaxRequestWorkers needs more children
// than ServerLimit, MaxRequestWorkers is lowered too (same message).
func (w *walker) clamp() {
	c := clamper{w: w, restart: w.l.opts.Previous != nil}
	m := &w.cfg.MPM
	c.serverLimit(m)
	c.threadLimit(m)
	c.threadsPerChild(m)
	c.maxRequestWorkers(m)
	if m.StartServers < 1 {
		c.warn("StartServers",
			"AH00517", fmt.Sprintf("WARNING: StartServers of %d not allowed, increasing to 1.", m.StartServers),
			"AH00518", fmt.Sprintf("StartServers of %d not allowed, increasing to 1", m.StartServers))
		m.StartServers = 1
	}
	if m.MinSpareThreads < 1 {
		c.warn("MinSpareThreads",
			"AH00519", fmt.Sprintf("WARNING: MinSpareThreads of %d not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.", m.MinSpareThreads),
			"AH00520", fmt.Sprintf("MinSpareThreads of %d not allowed, increasing to 1", m.MinSpareThreads))
		m.MinSpareThreads = 1
	}
	silentClamp(m)
}

// silentClamp is step 9: event_run's corrections, which log nothing.
func silentClamp(m *MPM) {
	m.ActiveDaemonsLimit = max(m.ActiveDaemonsLimit, buckets)
	m.StartServers = max(m.StartServers, buckets)
	m.MinSpareThreads = max(m.MinSpareThreads, m.ThreadsPerChild*(buckets-1)+buckets)
	m.MaxSpareThreads = max(m.MaxSpareThreads, m.MinSpareThreads+(m.ThreadsPerChild+1)*buckets)
	m.StartServers = min(m.StartServers, m.ActiveDaemonsLimit)
}

// serverLimit is step 1, with AH00501 on a restart.
func (c clamper) serverLimit(m *MPM) {
	if n := m.ServerLimit; n > maxServerLimit {
		c.warn("ServerLimit",
			"AH00497", fmt.Sprintf("WARNING: ServerLimit of %d exceeds compile-time limit of %d servers, decreasing to %d.", n, maxServerLimit, maxServerLimit),
			"AH00498", fmt.Sprintf("ServerLimit of %d exceeds compile-time limit of %d, decreasing to match", n, maxServerLimit))
		m.ServerLimit = maxServerLimit
	} else if n < 1 {
		c.warn("ServerLimit",
			"AH00499", fmt.Sprintf("WARNING: ServerLimit of %d not allowed, increasing to 1.", n),
			"AH00500", fmt.Sprintf("ServerLimit of %d not allowed, increasing to 1", n))
		m.ServerLimit = 1
	}
	if prev := c.w.l.opts.Previous; prev != nil && m.ServerLimit != prev.MPM.ServerLimit {
		c.w.warn(c.w.mpmPos["ServerLimit"], "AH00501", "changing ServerLimit to %d from original value of %d not allowed during restart",
			m.ServerLimit, prev.MPM.ServerLimit)
		m.ServerLimit = prev.MPM.ServerLimit
	}
}

// threadLimit is step 2, with AH00506 on a restart.
func (c clamper) threadLimit(m *MPM) {
	if n := m.ThreadLimit; n > maxThreadLimit {
		c.warn("ThreadLimit",
			"AH00502", fmt.Sprintf("WARNING: ThreadLimit of %d exceeds compile-time limit of %d threads, decreasing to %d.", n, maxThreadLimit, maxThreadLimit),
			"AH00503", fmt.Sprintf("ThreadLimit of %d exceeds compile-time limit of %d, decreasing to match", n, maxThreadLimit))
		m.ThreadLimit = maxThreadLimit
	} else if n < 1 {
		c.warn("ThreadLimit",
			"AH00504", fmt.Sprintf("WARNING: ThreadLimit of %d not allowed, increasing to 1.", n),
			"AH00505", fmt.Sprintf("ThreadLimit of %d not allowed, increasing to 1", n))
		m.ThreadLimit = 1
	}
	if prev := c.w.l.opts.Previous; prev != nil && m.ThreadLimit != prev.MPM.ThreadLimit {
		c.w.warn(c.w.mpmPos["ThreadLimit"], "AH00506", "changing ThreadLimit to %d from original value of %d not allowed during restart",
			m.ThreadLimit, prev.MPM.ThreadLimit)
		m.ThreadLimit = prev.MPM.ThreadLimit
	}
}

// threadsPerChild is step 3.
func (c clamper) threadsPerChild(m *MPM) {
	if n := m.ThreadsPerChild; n > m.ThreadLimit {
		c.warn("ThreadsPerChild",
			"AH00507", fmt.Sprintf("WARNING: ThreadsPerChild of %d exceeds ThreadLimit of %d threads, decreasing to %d. To increase, please see the ThreadLimit directive.", n, m.ThreadLimit, m.ThreadLimit),
			"AH00508", fmt.Sprintf("ThreadsPerChild of %d exceeds ThreadLimit of %d, decreasing to match", n, m.ThreadLimit))
		m.ThreadsPerChild = m.ThreadLimit
	} else if n < 1 {
		c.warn("ThreadsPerChild",
			"AH00509", fmt.Sprintf("WARNING: ThreadsPerChild of %d not allowed, increasing to 1.", n),
			"AH00510", fmt.Sprintf("ThreadsPerChild of %d not allowed, increasing to 1", n))
		m.ThreadsPerChild = 1
	}
}

// maxRequestWorkers is steps 4-6: at least one child's worth, a multiple of
// ThreadsPerChild, and no more children than ServerLimit.
func (c clamper) maxRequestWorkers(m *MPM) {
	tpc := m.ThreadsPerChild
	if n := m.MaxRequestWorkers; n < tpc {
		c.warn("MaxRequestWorkers",
			"AH00511", fmt.Sprintf("WARNING: MaxRequestWorkers of %d is less than ThreadsPerChild of %d, increasing to %d.  MaxRequestWorkers must be at least as large as the number of threads in a single server.", n, tpc, tpc),
			"AH00512", fmt.Sprintf("MaxRequestWorkers of %d is less than ThreadsPerChild of %d, increasing to match", n, tpc))
		m.MaxRequestWorkers = tpc
	}
	m.ActiveDaemonsLimit = m.MaxRequestWorkers / tpc
	if n := m.MaxRequestWorkers; n%tpc != 0 {
		down := m.ActiveDaemonsLimit * tpc
		c.warn("MaxRequestWorkers",
			"AH00513", fmt.Sprintf("WARNING: MaxRequestWorkers of %d is not an integer multiple of ThreadsPerChild of %d, decreasing to nearest multiple %d, for a maximum of %d servers.", n, tpc, down, m.ActiveDaemonsLimit),
			"AH00514", fmt.Sprintf("MaxRequestWorkers of %d is not an integer multiple of ThreadsPerChild of %d, decreasing to nearest multiple %d", n, tpc, down))
		m.MaxRequestWorkers = down
	}
	if d := m.ActiveDaemonsLimit; d > m.ServerLimit {
		n, to := m.MaxRequestWorkers, m.ServerLimit*tpc
		c.warn("MaxRequestWorkers",
			"AH00515", fmt.Sprintf("WARNING: MaxRequestWorkers of %d would require %d servers and would exceed ServerLimit of %d, decreasing to %d. To increase, please see the ServerLimit directive.", n, d, m.ServerLimit, to),
			"AH00516", fmt.Sprintf("MaxRequestWorkers of %d would require %d servers and exceed ServerLimit of %d, decreasing to %d", n, d, m.ServerLimit, to))
		m.ActiveDaemonsLimit = m.ServerLimit
		m.MaxRequestWorkers = to // eventmpm: clamp both (SPEC.md 0)
	}
}
