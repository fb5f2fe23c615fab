package child

import (
	"bufio"
	"eventmpm/child/fcgi"
	"net/netip"
	"runtime/debug"
	"time"

	"eventmpm/child/accesslog"
	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/shm"
	"eventmpm/status"

	"golang.org/x/sys/unix"
)

// worker is one of the child's ThreadsPerChild worker goroutines. Its
// fields are its own: the parser, the request, the reply and the output
// buffer are reused for every request it serves, so the hot path allocates
// nothing.
type worker struct {
	ch   *Child
	l    *loop
	id   int
	slot *shm.Worker
	cur  *conn  // the connection being served, until it is handed back or closed
	wait waiter // parked on while no connection is ready

	parser http1.Parser
	req    http1.Request
	chunks http1.ChunkedDecoder // drains chunked request bodies
	// bodyLimits are the limits chunks works with: the connection's base
	// server's, with the LimitRequestBody of the request's server.
	bodyLimits http1.Limits
	hostName   []byte // the request's host, lowercased (serverName)
	reply      *static.Reply
	head       []byte // response head, and small generated bodies
	body       []byte // generated bodies (error pages, status page)
	path       []byte // the cleaned URL path
	fspath     []byte // the file-system path, for <Directory> matching
	accessPath []byte // an AccessFileName file looked for (accessFilesFor)
	// signature is the ServerSignature of the request's sections, when
	// one sets it (signatureSet); signatureKind says which applies.
	signature    string
	signatureSet bool
	aliasPath    []byte // an aliased request's path below its handler's root
	iov          [][]byte
	vec          []unix.Iovec // writev's scratch
	copyBuf      []byte       // file reads for EnableSendfile Off, made on first use
	tlsPlain     []byte       // plaintext gathered to be sealed (TLS), made on first use
	pageNotes    string       // HTML error notes for the request's error page (mod_ssl's), "" for none
	userFromTLS  bool         // user is SSLUserName's, not an authenticated one: no AUTH_TYPE
	reqScratch   []byte       // request field values RequestHeader made
	// inRequestHeaders is set while RequestHeader operations apply.
	inRequestHeaders bool
	oob              stampBuf // readStamped's control-message space
	parts            []outPart
	entry            accesslog.Entry
	logs             []*accesslog.Buffer
	client           []byte     // the client address as text, for the scoreboard
	clientOf         netip.Addr // the address client spells
	// remote is the request's client: the connection's peer, or the
	// address mod_remoteip took from a proxy's header (with port 0).
	// proxyIPs are the trusted external proxies mod_remoteip passed over
	// (its note remoteip-proxy-ip-list), and fieldJoin a list field's
	// lines joined.
	remote    netip.AddrPort
	proxyIPs  []byte
	fieldJoin []byte
	loc       []byte // an absolute Location
	// A proxied request's route (nil when not proxied), backend URL and
	// the proxy error page's reason; proxyBuf is the worker's buffer for
	// relaying response bodies (made on first use). bodyDeferred is set
	// while a request's body is left unread for a backend (see answer).
	proxyRoute *proxyRoute
	proxyURL   []byte
	proxyHost  string // the Host field for the backend: host[:port]
	proxyAddr  string // the backend\'s host:port, for the error log
	rwProxy    []byte // the URL a RewriteRule with P made
	// proxyWS is set when that URL is ws://; proxyUpgrade is the client's
	// Upgrade passed on to the backend ("" for none).
	proxyWS      bool
	proxyUpgrade string
	// pathInfo is what followed a file in the request's file path, on a
	// site with FastCGI handlers (splitPathInfo): PATH_INFO.
	pathInfo []byte
	// redirEnv and redirQuery are the variables and the query when the
	// first internal redirect happened (REDIRECT_* for FastCGI).
	redirEnv   []accesslog.Var
	redirQuery []byte
	// The FastCGI request, reply and head reader, made on first use and
	// reused (their buffers are 40 KiB).
	// scriptBody is the body a script (FastCGI or CGI) may still be
	// reading while its answer is relayed; account stops it.
	scriptBody *proxyBody
	fcgiReq    *fcgi.Request
	fcgiResp   *fcgi.Response
	fcgiHead   *bufio.Reader
	// The request's DocumentRoot by VirtualDocumentRoot (vhostRoot):
	// made once per request (vrootMade), refused for a name with a dot
	// segment (vrootBad); vrootName holds an address as text.
	vroot, vrootName    []byte
	vrootMade, vrootBad bool
	// vrootServed is set when translation took the request's file from
	// vroot: DOCUMENT_ROOT is vroot then (ap_set_document_root).
	vrootServed bool
	proxyNotes  string
	// scriptLocation is a CGI program's local redirect, to be served once
	// it is done (followScriptLocation).
	scriptLocation string
	proxyBuf       []byte
	proxyPrefetch  []byte
	relaying       bool // rewriteHead is given a backend's response
	bodyDeferred   bool
	// An ErrorDocument's request, file-system path and the error's own
	// header lines (serveErrorDoc).
	docReq   http1.Request
	docPath  []byte
	docExtra []byte
	// docSecs are the sections of an ErrorDocument's path: their Header
	// directives join the error's (serveErrorDoc). docServed is set while
	// such a document answers: Header's "onsuccess" operations apply to
	// it, as Apache's internal redirect runs mod_headers' fixups for it.
	docSecs   responseSections
	docServed bool
	// docStatus is the status an ErrorDocument's own resource got when it
	// could not be served (logged as %>s), else 0.
	docStatus int
	// The request's sections that act on its response (walk), and for
	// mod_headers and mod_expires the head being rewritten, values made
	// while rewriting, the other head buffer, and a media type being
	// looked up (rewriteHead).
	secs       responseSections
	hdrLines   []hdrLine
	hdrScratch []byte
	head2      []byte
	typeKey    []byte
	// mod_setenvif: the request's variables, the bytes of their values,
	// an attribute being matched, and force-response-1.0.
	env         []accesslog.Var
	envScratch  []byte
	envMerge    []*config.EnvSetting // mod_env's settings in effect (modEnv)
	envAttr     []byte
	forceHTTP10 bool
	// cond is the request as expressions read it, and ifVary the request
	// fields they read, for the Vary header, of which the first
	// ifVaryMerged bytes are in the response head (ifsection.go).
	// mod_rewrite's new path (cleaned), its escaped form and new query,
	// and whether it replaced the query (then req.Query nil means none).
	rwPath, rwRaw, rwQuery []byte
	queryRewritten         bool
	// Per-directory rewriting: END seen (no more rules for the request),
	// the internal redirects made, the escaped path of the one being
	// served, and the client's path for %U (origPath, nil until a
	// redirect; origBuf is its memory).
	rwEnd             bool
	redirects         int
	irRaw             []byte
	origPath, origBuf []byte
	// negotiated is set while a variant MultiViews chose is served;
	// negHeader holds the lines the response adds (Content-Location,
	// Vary, TCN).
	negotiated bool
	negHeader  []byte
	// negFrom is the escaped path that was negotiated and negVariant the
	// variant served for it; negSkip are variants refused by their access
	// checks, left out when the request is negotiated again.
	negFrom, negVariant []byte
	negSkip             []string
	// forcedType is the media type a RewriteRule's T flag gave the
	// response, or empty; typeScratch is where the response's header
	// lines are rebuilt with it.
	forcedType, typeScratch []byte
	// rwCookies are the Set-Cookie lines RewriteRule's CO flag made,
	// and the fields of a script's local redirect (relayScript); every
	// response to the request carries them.
	rwCookies    []byte
	cond         condRequest
	ifVary       []byte
	ifVaryMerged int
	user         string // the authenticated user (%u), "" for none
	// entryAccessFn is entryAccess as a func value, made once, and
	// entryAuth its credential check for the listing being made.
	entryAccessFn func(urlPath, fsPath string) int
	entryAuth     entryAuth
	// uniqueID is the request's UNIQUE_ID (mod_unique_id), and
	// uniqueCounter the worker's count of them.
	uniqueID      [uniqueIDLen]byte
	uniqueCounter uint16
	// uniqueSet says that uniqueID is this request's.
	uniqueSet bool
	// logID is the request's error log ID (%L), "" until a line about the
	// request is logged; logItem is ErrorLogItem's scratch.
	logID   []byte
	logItem []byte
	index   []byte // the DirectoryIndex file served for a directory's URL (%U)
	snap    *shm.Snapshot
	// metrics renders /metrics; made at this worker's first scrape.
	metrics *status.Metrics

	// Per request.
	srv      *site
	status   int
	start    time.Time
	sent     int64 // body bytes of the response
	prior    int   // requests served on the connection before this one (%k)
	bodyIn   int64 // request body bytes consumed (read and discarded)
	finished int64 // when the last response of this turn was ready (Unix ns), 0 for none
	clock    int64 // the wall clock read for the response being built (Unix ns), 0 until read; see responseClock
	headSize int64
	// retired is set once the worker gave its place in the pool to a
	// successor (retire.go): it ends with the request it serves. watch
	// retires it when it waits on a backend for long.
	retired bool
	watch   retireWatch
	// clientWaitFn is clientWait as an fdWaiter, made once.
	clientWaitFn fdWaiter
}

