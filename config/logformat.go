package config

import (
	"strings"

	"eventmpm/config/expr"
)

// This file is mod_log_config's configuration: LogFormat, CustomLog and
// TransferLog. Formats are checked for Apache's directive letters here, so
// that a typo is reported with its line; child/accesslog compiles them.

// logFormatLetters are the %-directives Apache's standard modules define
// (mod_log_config, mod_logio, core), which a format may use.
const logFormatLetters = "aAbBCDefhHiklLmnopPqrRsStTuUvVXxIO%"

// checkLogFormat reports the first unknown %-directive, as Apache's
// parse_log_string does: "%" [<>]* [!]? [0-9,]* ["{" ... "}"] letter, or
// "%^xx" for the two-letter ones.
func checkLogFormat(f string) error {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		for i < len(f) && strings.IndexByte("<>!,0123456789", f[i]) >= 0 {
			i++
		}
		if i < len(f) && f[i] == '{' {
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return errorf("Unrecognized LogFormat directive %%%s", f[i:])
			}
			i += end + 1
		}
		switch {
		case i >= len(f):
			return errorf("Unrecognized LogFormat directive %%")
		case f[i] == '^' && i+2 < len(f):
			i += 2
		case strings.IndexByte(logFormatLetters, f[i]) < 0:
			return errorf("Unrecognized LogFormat directive %%%c", f[i])
		}
	}
	return nil
}

// setLogFormat is LogFormat format [nickname]. Without a nickname it sets
// the default format (TransferLog's), which may itself name a nickname.
// Inside a <VirtualHost> both are that host's own (formatsOf).
func setLogFormat(w *walker, c *call) error {
	f := c.args[0]
	if len(c.args) == 1 {
		if w.srv == w.main {
			w.cfg.DefaultLogFormat = f
		} else {
			w.srv.defaultFormat, w.srv.hasDefault = f, true
		}
		if _, ok := w.findFormat(w.srv, f); ok {
			return nil
		}
		return checkLogFormat(f)
	}
	if err := checkLogFormat(f); err != nil {
		return err
	}
	if w.srv == w.main {
		w.cfg.LogFormats[c.args[1]] = f
		return nil
	}
	if w.srv.formats == nil {
		w.srv.formats = map[string]string{}
	}
	w.srv.formats[c.args[1]] = f
	return nil
}

// findFormat looks a nickname up for a server the way apr_table_get does,
// ignoring case: in a virtual host's own formats first, then the main
// server's.
func (w *walker) findFormat(s *serverState, nick string) (string, bool) {
	if s != w.main {
		if f, ok := lookupFold(s.formats, nick); ok {
			return f, true
		}
	}
	return lookupFold(w.cfg.LogFormats, nick)
}

// lookupFold finds key in m, exactly or else ignoring case.
func lookupFold(m map[string]string, key string) (string, bool) {
	if f, ok := m[key]; ok {
		return f, true
	}
	for k, f := range m {
		if strings.EqualFold(k, key) {
			return f, true
		}
	}
	return "", false
}

// setCustomLog is CustomLog target format|nickname [env=[!]var|expr=...]. The
// nickname is resolved once every LogFormat is read (finish), as Apache
// resolves it when it opens the logs.
func setCustomLog(w *walker, c *call) error {
	l := CustomLog{Target: w.logTarget(c.args[0]), Format: c.args[1], Pos: c.pos}
	if strings.Contains(l.Format, "%") {
		if err := checkLogFormat(l.Format); err != nil {
			return err
		}
	}
	if len(c.args) == 3 {
		cond := c.args[2]
		switch lc := strings.ToLower(cond); {
		case strings.HasPrefix(lc, "expr="):
			e, err := expr.Parse(cond[len("expr="):])
			if err != nil {
				return errorf("%v", err) // mod_log_config's message is the parser's alone
			}
			l.Expr = e
		case !strings.HasPrefix(lc, "env="):
			return errorf("error in condition clause")
		case len(strings.TrimPrefix(cond[4:], "!")) == 0:
			return errorf("missing environment variable name")
		default:
			l.Env = cond
		}
	}
	w.addCustomLog(l)
	return nil
}

// setTransferLog is TransferLog target, with the default format.
func setTransferLog(w *walker, c *call) error {
	w.addCustomLog(CustomLog{Target: w.logTarget(c.args[0]), Pos: c.pos})
	return nil
}

func (w *walker) addCustomLog(l CustomLog) {
	w.srv.srv.CustomLogs = append(w.srv.srv.CustomLogs, l)
	w.srv.mark("CustomLogs")
}

// logTarget keeps "|command" as written; a file is relative to ServerRoot.
func (w *walker) logTarget(t string) string {
	if strings.HasPrefix(t, "|") {
		return t
	}
	return w.l.rootRelative(t)
}

// resolveLogFormats replaces nicknames by formats in every server's logs.
// A string that is no nickname is a format; when it has no '%' at all it
// is most likely a mistyped nickname, which Apache would log literally, so
// eventmpm warns.
func (w *walker) resolveLogFormats() {
	if f, ok := w.findFormat(w.main, w.cfg.DefaultLogFormat); ok {
		w.cfg.DefaultLogFormat = f
	}
	servers := []*serverState{w.main}
	for _, v := range w.vhosts {
		servers = append(servers, v.serverState)
	}
	for _, s := range servers {
		def := w.cfg.DefaultLogFormat
		if s.hasDefault {
			def = s.defaultFormat
			if f, ok := w.findFormat(s, def); ok {
				def = f
			}
		}
		for i := range s.srv.CustomLogs {
			l := &s.srv.CustomLogs[i]
			switch f, ok := w.findFormat(s, l.Format); {
			case l.Format == "":
				l.Format = def
			case ok:
				l.Format = f
			case !strings.Contains(l.Format, "%"):
				w.warn(l.Pos, "", "CustomLog format %q is not a LogFormat nickname; it is logged as literal text", l.Format)
			}
		}
	}
}
