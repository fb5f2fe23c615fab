package config

import (
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// This file holds the setters of the server-wide directives: the event MPM's
// limits (SPEC.md 1.2) and the directives that mean nothing to eventmpm but
// are accepted, with a warning saying what eventmpm does instead.

// atoi is C's atoi, which Apache uses for most numbers: leading blanks, an
// optional sign, then digits up to the first non-digit ("25x" is 25, "abc"
// is 0). Values beyond the int32 range saturate instead of overflowing.
func atoi(s string) int {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
		if n > math.MaxInt32 {
			n = math.MaxInt32 + 1
		}
	}
	if neg {
		n = -n
	}
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}

// wholeNumber reads a directive's numeric argument. Apache reads these with
// atoi, so "lots" silently becomes 0 and "25x" 25; eventmpm refuses anything
// but an optionally signed decimal integer, so a typo stops the start with
// the file and line instead of running with a surprising limit. Values
// beyond the int32 range saturate as in atoi.
func wholeNumber(c *call) (int, error) {
	s := strings.TrimSpace(c.args[0])
	if _, err := strconv.Atoi(s); err != nil && !isRangeErr(err) {
		return 0, errorf("%s takes a whole number, not %q", c.d.name, c.args[0])
	}
	return atoi(s), nil
}

// setMPMInt stores an atoi value in one MPM field and remembers where it
// was set, for the clamp warnings.
func setMPMInt(key string, field func(*MPM) *int) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		n, err := wholeNumber(c)
		if err != nil {
			return err
		}
		*field(&w.cfg.MPM) = n
		w.mpmPos[key] = c.pos
		return nil
	}
}

// setMaxClients is the 2.2 name of MaxRequestWorkers (AH00521).
func setMaxClients(w *walker, c *call) error {
	w.warn(c.pos, "AH00521", "MaxClients is deprecated, use MaxRequestWorkers instead.")
	return setMPMInt("MaxRequestWorkers", func(m *MPM) *int { return &m.MaxRequestWorkers })(w, c)
}

// setMaxRequestsPerChild is the 2.2 name of MaxConnectionsPerChild (AH00545).
func setMaxRequestsPerChild(w *walker, c *call) error {
	w.warn(c.pos, "AH00545", "MaxRequestsPerChild is deprecated, use MaxConnectionsPerChild instead.")
	return setMPMInt("MaxConnectionsPerChild", func(m *MPM) *int { return &m.MaxConnectionsPerChild })(w, c)
}

// setAsyncRequestWorkerFactor parses strictly (strtod must use every byte)
// and keeps the real number (SPEC.md 0); values in (0,1) become 1.
func setAsyncRequestWorkerFactor(w *walker, c *call) error {
	v, err := strconv.ParseFloat(c.args[0], 64)
	if err != nil && !isRangeErr(err) {
		return errorf("error parsing value")
	}
	if !(v > 0) || math.IsInf(v, 0) {
		return errorf("AsyncRequestWorkerFactor argument must be a positive number")
	}
	w.cfg.MPM.AsyncRequestWorkerFactor = max(v, 1)
	return nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// setSeconds is a whole number of seconds read with atoi (Apache's
// GracefulShutdownTimeout); a negative value is refused.
func setSeconds(field func(*MPM) *time.Duration) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		n, err := wholeNumber(c)
		if err != nil {
			return err
		}
		if n < 0 {
			return errorf("%s must not be negative", c.d.name)
		}
		*field(&w.cfg.MPM) = time.Duration(n) * time.Second
		return nil
	}
}

func setListenBacklog(w *walker, c *call) error {
	n, err := wholeNumber(c)
	if err != nil {
		return err
	}
	if n < 1 {
		return errorf("ListenBacklog must be > 0")
	}
	w.cfg.MPM.ListenBacklog = n
	return nil
}

// setBufferSize is SendBufferSize and ReceiveBufferSize.
func setBufferSize(field func(*MPM) *int) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		n, err := wholeNumber(c)
		if err != nil {
			return err
		}
		if n < 512 && n != 0 {
			return errorf("%s must be >= 512 bytes, or 0 for system default.", c.d.name)
		}
		*field(&w.cfg.MPM) = n
		return nil
	}
}

func setListenCoresBucketsRatio(w *walker, c *call) error {
	if n, err := wholeNumber(c); err != nil {
		return err
	} else if n <= 0 {
		return errorf("ListenCoresBucketsRatio must be > 0")
	}
	w.noEffect(c, "eventmpm uses one listener bucket, and every child polls every listener")
	return nil
}

// setNoEffectSize is MaxMemFree and ThreadStackSize: strtol, negative is an
// error, and the value means nothing to eventmpm.
func setNoEffectSize(why string) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		if n, err := wholeNumber(c); err != nil {
			return err
		} else if n < 0 {
			return errorf("Invalid %s value: %s", c.d.name, c.args[0])
		}
		w.noEffect(c, why)
		return nil
	}
}

const noAcceptMutex = "each eventmpm child polls its own listeners with epoll and takes no accept mutex"

// mutexHelp is Apache's list of mechanisms (AP_ALL_AVAILABLE_MUTEXES_STRING).
const mutexHelp = "Mutex mechanisms are: `none', `default', `flock:/path/to/file', `fcntl:/path/to/file', " +
	"`file:/path/to/file', `sysvsem', `sem', `posixsem', `pthread'"

