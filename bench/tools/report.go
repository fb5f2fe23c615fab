package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// A row is one line of compare.sh's results.tsv: one server, one scenario,
// one round. Columns are found by their header names.
type row map[string]string

func (r row) num(col string) float64 {
	v, err := strconv.ParseFloat(r[col], 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// perCPU is requests per server CPU-second.
func (r row) perCPU() float64 { return r.requestsPer("cpu_s") }

// perMachineCPU is requests per CPU-second of the whole machine: the
// server, wrk and the kernel's work, wherever the kernel charged it. NaN
// for runs made before compare.sh recorded it.
func (r row) perMachineCPU() float64 { return r.requestsPer("machine_cpu_s") }

// requestsPer divides the requests by the seconds in column col; NaN
// when col holds no positive number.
func (r row) requestsPer(col string) float64 {
	cpu := r.num(col)
	if !(cpu > 0) {
		return math.NaN()
	}
	return r.num("requests") / cpu
}

// A scenario is one line of compare.sh's scenarios.tsv.
type scenario struct{ name, title string }

// results indexes rows by scenario, server and round.
type results struct {
	rounds    []string
	servers   []string
	scenarios []scenario
	byKey     map[[3]string]row // scenario, server, round
}

func (rs *results) get(sc, srv, round string) (row, bool) {
	r, ok := rs.byKey[[3]string{sc, srv, round}]
	return r, ok
}

// series collects f over the rounds where it is a number.
func (rs *results) series(sc, srv string, f func(r row, round string) float64) []float64 {
	var out []float64
	for _, round := range rs.rounds {
		if r, ok := rs.get(sc, srv, round); ok {
			if v := f(r, round); !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, v)
			}
		}
	}
	return out
}