// run serves connections until the loop closes the hand-off.
func (w *worker) run() {
	// A fault in the scoreboard mapping (its file truncated under us)
	// becomes a panic that turn recovers, not a crash.
	debug.SetPanicOnFault(true)
	w.setStatus(shm.Ready)
	for !w.turn() {
	}
	// The loop has ended, perhaps right after this worker's last request
	// (the one that drained the child): its lines are still buffered, and
	// next flushes only before it blocks.
	w.flushLogs()
	if w.retired {
		w.ch.retired.Add(-1)
		return // the slot is its successor's
	}
	w.slot.MarkDead()
}

// turn serves one connection handed over by the loop. It reports true
// when the loop has ended. After a scoreboard fault recoverFault handled,
// it reports false, the zero value, and the worker goes on: reporting
// "ended" there (as it once did) made every fault end a worker for good,
// and a child whose scoreboard was truncated a few times had none left.
func (w *worker) turn() (ended bool) {
	defer w.recoverFault()
	c := w.next()
	if c == nil {
		return true
	}
	w.cur = c
	w.finished, w.clock = 0, 0
	w.l.busy.Add(1)
	w.serve(c)
	if w.retired {
		return true // a retired worker's request is over: its successor serves on
	}
	w.l.busy.Add(-1)
	w.cur = nil
	if w.ch.dying.Load() {
		w.setStatus(shm.Graceful)
	} else {
		w.setStatus(shm.Ready)
	}
	return false
}