// setMutex checks Mutex mechanism [default|name ...] [OmitPID].
func setMutex(w *walker, c *call) error {
	if len(c.args) < 1 {
		return errorf("Mutex requires at least a mechanism argument (%s)", mutexHelp)
	}
	mech, dir, hasDir := strings.Cut(c.args[0], ":")
	switch strings.ToLower(mech) {
	case "default", "none", "sem", "sysvsem", "posixsem", "pthread":
		if hasDir {
			return errorf("Invalid Mutex argument %s (%s)", c.args[0], mutexHelp)
		}
	case "flock", "fcntl", "file":
		if hasDir && dir == "" {
			return errorf("Invalid Mutex directory in argument %s", c.args[0])
		}
	default:
		return errorf("Invalid Mutex argument %s (%s)", c.args[0], mutexHelp)
	}
	w.noEffect(c, noAcceptMutex)
	return nil
}

// setAcceptMutex is Apache 2.2's AcceptMutex mechanism.
func setAcceptMutex(w *walker, c *call) error {
	switch strings.ToLower(c.args[0]) {
	case "default", "flock", "fcntl", "sysvsem", "posixsem", "pthread":
	default:
		return errorf("AcceptMutex %s: unknown mechanism (default, flock, fcntl, sysvsem, posixsem or pthread)", c.args[0])
	}
	w.noEffect(c, noAcceptMutex)
	return nil
}

// noEffect accepts a directive whose arguments were already checked and
// warns why it means nothing to eventmpm.
func noEffect(why string) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		w.noEffect(c, why)
		return nil
	}
}

// setPidFile is PidFile path, relative to ServerRoot.
func setPidFile(w *walker, c *call) error {
	if c.sc.vhost {
		return errorf("PidFile directive not allowed in <VirtualHost>")
	}
	w.cfg.PidFile = w.l.rootRelative(c.args[0])
	return nil
}

// setPath stores a path relative to ServerRoot in a Config field.
func setPath(field func(*Config) *string) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		*field(w.cfg) = w.l.rootRelative(c.args[0])
		return nil
	}
}

// setCoreDumpDirectory checks that the directory exists, as Apache does.
func setCoreDumpDirectory(w *walker, c *call) error {
	dir := w.l.rootRelative(c.args[0])
	fi, err := os.Stat(dir)
	if err != nil {
		return errorf("CoreDumpDirectory %s does not exist", dir)
	}
	if !fi.IsDir() {
		return errorf("CoreDumpDirectory %s is not a directory", dir)
	}
	w.cfg.CoreDumpDirectory = dir
	return nil
}

func setExtendedStatus(w *walker, c *call) error {
	w.cfg.ExtendedStatus = isOn(c.args[0])
	return nil
}

func setSeeRequestTail(w *walker, c *call) error {
	w.cfg.SeeRequestTail = isOn(c.args[0])
	return nil
}

// setServerTokens accepts Apache's names, case-insensitively, and stores
// the canonical one.
func setServerTokens(w *walker, c *call) error {
	names := map[string]string{
		"os": "OS", "min": "Min", "minimal": "Min", "major": "Major", "minor": "Minor",
		"prod": "Prod", "productonly": "Prod", "full": "Full",
	}
	v, ok := names[strings.ToLower(c.args[0])]
	if !ok {
		return errorf("ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'")
	}
	w.cfg.ServerTokens = v
	return nil
}

// setTypesConfig is mod_mime's TypesConfig; the file must exist (it is
// read at start; a stat here does not block on a FIFO as an open would).
func setTypesConfig(w *walker, c *call) error {
	path := w.l.rootRelative(c.args[0])
	fi, err := os.Stat(path)
	if err == nil && !fi.Mode().IsRegular() {
		return errorf("could not open mime types config file %s: not a regular file", path)
	}
	if err != nil {
		return errorf("could not open mime types config file %s: %s%w", path, errnoText(err), noText(err))
	}
	w.cfg.TypesConfig = path
	return nil
}

// setAcceptFilter is AcceptFilter protocol filter. On Linux Apache's
// filters are "data" (TCP_DEFER_ACCEPT) and "none"; the FreeBSD names
// "dataready" and "httpready" map to "data" with a warning, since
// eventmpm's only filter is the kernel's deferred accept.
func setAcceptFilter(w *walker, c *call) error {
	proto := strings.ToLower(c.args[0])
	switch f := strings.ToLower(c.args[1]); f {
	case "data", "none":
		w.cfg.AcceptFilters[proto] = f
	case "dataready", "httpready":
		w.cfg.AcceptFilters[proto] = "data"
		w.warn(c.pos, "", "AcceptFilter %s is a FreeBSD accept filter: eventmpm uses the deferred accept (\"data\") instead", c.args[1])
	default:
		return errorf("AcceptFilter %s: unknown filter %q (data or none)", c.args[0], c.args[1])
	}
	return nil
}

// setTraceEnable is TraceEnable. eventmpm does not implement TRACE: it
// answers 405 as Apache does with TraceEnable Off, so only Off is
// accepted (Apache's default is On; TRACE is a common hardening finding).
func setTraceEnable(w *walker, c *call) error {
	if strings.EqualFold(c.args[0], "off") {
		return nil
	}
	return errorf("TraceEnable %s: eventmpm does not implement TRACE and answers it with 405; use TraceEnable Off", c.args[0])
}