func readTSV(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var header []string
	var rows []row
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if header == nil {
			header = fields
			continue
		}
		r := row{}
		for i, h := range header {
			if i < len(fields) {
				r[h] = fields[i]
			}
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

func loadResults(resultsPath, scenariosPath, servers string) (*results, error) {
	rows, err := readTSV(resultsPath)
	if err != nil {
		return nil, err
	}
	rs := &results{servers: strings.Split(servers, ","), byKey: map[[3]string]row{}}
	scs, err := readTSV(scenariosPath)
	if err != nil {
		return nil, err
	}
	for _, s := range scs {
		rs.scenarios = append(rs.scenarios, scenario{s["name"], s["title"]})
	}
	for _, r := range rows {
		rs.byKey[[3]string{r["scenario"], r["server"], r["round"]}] = r
		if !slices.Contains(rs.rounds, r["round"]) {
			rs.rounds = append(rs.rounds, r["round"])
		}
	}
	if len(rows) == 0 {
		return nil, errors.New(resultsPath + ": no results")
	}
	return rs, nil
}

// runReport writes the Markdown tables of a run to stdout.
func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	scenarios := fs.String("scenarios", "", "scenarios.tsv written by compare.sh")
	servers := fs.String("servers", "eventmpm,nginx,h2o,fasthttp,apache", "servers, in table order")
	base := fs.String("baseline", "nginx", "server the ratios are taken to")
	target := fs.String("target", "eventmpm", "server measured against issue 6's bar")
	peers := fs.String("peers", "nginx,h2o,fasthttp", "the peers of the bar")
	apache := fs.String("apache", "apache", "Apache's event MPM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *scenarios == "" {
		return errors.New("usage: report -scenarios SCENARIOS.tsv RESULTS.tsv")
	}
	rs, err := loadResults(fs.Arg(0), *scenarios, *servers)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	bar := barSpec{target: *target, peers: strings.Split(*peers, ","), apache: *apache}
	writeBar(w, rs, bar)
	for _, sc := range rs.scenarios {
		if sc.name == "idle-1k" {
			writeIdle(w, rs, sc, *base)
		} else {
			writeScenario(w, rs, sc, *base)
		}
	}
	writeRaw(w, rs)
	return nil
}

// writeScenario writes one load scenario's table.
func writeScenario(w io.Writer, rs *results, sc scenario, base string) {
	fmt.Fprintf(w, "\n### %s\n\n", sc.title)
	fmt.Fprintf(w, "| Server | Requests/s | × %s | p50 ms | p99 ms | Server CPU s | Requests per CPU-s | × %s | Requests per machine CPU-s | Errors |\n", base, base)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, srv := range rs.servers {
		if len(rs.series(sc.name, srv, func(r row, _ string) float64 { return 0 })) == 0 {
			fmt.Fprintf(w, "| %s | no result ||||||||||\n", srv)
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", srv,
			stat(rs.series(sc.name, srv, col("rps")), fmtInt),
			stat(rs.ratioTo(sc.name, srv, base, col("rps")), fmtRatio),
			stat(rs.series(sc.name, srv, col("p50_ms")), fmtMS),
			stat(rs.series(sc.name, srv, col("p99_ms")), fmtMS),
			stat(rs.series(sc.name, srv, col("cpu_s")), fmtSec),
			stat(rs.series(sc.name, srv, perCPU), fmtInt),
			stat(rs.ratioTo(sc.name, srv, base, perCPU), fmtRatio),
			stat(rs.series(sc.name, srv, perMachineCPU), fmtInt),
			rs.errors(sc.name, srv))
	}
}

// writeIdle writes the idle-capacity table.
func writeIdle(w io.Writer, rs *results, sc scenario, base string) {
	fmt.Fprintf(w, "\n### %s\n\n", sc.title)
	fmt.Fprintf(w, "| Server | Idle held | Not opened | Dropped | RSS before MiB | RSS with idle MiB | KiB per idle conn | Requests/s | × no-idle | p99 ms | Requests per CPU-s | × %s | Errors |\n", base)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, srv := range rs.servers {
		if len(rs.series(sc.name, srv, func(r row, _ string) float64 { return 0 })) == 0 {
			fmt.Fprintf(w, "| %s | no result ||||||||||||\n", srv)
			continue
		}
		notOpened := func(r row, _ string) float64 { return r.num("idle_want") - r.num("idle_opened") }
		rssMiB := func(c string) func(r row, _ string) float64 {
			return func(r row, _ string) float64 { return r.num(c) / 1024 }
		}
		perConn := func(r row, _ string) float64 {
			return (r.num("rss_idle_kb") - r.num("rss_before_kb")) / r.num("idle_opened")
		}
		vsNoIdle := func(r row, round string) float64 {
			b, ok := rs.get("ka-1k-c50", srv, round)
			if !ok {
				return math.NaN()
			}
			return r.num("rps") / b.num("rps")
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", srv,
			stat(rs.series(sc.name, srv, col("idle_opened")), fmtInt),
			stat(rs.series(sc.name, srv, notOpened), fmtInt),
			stat(rs.series(sc.name, srv, col("idle_dropped")), fmtInt),
			stat(rs.series(sc.name, srv, rssMiB("rss_before_kb")), fmtMiB),
			stat(rs.series(sc.name, srv, rssMiB("rss_idle_kb")), fmtMiB),
			stat(rs.series(sc.name, srv, perConn), fmtKiB),
			stat(rs.series(sc.name, srv, col("rps")), fmtInt),
			stat(rs.series(sc.name, srv, vsNoIdle), fmtRatio),
			stat(rs.series(sc.name, srv, col("p99_ms")), fmtMS),
			stat(rs.series(sc.name, srv, perCPU), fmtInt),
			stat(rs.ratioTo(sc.name, srv, base, perCPU), fmtRatio),
			rs.errors(sc.name, srv))
	}
}

// writeRaw writes every row, for whoever wants to recompute.
func writeRaw(w io.Writer, rs *results) {
	fmt.Fprintln(w, "\n<details><summary>Every run (round, scenario, server)</summary>")
	fmt.Fprintln(w, "\n| Round | Scenario | Server | Procs | Requests/s | p50 ms | p99 ms | Requests | Errors | Non-2xx | CPU s | Req per CPU-s | Machine CPU s | RSS KiB | Idle held | Dropped |")
	fmt.Fprintln(w, "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, round := range rs.rounds {
		for _, sc := range rs.scenarios {
			for _, srv := range rs.servers {
				r, ok := rs.get(sc.name, srv, round)
				if !ok {
					continue
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
					round, sc.name, srv, r["procs"], fmtInt(r.num("rps")), fmtMS(r.num("p50_ms")), fmtMS(r.num("p99_ms")),
					r["requests"], r["errors"], r["non2xx"], fmtSec(r.num("cpu_s")), fmtInt(r.perCPU()), fmtSec(r.num("machine_cpu_s")),
					dash(r["rss_idle_kb"]), dash(r["idle_opened"]), dash(r["idle_dropped"]))
			}
		}
	}
	fmt.Fprintln(w, "\n</details>")
}

func dash(s string) string {
	if s == "" || s == "-" {
		return "–"
	}
	return s
}

func col(c string) func(r row, _ string) float64 {
	return func(r row, _ string) float64 { return r.num(c) }
}

func perCPU(r row, _ string) float64 { return r.perCPU() }

func perMachineCPU(r row, _ string) float64 { return r.perMachineCPU() }

// ratioTo is f(srv)/f(base) in each round where both ran.
func (rs *results) ratioTo(sc, srv, base string, f func(r row, round string) float64) []float64 {
	return rs.series(sc, srv, func(r row, round string) float64 {
		b, ok := rs.get(sc, base, round)
		if !ok {
			return math.NaN()
		}
		return f(r, round) / f(b, round)
	})
}

// errors sums wrk's socket errors and non-2xx answers over the rounds.
func (rs *results) errors(sc, srv string) string {
	sock := sum(rs.series(sc, srv, col("errors")))
	bad := sum(rs.series(sc, srv, col("non2xx")))
	switch {
	case sock == 0 && bad == 0:
		return "0"
	case bad == 0:
		return fmtInt(sock) + " socket"
	case sock == 0:
		return fmtInt(bad) + " non-2xx"
	}
	return fmtInt(sock) + " socket, " + fmtInt(bad) + " non-2xx"
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// stat formats "median (min–max)", or the one value of a single round.
func stat(xs []float64, f func(float64) string) string {
	if len(xs) == 0 {
		return "–"
	}
	if len(xs) == 1 {
		return f(xs[0])
	}
	return fmt.Sprintf("%s (%s–%s)", f(median(xs)), f(slices.Min(xs)), f(slices.Max(xs)))
}

// fmtInt rounds and groups thousands: 36512.4 → "36,512".
func fmtInt(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtRatio(x float64) string { return fmtFloat(x, "%.2fx") }
func fmtMS(x float64) string    { return fmtFloat(x, "%.2f") }
func fmtSec(x float64) string   { return fmtFloat(x, "%.2f") }
func fmtMiB(x float64) string   { return fmtFloat(x, "%.1f") }
func fmtKiB(x float64) string   { return fmtFloat(x, "%.2f") }

func fmtFloat(x float64, format string) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf(format, x)
}