// recoverFault handles a scoreboard fault in turn: the scoreboard is
// repaired (or detached) and the connection being served, whose state is
// unknown, is closed. Any other panic goes on.
func (w *worker) recoverFault() {
	r := recover()
	if r == nil {
		return
	}
	if !w.ch.sb.IsFault(r) {
		panic(r)
	}
	w.ch.scoreboardFault()
	if c := w.cur; c != nil {
		w.cur = nil
		if !w.retired {
			w.l.busy.Add(-1)
		}
		w.closeConn(c)
	}
}

// next waits for the next connection, or returns nil once the loop has
// ended. Before it waits it flushes its access log buffers, so lines reach
// the files promptly when traffic is low.
func (w *worker) next() *conn {
	for {
		c, closed := w.l.hand.take(&w.wait)
		if c != nil || closed {
			return c
		}
		// Parked: a connection pushed from here on wakes this worker
		// (the wake-up waits in the channel while the logs are written).
		w.flushLogs()
		if w.l.wantWake.Load() {
			w.l.poller.Wake()
		}
		<-w.wait.wake
	}
}

func (w *worker) flushLogs() {
	for _, b := range w.logs {
		b.Flush()
	}
}

func (w *worker) setStatus(s shm.Status) {
	if w.slot != nil {
		w.slot.SetStatus(s)
	}
}

// giveBack hands a connection the worker owns back to the event goroutine
// in phase ph with the given deadline. It returns false when readiness
// arrived while the worker held the connection: the worker must then retry
// its read or write, since the edge-triggered event will not come again.
func (w *worker) giveBack(c *conn, ph phase, deadline int64) bool {
	if !w.register(c) {
		return true // closed: it cannot wait for anything
	}
	if c.tunnel.Load() != nil {
		// The event goroutine signalled a retired worker's waits
		// (waitOnLoop): an edge may have gone there. Back to pending
		// bits, and the caller tries its read or write once more.
		c.tunnel.Store(nil)
		c.hup = true
		return false
	}
	c.phase = ph
	c.deadline = deadline
	for {
		s := c.state.Load()
		pend := s & (stPendIn | stPendOut)
		if ph == phaseWrite && pend&stPendOut != 0 || ph != phaseWrite && pend&stPendIn != 0 {
			// The pending bit does not say whether the event was a
			// hang-up; assume it was, so that a short read does not skip
			// the read that would find the end of input (readRequests).
			c.hup = c.hup || pend&stPendIn != 0
			c.state.Store(stWorker)
			return false
		}
		if c.state.CompareAndSwap(s, 0) {
			break
		}
	}
	w.cur = nil // no longer ours: a fault recovery must not touch it
	w.l.handBack(c)
	return true
}

// closeConn closes a connection the worker owns.
func (w *worker) closeConn(c *conn) {
	w.cur = nil
	if c.tls != nil {
		c.tls.closeNotify()
	}
	c.release()
	w.ch.closeFd(c.fd)
	c.state.Store(stClosed)
	w.l.handBack(c)
}

// register adds the connection to the poller the first time it has to wait
// (edge-triggered, once for its whole life; see child/poll). Readiness that
// is already there is reported at once and becomes a pending bit, since the
// worker still owns the connection. It closes the connection and reports
// false when the poller refuses it.
func (w *worker) register(c *conn) bool {
	if c.registered {
		return true
	}
	if err := w.l.poller.AddConn(c.fd); err != nil {
		w.ch.log.Error("cannot watch connection", "module", "mpm_event", "err", err)
		w.closeConn(c)
		return false
	}
	c.registered = true
	return true
}
