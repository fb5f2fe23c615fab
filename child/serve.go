package child

import (
	"errors"
	"time"

	"eventmpm/child/http1"
	"eventmpm/internal/errorlog"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// serve runs one turn of a connection on a worker: it continues what the
// connection was waiting for, then reads, parses and answers requests until
// the connection must wait again (handed back to the event goroutine) or is
// closed.
func (w *worker) serve(c *conn) {
	if w.ch.stopping.Load() {
		w.closeConn(c)
		return
	}
	switch c.phase {
	case phaseTimedOut:
		w.readTimedOut(c)
		return
	case phaseWrite:
		w.setStatus(shm.BusyWrite)
		switch w.flush(c) {
		case flushPending:
			return
		case flushFailed:
			w.closeConn(c)
			return
		}
		if !w.afterResponse(c) {
			return
		}
	}
	w.readRequests(c)
}

// readRequests reads and answers requests until the connection has to wait.
func (w *worker) readRequests(c *conn) {
	w.parser.Reset()
	// drained speaks of reads made in this turn only: whatever woke the
	// connection may have brought input, so the first decision reads.
	c.drained = false
	for {
		if c.proxyPending && c.in != nil && c.in.len() > 0 && !w.readProxyHeader(c) {
			return
		}
		if c.tls != nil && !c.tls.done && !c.proxyPending {
			// The first bytes are waited for as a plain connection's
			// are, without a worker; the handshake starts with them.
			if c.in == nil || c.in.len() == 0 {
				if !w.fill(c) {
					return
				}
				continue
			}
			if !w.tlsHandshake(c) {
				return
			}
			continue
		}
		if c.discard > 0 && c.in != nil && c.in.len() > 0 {
			w.skipDiscarded(c)
		}
		if c.in != nil && c.in.len() > 0 && !c.proxyPending {
			w.setStatus(shm.BusyRead)
			n, err := w.parser.Parse(c.in.data(), &c.base.headLimits, &w.req)
			if err == nil {
				if !w.answer(c, n) {
					return
				}
				if w.retired {
					w.handOn(c)
					return
				}
				continue
			}
			if !errors.Is(err, http1.ErrNeedMore) {
				w.noteRequest(c)
				w.refuse(c, err, false)
				return
			}
		}
		if c.drained && !c.hup {
			// The last read left the socket empty: wait for the next
			// edge instead of paying a read that would say EAGAIN.
			c.drained = false
			if !w.waitInput(c) {
				return
			}
			continue // input arrived while we held it: read now
		}
		if !w.fill(c) {
			return
		}
	}
}

// skipDiscarded drops the buffered input that belongs to the body of the
// request answered last (conn.discard); when that was all, the next
// request has not started.
func (w *worker) skipDiscarded(c *conn) {
	n := int(min(c.discard, int64(c.in.len())))
	c.in.consume(n)
	c.discard -= int64(n)
	if c.in.len() == 0 {
		c.headStarted = false
		c.stageBytes = 0
	}
}

// fill reads more input. It returns false when the connection was handed
// back or closed.
func (w *worker) fill(c *conn) bool {
	if c.in == nil {
		c.in = w.ch.bufs.get()
	} else if len(c.in.free()) == 0 && !c.in.grow(c.base.maxHead) {
		// The parser enforces every limit before this can happen.
		w.closeConn(c)
		return false
	}
	free := len(c.in.free())
	var n int
	var err error
	if c.tls != nil && c.tls.done {
		n, err = c.tls.read(c.in.free())
		free = n // decrypted input says nothing about the socket: read on until EAGAIN
	} else if c.stampRead {
		var at int64
		n, at, err = readStamped(c.fd, c.in.free(), &w.oob)
		if n > 0 {
			c.stampRead = false
			c.edgeAt = stampedArrival(at, c.stageStart, c.edgeAt)
		}
	} else {
		n, err = readSocket(c.fd, c.in.free())
	}
	switch {
	case err == unix.EAGAIN:
		c.edgeAt = 0
		c.drained = false // a later dispatch or pending bit means new input: read it
		return w.waitInput(c)
	case err == unix.EINTR:
		return true
	case n == 0 && err == nil:
		w.truncatedHead(c) // end of input
		return false
	case err != nil || n == 0:
		w.closeConn(c) // reset
		return false
	}
	c.in.w += n
	c.drained = n < free
	if !c.headStarted {
		c.headStarted = true
		if c.edgeAt != 0 {
			c.stageStart = c.edgeAt
		} else {
			c.stageStart = time.Now().UnixNano()
		}
	}
	c.edgeAt = 0
	c.stageBytes += n
	return true
}

// stampedArrival is the edgeAt of a first read whose data the kernel
// received at (0: no timestamp) on a connection accepted at accepted, when
// edgeAt was the connection's stamp before: the earlier of the two, both
// times by which the data had arrived, unless the timestamp is not to be
// believed (see stampSlack).
func stampedArrival(at, accepted, edgeAt int64) int64 {
	if at == 0 || at <= accepted-int64(stampSlack) {
		return edgeAt
	}
	if edgeAt == 0 || at < edgeAt {
		return at
	}
	return edgeAt
}

// waitInput hands a connection back to wait for input: to the keep-alive
// queue with no buffer when nothing of a request has arrived, or to the
// reading queue, buffer kept, when part of one has.
func (w *worker) waitInput(c *conn) bool {
	// Whatever the last read said, the connection is dispatched again only
	// for a new edge, and then it must be read: a "drained" mark left by
	// a short read before the EAGAIN that brought us here would skip that
	// read, and the request would wait for a timeout.
	c.drained = false
	now := w.finished // the end of the response just written, if any
	if now == 0 {
		now = time.Now().UnixNano()
	}
	if c.in == nil || c.in.len() == 0 {
		w.ch.bufs.put(c.in)
		c.in = nil
		c.headStarted = false
		c.stageBytes = 0
		if c.requests == 0 {
			return !w.giveBack(c, phaseNew, w.ch.newDeadline(c, now))
		}
		return !w.giveBack(c, phaseKeepAlive, now+c.keepAliveTimeout)
	}
	deadline := w.ch.readDeadline(c)
	if deadline <= nowNano() {
		// The head is late. A client trickling it byte by byte keeps the
		// connection coming back to a worker before the event goroutine
		// ever files it in the reading queue, where it would expire: cut
		// it off here, or it outlives RequestReadTimeout's maximum.
		w.readTimedOut(c)
		return false
	}
	return !w.giveBack(c, phaseRead, deadline)
}

// readTimedOut answers a connection whose request did not arrive in time:
// 408 when part of a request came (mod_reqtimeout), a silent close when
// nothing did (a browser's preconnect). The 408 is logged with what
// arrived of the request (its line once complete, as Apache logs it).
func (w *worker) readTimedOut(c *conn) {
	if !c.headStarted || c.proxyPending {
		w.closeConn(c)
		return
	}
	var head []byte
	if c.in != nil {
		head = c.in.data()
	}
	w.parser.Abandon(head, &c.base.headLimits, &w.req)
	w.answerAbandoned(c, 408, "")
}

// answerAbandoned answers, for the connection's default server, a head the
// parser has abandoned (w.req holds what was read of it) with status,
// logging why at info level when reason is not "", and closes the
// connection lingering.
func (w *worker) answerAbandoned(c *conn, status int, reason string) {
	w.noteRequest(c)
	w.srv = w.ch.defaultSite(c)
	w.start = time.Unix(0, c.stageStart)
	if reason != "" {
		w.logError(c, errorlog.LevelInfo, "core", "", "request failed: ", nil, reason)
	}
	c.lingerShort = true
	w.errorResponse(c, status, nil, false)
	w.complete(c)
}

// truncatedHead ends a connection whose input ended. A request line read
// in full with its head cut short gets 400, and its access log line, as
// Apache answers it (the client may have shut down only its sending side,
// and it still reads); anything less (part of a request line, or no
// request at all) is closed without a word, as in Apache.
func (w *worker) truncatedHead(c *conn) {
	if !c.headStarted || c.proxyPending || c.in == nil || c.in.len() == 0 || c.tls != nil && !c.tls.done {
		w.closeConn(c)
		return
	}
	w.parser.Abandon(c.in.data(), &c.base.headLimits, &w.req)
	if len(w.req.Line) == 0 {
		w.closeConn(c)
		return
	}
	w.answerAbandoned(c, 400, "the client closed the connection before the end of the request head")
}

// refuse answers a request the parser refused and closes the connection.
// A head that could not be read is answered for the connection's default
// server; a body refused after its head was read (LimitRequestBody, a bad
// chunk) for the server the request chose, which logs it, as in Apache.
func (w *worker) refuse(c *conn, err error, headRead bool) {
	if !headRead {
		w.srv = w.ch.defaultSite(c)
	}
	w.start = time.Now()
	w.refuseBody(c, err)
	w.complete(c)
}

// refuseBody prepares refuse's answer: the parser's status for err (400
// for others), with a lingering close.
func (w *worker) refuseBody(c *conn, err error) {
	var pe *http1.ParseError
	status := 400
	if errors.As(err, &pe) {
		status = pe.Status
		w.logError(c, errorlog.LevelInfo, "core", "", "request failed: ", nil, pe.Reason)
	}
	c.lingerShort = true
	w.errorResponse(c, status, err, false)
}

// answer serves one parsed request whose head is n bytes of the input. It
// returns whether the worker should go on reading the connection.
func (w *worker) answer(c *conn, n int) bool {
	// The request started when its first byte was read (fill stamps
	// stageStart); that is also its arrival time for the open-file cache.
	if c.stageStart != 0 {
		w.start = time.Unix(0, c.stageStart)
	} else {
		w.start = time.Now()
	}
	if c.requests == 0 {
		w.slot.ConnReset()
	}
	w.slot.BeginRequest(w.start)
	w.noteRequest(c)
	c.requests++
	c.headStarted = false
	c.stageBytes = 0
	w.srv = w.ch.siteFor(&w.req, c)
	w.ifVary, w.ifVaryMerged = w.ifVary[:0], 0 // SetEnvIfExpr may read fields already
	if w.srv.remoteIP != nil && !c.proxied {
		w.applyRemoteIP(c, w.srv.remoteIP)
	}
	w.reqScratch = w.reqScratch[:0]
	if w.ch.uniqueIDs.root != nil {
		w.setUniqueID() // mod_unique_id's post_read_request hook
	}
	if len(w.srv.reqEarly) > 0 {
		w.applyRequestHeaders(c, w.srv.reqEarly)
	}
	if len(w.srv.setEnvIf) > 0 {
		w.evalSetEnvIf(c)
	}
	if len(w.env) > 0 {
		w.downgradeRequest()
	}
	keep, err := true, error(nil)
	if w.srv.proxy != nil && w.srv.proxy.passes && w.req.HasBody() {
		// A backend may take the body: it stays unread until translation
		// knows (respond reads or skips it).
		c.in.consume(n)
		w.bodyDeferred = true
	} else if keep, err = w.consumeBody(c, n); err != nil {
		w.refuse(c, err, true)
		return false
	}
	w.setStatus(shm.BusyWrite)
	w.respond(c, keep)
	return w.complete(c)
}

// noteRequest resets what the access log counts per request: the requests
// served on c before this one (%k) and the request body bytes consumed
// (%I adds them to the head's).
func (w *worker) noteRequest(c *conn) {
	w.prior = c.requests
	w.remote, w.proxyIPs = c.remote, w.proxyIPs[:0]
	if c.proxyClient.IsValid() {
		w.remote = c.proxyClient
	}
	w.bodyIn = 0
	w.env, w.envScratch, w.forceHTTP10, w.user, w.index, w.userFromTLS = w.env[:0], w.envScratch[:0], false, "", nil, false
	w.queryRewritten, w.rwEnd, w.redirects, w.origPath = false, false, 0, nil
	w.negotiated, w.negSkip, w.forcedType, w.rwCookies = false, w.negSkip[:0], w.forcedType[:0], w.rwCookies[:0]
	w.signature, w.signatureSet, w.docServed = "", false, false
	w.proxyRoute, w.proxyNotes, w.bodyDeferred, w.proxyWS, w.pageNotes = nil, "", false, false, ""
	w.vrootMade, w.vrootBad, w.vrootServed = false, false, false
	w.scriptLocation = ""
	w.logID, w.uniqueSet = w.logID[:0], false
	w.path = w.path[:0] // %U: the cleaned path once respond (or bodyLimit) has made it
}

// complete writes the prepared response and reports whether the worker
// should go on reading the connection.
func (w *worker) complete(c *conn) bool {
	res := w.flush(c)
	w.reply.Release()
	switch res {
	case flushPending:
		return false
	case flushFailed:
		w.closeConn(c)
		return false
	}
	return w.afterResponse(c)
}

// consumeBody skips the request body (static resources take none). It
// reports whether the connection can stay open: a Content-Length body that
// has not fully arrived is skipped as it comes (conn.discard), after the
// response, unless the client waits for 100 Continue; a chunked one that
// has not is not waited for, and the connection is closed after the
// response instead (with a lingering close). A chunked
// body is run through the chunked decoder as far as it arrived, so a
// malformed one, or one whose chunk sizes exceed LimitRequestBody, is
// refused (400, 413) as Apache's ap_discard_request_body would, and a
// complete one is drained like a Content-Length body. LimitRequestBody is
// the request's server's (w.srv) or its sections' (site.bodyLimit), as in
// Apache, not the connection's base server's. The body bytes it consumes
// are counted in w.bodyIn: mod_logio's %I counts a discarded body too.
func (w *worker) consumeBody(c *conn, head int) (keep bool, err error) {
	c.in.consume(head)
	if !w.req.HasBody() {
		return true, nil
	}
	return w.skipBody(c, w.srv.bodyLimit(w, w.req.Path, &w.path, &w.aliasPath, &w.fspath))
}

// skipBody is consumeBody's work once the body's limit is known.
func (w *worker) skipBody(c *conn, limit int64) (keep bool, err error) {
	if !w.req.Chunked && limit > 0 && w.req.ContentLength > limit {
		return false, http1.ErrBodyTooLarge
	}
	if w.req.Chunked {
		w.bodyLimits = c.base.limits
		w.bodyLimits.Body = limit
		w.chunks.Reset(&w.bodyLimits)
		n, done, err := w.chunks.Discard(c.in.data())
		w.bodyIn = int64(n) // read, even up to a refused byte
		if err != nil {
			return false, err
		}
		c.in.consume(n)
		if done {
			return true, nil
		}
	} else if w.req.ContentLength <= int64(c.in.len()) {
		w.bodyIn = w.req.ContentLength
		c.in.consume(int(w.req.ContentLength))
		return true, nil
	} else if !w.req.Expect100 {
		// The rest is skipped as it arrives (readRequests). Not after
		// Expect: 100-continue: answered without 100 Continue, the
		// client may never send the body (RFC 9110 10.1.1).
		w.bodyIn = int64(c.in.len())
		c.discard = w.req.ContentLength - w.bodyIn
		c.in.consume(c.in.len())
		return true, nil
	}
	c.lingerShort = true
	w.bodyIn += int64(c.in.len())
	c.in.consume(c.in.len())
	return false, nil
}

// afterResponse decides what follows a response that was written in full:
// close, or read the next (perhaps already pipelined) request. It returns
// whether to go on reading.
func (w *worker) afterResponse(c *conn) bool {
	after := c.out.after
	c.out.after = afterKeepAlive
	switch after {
	case afterClose:
		if c.discard > 0 {
			w.lingeringClose(c) // the body's rest is on its way: no reset
			return false
		}
		w.closeConn(c)
		return false
	case afterLinger:
		w.lingeringClose(c)
		return false
	}
	return true
}

// lingeringClose shuts the connection down for writing and lets the event
// goroutine drain what the client still sends (Apache's
// ap_start_lingering_close), so that unread input does not make the kernel
// reset the connection before the client has read the response.
func (w *worker) lingeringClose(c *conn) {
	if c.tls != nil {
		c.tls.closeNotify()
	}
	if err := unix.Shutdown(c.fd, unix.SHUT_WR); err != nil {
		w.closeConn(c)
		return
	}
	if c.in != nil {
		w.ch.bufs.put(c.in)
		c.in = nil
	}
	var buf [2048]byte
	for {
		n, err := readSocket(c.fd, buf[:])
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			break
		}
		if err != nil || n == 0 {
			w.closeConn(c)
			return
		}
	}
	d := longLinger
	if c.lingerShort || w.ch.dying.Load() {
		d = shortLinger
	}
	if !w.giveBack(c, phaseLinger, time.Now().UnixNano()+int64(d)) {
		w.lingeringClose(c) // input arrived meanwhile: drain again
	}
}
