package child

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"eventmpm/child/static"
	"eventmpm/internal/errorlog"
	"eventmpm/shm"
)

// mod_cgi and mod_cgid: a request whose handler is cgi-script (a
// ScriptAlias, or SetHandler cgi-script where Options ExecCGI allows it)
// runs its file as a program, with the CGI environment (the same as a
// FastCGI application gets, its file's path as SCRIPT_FILENAME), the body
// on its standard input and its output a CGI response; what it writes to
// standard error goes to the error log, a line each. The program runs as
// the child's user, in its file's directory, and is killed when it says
// nothing for Timeout or the response is done. As in Apache, the worker
// waits for it: MaxRequestWorkers bounds the programs running at once.

// cgiMessages are mod_cgi's and mod_cgid's codes for the refusals, by
// module: ExecCGI off, no such file, a directory.
var cgiMessages = map[string][3]string{
	"cgi":  {"AH02809", "AH02811", "AH02812"},
	"cgid": {"AH01262", "AH01264", "AH01265"},
}

// serveCGI runs the request's file as a CGI program and relays its answer.
func (w *worker) serveCGI(c *conn, scriptAliased, keep bool) {
	file := string(w.fspath)
	module := "cgi"
	if slices.Contains(w.ch.cfg.Modules, "cgid_module") {
		module = "cgid"
	}
	codes := cgiMessages[module]
	refuse := func(status int, code, why string) {
		w.logError(c, errorlog.LevelError, module, code, "stderr from "+file+": "+why, nil, "")
		w.errorResponse(c, status, nil, keep)
	}
	dc := w.srv.DirConfig(fileDir(w.fspath))
	if !scriptAliased && !dc.ExecCGI {
		refuse(403, codes[0], "Options ExecCGI is off in this directory")
		return
	}
	if lst, err := os.Lstat(file); err == nil && lst.Mode()&os.ModeSymlink != 0 && !dc.FollowSymLinks && !symlinkOwnerMatches(file, lst, dc) {
		// The directory walk's symlink rule, as for a file served.
		w.logError(c, errorlog.LevelError, "core", "AH00037", "Symbolic link not allowed or link target not accessible: ", w.fspath, "")
		w.errorResponse(c, 403, nil, keep)
		return
	}
	st, err := os.Stat(file)
	switch {
	case err != nil:
		refuse(404, codes[1], "script not found or unable to stat")
		return
	case st.IsDir():
		refuse(403, codes[2], "attempt to invoke directory as script")
		return
	}
	w.setStatus(shm.BusyWrite)
	timeout := time.Duration(w.srv.timeout)
	body, stdin, length, ok := w.scriptStdin(c)
	if !ok {
		return
	}
	defer body.finish()
	params := w.fcgiParams(c, "", file, length)
	env := make([]string, 0, len(params))
	for _, p := range params {
		env = append(env, p.Name+"="+p.Value)
	}
	cmd := exec.Command(file)
	cmd.Dir, cmd.Env = filepath.Dir(file), env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		w.logError(c, errorlog.LevelError, module, "AH01241", "couldn't spawn child process: "+file, nil, "")
		w.errorResponse(c, 500, nil, keep)
		return
	}
	stderr, err := cmd.StderrPipe()
	if err == nil {
		cmd.Stdin = stdin
		err = cmd.Start()
	}
	if err != nil {
		w.logProxy(errorlog.LevelError, module, "AH01241", "couldn't spawn child process: "+file, unwrapErrno(err))
		w.errorResponse(c, 500, nil, keep)
		return
	}
	var logged sync.WaitGroup
	logged.Add(1)
	// The program's standard error, a line each (log_script_err), logged
	// from a goroutine of its own while the worker relays the answer: the
	// line carries what it needs (the client, the Referer) and not the
	// worker, whose request state only the worker may touch.
	lg, client, tid := w.srv.log, w.remote, w.id
	referer := ""
	if ref := w.req.Get("Referer"); ref != nil {
		referer = ", referer: " + string(ref)
	}
	go func() {
		defer logged.Done()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 4096), 64<<10)
		for sc.Scan() {
			if lg.Enabled(context.Background(), errorlog.LevelError) {
				lg.Log(context.Background(), errorlog.LevelError, "stderr from "+file+": "+string(bytes.TrimSuffix(sc.Bytes(), []byte("\r")))+referer,
					"module", module, "ah", "AH01215", errorlog.Client(client), errorlog.TID(tid))
			}
		}
	}()
	out := newTimedReader(stdout, timeout, func() { cmd.Process.Kill() })
	defer context.AfterFunc(w.ch.backends, func() { cmd.Process.Kill() })()
	defer func() {
		out.timer.Stop()
		cmd.Process.Kill() // done with its answer (or gave up): it may not linger
		if body != nil {
			body.stop()
		}
		logged.Wait()
		cmd.Wait()
	}()
	br := bufio.NewReaderSize(out, 8<<10)
	hdr, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		var bad textproto.ProtocolError
		base := filepath.Base(file)
		switch {
		case out.Expired():
			if module == "cgi" {
				w.logError(c, errorlog.LevelWarn, module, "AH01220", "Timeout waiting for output from CGI script "+file, nil, "")
			}
			w.logError(c, errorlog.LevelError, module, "", "Script timed out before returning headers: "+base, nil, "")
			w.errorResponse(c, 504, nil, false)
		case errors.As(err, &bad):
			line := string(bad) // textproto's words, then the line quoted
			if i := strings.IndexByte(line, '"'); i >= 0 {
				if l, err := strconv.Unquote(line[i:]); err == nil {
					line = l
				}
			}
			w.logError(c, errorlog.LevelError, module, "", "malformed header from script '"+base+"': Bad header: "+line[:min(len(line), 30)], nil, "")
			w.errorResponse(c, 500, nil, false)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			if !w.ch.stopping.Load() { // a stop killed it (stopBackends)
				w.logError(c, errorlog.LevelError, module, "", "End of script output before headers: "+base, nil, "")
			}
			w.errorResponse(c, 500, nil, false)
		default:
			w.logProxy(errorlog.LevelError, module, "", "reading the output of "+file, unwrapErrno(err))
			w.errorResponse(c, 500, nil, false)
		}
		return
	}
	w.scriptBody = body // the program may read it while it writes: account decides
	w.relayScript(c, hdr, br, true, keep, timeout, out.Cancel)
}

// symlinkOwnerMatches is Options SymLinksIfOwnerMatch for a script that
// is a symbolic link: its target has the link's owner.
func symlinkOwnerMatches(file string, link os.FileInfo, dc static.DirConfig) bool {
	if !dc.SymLinksIfOwnerMatch {
		return false
	}
	target, err := os.Stat(file)
	if err != nil {
		return false
	}
	ls, ok1 := link.Sys().(*syscall.Stat_t)
	ts, ok2 := target.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && ls.Uid == ts.Uid
}

// cgiByExtension reports whether AddHandler cgi-script names the last
// extension of the request's file for its directory. Only the last one
// counts (Apache's mod_mime takes any: "x.cgi.txt" runs), so that a
// file uploaded as "photo.cgi.jpg" is never run.
func (w *worker) cgiByExtension() bool {
	name := w.fspath[bytes.LastIndexByte(w.fspath, '/')+1:]
	dot := bytes.LastIndexByte(name, '.')
	if dot <= 0 {
		return false
	}
	exts := w.srv.DirConfig(fileDir(w.fspath)).CGIExts
	if len(exts) == 0 {
		return false
	}
	ext := strings.ToLower(string(name[dot+1:]))
	return slices.Contains(exts, ext)
}
