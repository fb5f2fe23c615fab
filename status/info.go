package status

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"eventmpm/internal/version"
	"eventmpm/shm"
)

// Info is what a rendering needs beyond the scoreboard snapshot. NewInfo
// fills it from the snapshot and the system; the caller overrides what it
// knows better (the request's server name and local IP).
type Info struct {
	// Now is the current time. Its Location is used for every time shown.
	Now time.Time
	// ServerName heads the page and is the first line of ?auto (Apache's
	// ap_get_server_name for the request).
	ServerName string
	// LocalIP is the address the request came in on: "(via IP)" in the
	// HTML heading.
	LocalIP string
	// Load holds the 1, 5 and 15 minute load averages (LoadAvg).
	Load [3]float64
	// ExtendedStatus adds the totals, CPU and per-worker details.
	ExtendedStatus bool
	// ServerVersion defaults to version.Description, ServerBuilt to
	// version.Built().
	ServerVersion, ServerBuilt string
	// NoTable is mod_status's ?notable: worker details as a list.
	NoTable bool
	// Full adds the per-worker table to the terminal and JSON renderings.
	Full bool
}

// NewInfo returns the Info for snap at now: server name and ExtendedStatus
// from the snapshot, load averages from LoadAvg (zero where unavailable),
// version and build from internal/version.
func NewInfo(snap *shm.Snapshot, now time.Time) Info {
	load, _ := LoadAvg()
	return Info{
		Now:            now,
		ServerName:     snap.ServerName,
		Load:           load,
		ExtendedStatus: snap.ExtendedStatus,
		ServerVersion:  version.Description,
		ServerBuilt:    built(),
	}
}

var builtOnce = sync.OnceValue(version.Built)

// built caches version.Built, which stats the executable.
func built() string { return builtOnce() }

func (i *Info) serverVersion() string {
	if i.ServerVersion != "" {
		return i.ServerVersion
	}
	return version.Description
}

func (i *Info) serverBuilt() string {
	if i.ServerBuilt != "" {
		return i.ServerBuilt
	}
	return built()
}

func (i *Info) location() *time.Location {
	if loc := i.Now.Location(); loc != nil {
		return loc
	}
	return time.Local
}

// ErrLoadAvg reports that the load averages could not be read.
var ErrLoadAvg = errors.New("status: load averages unavailable")

// loadAvgPath is where Linux publishes the load averages.
const loadAvgPath = "/proc/loadavg"

// LoadAvg returns the 1, 5 and 15 minute load averages from /proc/loadavg,
// what getloadavg(3) gives Apache. Elsewhere (no /proc) it returns zeros and
// an error wrapping ErrLoadAvg.
func LoadAvg() ([3]float64, error) {
	b, err := os.ReadFile(loadAvgPath)
	if err != nil {
		return [3]float64{}, fmt.Errorf("%w: %w", ErrLoadAvg, err)
	}
	return parseLoadAvg(string(b))
}

func parseLoadAvg(s string) ([3]float64, error) {
	var load [3]float64
	f := strings.Fields(s)
	if len(f) < 3 {
		return load, fmt.Errorf("%w: %q", ErrLoadAvg, s)
	}
	for i := range load {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return [3]float64{}, fmt.Errorf("%w: %w", ErrLoadAvg, err)
		}
		load[i] = v
	}
	return load, nil
}

// Content types of the two mod_status renderings.
const (
	ContentTypeHTML = "text/html; charset=ISO-8859-1"
	ContentTypeAuto = "text/plain; charset=ISO-8859-1"
)

// Query is what a /server-status query string asks for.
type Query struct {
	Auto    bool // ?auto: the machine-readable text
	NoTable bool // ?notable: worker details as a list
	Refresh int  // ?refresh[=N]: seconds for a Refresh header; 0 = none
}

// ParseQuery reads a raw query string the way mod_status does: each option
// is found as a substring anywhere in it ("?xauto" is auto), and
// "refresh" gives a Refresh of N from "refresh=N", or 10 when N is missing
// or below 1.
func ParseQuery(raw string) Query {
	q := Query{
		Auto:    strings.Contains(raw, "auto"),
		NoTable: strings.Contains(raw, "notable"),
	}
	if i := strings.Index(raw, "refresh"); i >= 0 {
		q.Refresh = 10
		if rest := raw[i+len("refresh"):]; strings.HasPrefix(rest, "=") {
			if n := atol(rest[1:]); n >= 1 {
				q.Refresh = n
			}
		}
	}
	return q
}

// atol reads leading decimal digits as C's atol does (0 for none), capped
// to keep the header sane.
func atol(s string) int {
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1e9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
