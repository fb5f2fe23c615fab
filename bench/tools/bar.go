package main

import (
	"fmt"
	"io"
	"math"
	"slices"
)

// barSpec names the servers of issue 6's bar.
type barSpec struct {
	target string   // eventmpm
	peers  []string // nginx, h2o, fasthttp
	apache string
}

// A barLine is one comparison: per round, target's value against the best
// peer's, reduced to a ratio; the bar holds when the median ratio passes.
type barLine struct {
	scenario, metric string
	ratios           []float64
	best             string // the peer that was best in most rounds
	want             string
	ok               func(median float64) bool // nil: shown, not a bar
	format           func(float64) string      // nil: a ratio
}

// writeBar writes the summary of eventmpm against issue 6's bar.
func writeBar(w io.Writer, rs *results, bar barSpec) {
	var lines []barLine
	for _, sc := range rs.scenarios {
		switch sc.name {
		case "ka-1k-c50":
			continue
		case "idle-1k":
			lines = append(lines, idleBarLines(rs, sc, bar)...)
			continue
		}
		floor := 1.0
		if sc.name == "ka-1m" {
			floor = 0.95
		}
		atLeast := func(x float64) func(float64) bool { return func(m float64) bool { return m >= x } }
		r, best := rs.vsBestPeer(sc.name, bar, perCPU, true)
		lines = append(lines, barLine{sc.title, "requests per CPU-s ÷ best peer", r, best, fmt.Sprintf("≥ %.2f", floor), atLeast(floor), nil})
		r, best = rs.vsBestPeer(sc.name, bar, col("rps"), true)
		lines = append(lines, barLine{sc.title, "requests/s ÷ best peer", r, best, fmt.Sprintf("≥ %.2f (unless wrk is the bottleneck)", floor), atLeast(floor), nil})
		r, best = rs.vsBestPeer(sc.name, bar, col("p99_ms"), false)
		lines = append(lines, barLine{sc.title, "p99 ÷ best peer's p99", r, best, "≤ 1.00", func(m float64) bool { return m <= 1 }, nil})
		if sc.name == "ka-1m" {
			r, best = rs.vsBestPeer(sc.name, bar, perMachineCPU, true)
			lines = append(lines, barLine{sc.title, "requests per machine CPU-s ÷ best peer (server, wrk and kernel)", r, best, "not a bar", nil, nil})
		}
		if sc.name == "ka-1k" {
			r = rs.ratioTo(sc.name, bar.target, bar.apache, perCPU)
			lines = append(lines, barLine{sc.title, "requests per CPU-s ÷ Apache", r, bar.apache, "≥ 3.00", atLeast(3), nil})
		}
	}
	fmt.Fprintf(w, "\n### %s against issue 6's bar\n\n", bar.target)
	fmt.Fprintln(w, "Ratios are taken within each round, then the median (min–max) over the rounds.")
	fmt.Fprintln(w, "\n| Scenario | Measure | Median (min–max) | Best peer | Bar | Met |")
	fmt.Fprintln(w, "|---|---|---:|---|---|---|")
	for _, l := range lines {
		met := "–"
		if len(l.ratios) > 0 && l.ok != nil {
			met = "no"
			if l.ok(median(l.ratios)) {
				met = "yes"
			}
		}
		f := l.format
		if f == nil {
			f = fmtRatio
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", l.scenario, l.metric, stat(l.ratios, f), l.best, l.want, met)
	}
}

func idleBarLines(rs *results, sc scenario, bar barSpec) []barLine {
	t := bar.target
	dropped := rs.series(sc.name, t, func(r row, _ string) float64 {
		return r.num("idle_want") - r.num("idle_open") // not held at the end, for whatever reason
	})
	perConn := rs.series(sc.name, t, func(r row, _ string) float64 {
		return (r.num("rss_idle_kb") - r.num("rss_before_kb")) / r.num("idle_opened")
	})
	vsNoIdle := rs.series(sc.name, t, func(r row, round string) float64 {
		b, ok := rs.get("ka-1k-c50", t, round)
		if !ok {
			return math.NaN()
		}
		return r.num("rps") / b.num("rps")
	})
	r, best := rs.vsBestPeer(sc.name, bar, col("p99_ms"), false)
	return []barLine{
		{sc.title, "idle connections not held at the end (refused or dropped)", dropped, "–", "0", func(m float64) bool { return m == 0 }, fmtInt},
		{sc.title, "server RSS KiB per idle connection", perConn, "–", "≤ 2", func(m float64) bool { return m <= 2 }, fmtKiB},
		{sc.title, "requests/s ÷ same server without idle", vsNoIdle, "–", "≥ 0.90", func(m float64) bool { return m >= 0.9 }, nil},
		{sc.title, "p99 ÷ best peer's p99", r, best, "≤ 1.00", func(m float64) bool { return m <= 1 }, nil},
	}
}

// vsBestPeer returns, per round, the target's value divided by the best
// peer's (the highest when higher is better, else the lowest), and the peer
// that was best in most rounds.
func (rs *results) vsBestPeer(sc string, bar barSpec, f func(r row, round string) float64, higher bool) ([]float64, string) {
	wins := map[string]int{}
	ratios := rs.series(sc, bar.target, func(r row, round string) float64 {
		bestName, bestVal := "", math.NaN()
		for _, p := range bar.peers {
			pr, ok := rs.get(sc, p, round)
			if !ok {
				continue
			}
			v := f(pr, round)
			if math.IsNaN(v) || (higher && v <= 0) {
				continue
			}
			if math.IsNaN(bestVal) || (higher && v > bestVal) || (!higher && v < bestVal) {
				bestName, bestVal = p, v
			}
		}
		if bestName == "" {
			return math.NaN()
		}
		wins[bestName]++
		return f(r, round) / bestVal
	})
	best, n := "–", 0
	names := make([]string, 0, len(wins))
	for p := range wins {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		if wins[p] > n {
			best, n = p, wins[p]
		}
	}
	return ratios, best
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}
