package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// wrkResult is what compare.sh keeps of one `wrk --latency` run.
type wrkResult struct {
	rps            float64
	p50ms, p99ms   float64
	requests       int64
	errors, non2xx int64
}

// parseWrk reads wrk 4's text output. Missing lines leave zeros, except the
// summary line "N requests in ...", without which the run is an error.
func parseWrk(text string) (wrkResult, error) {
	var r wrkResult
	var sawRequests bool
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "50%":
			r.p50ms = wrkDurationMS(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99ms = wrkDurationMS(f[1])
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			r.requests, _ = strconv.ParseInt(f[0], 10, 64)
			sawRequests = true
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
				r.errors += n
			}
		case len(f) == 4 && f[0] == "Non-2xx":
			r.non2xx, _ = strconv.ParseInt(f[3], 10, 64)
		}
	}
	if !sawRequests {
		return r, errors.New("no \"requests in\" line: wrk did not finish")
	}
	return r, nil
}

// wrkDurationMS converts wrk's "812.00us", "1.23ms", "2.01s", "1.00m" to ms.
func wrkDurationMS(s string) float64 {
	units := []struct {
		suffix string
		ms     float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}}
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				return x * u.ms
			}
		}
	}
	return 0
}

// runWrkParse prints "RPS P50_MS P99_MS REQUESTS ERRORS NON2XX" for a file.
func runWrkParse(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: wrkparse FILE")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	r, err := parseWrk(string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	fmt.Printf("%.2f %.3f %.3f %d %d %d\n", r.rps, r.p50ms, r.p99ms, r.requests, r.errors, r.non2xx)
	return nil
}
