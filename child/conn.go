package child

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// The ownership word of a connection (conn.state). A connection is owned
// either by the event goroutine or by exactly one worker; ownership moves
// with atomic operations on this word and no other synchronisation:
//
//	bit 0  stWorker   a worker owns the connection (or it waits in the
//	                  dispatch queue for one)
//	bit 1  stPendIn   the event goroutine saw readability or hang-up while a
//	                  worker owned the connection
//	bit 2  stPendOut  the same for writability
//	bit 3  stClosed   the worker closed the descriptor; the event goroutine
//	                  recycles the connection when it drains the hand-back
//	                  list
//
// The event goroutine hands a connection to a worker by storing stWorker
// (nobody else writes the word while the loop owns it). A worker hands it
// back with a compare-and-swap from exactly the value it last saw to 0; the
// swap fails when the event goroutine added a pending bit in between, and
// the worker then retries its read or write instead of losing the edge of
// the edge-triggered registration. That is what lets every connection be
// registered with epoll once, without a re-arm per request.
const (
	stWorker  uint32 = 1 << 0
	stPendIn  uint32 = 1 << 1
	stPendOut uint32 = 1 << 2
	stClosed  uint32 = 1 << 3
)

// stampSlack is how long before its accept a connection's first data may
// have been received, by the kernel's timestamp, for the timestamp to be
// believed (a connection waits in the accept queue, and with
// TCP_DEFER_ACCEPT its data is there first). A timestamp on another clock
// (a departure time on the monotonic clock, leaked by a driver) would be
// decades early: an arrival stamped too early could be served from the
// open-file cache without the sync it needs, so such a read is stamped
// with the time it was read instead.
const stampSlack = 30 * time.Second

// phase says what a connection waits for while the event goroutine owns it.
type phase uint8

const (
	// phaseNew: accepted; waiting for the first bytes of the first request.
	phaseNew phase = iota
	// phaseKeepAlive: idle between requests.
	phaseKeepAlive
	// phaseRead: part of a request head has arrived.
	phaseRead
	// phaseWrite: a response is pending until the socket drains.
	phaseWrite
	// phaseLinger: shut down for writing; input is drained until the peer
	// closes or the linger time runs out.
	phaseLinger
	// phaseTimedOut: the read deadline passed; a worker answers 408.
	phaseTimedOut
	// phaseHandshake: a TLS handshake waits for the client's next flight;
	// its goroutine is parked until the event goroutine wakes it
	// (readable, timed out, or the child stopping).
	phaseHandshake
)

// conn is one client connection. Fields are grouped by who may touch them.
type conn struct {
	fd    int
	state atomic.Uint32
	// inHandback is set while the connection is on the hand-back list.
	inHandback atomic.Bool
	hbNext     *conn

	// Event goroutine only: the timeout queue links and deadline, and
	// whether the connection was already dropped from the count (see
	// loop.forget).
	q            *timeoutQueue
	qprev, qnext *conn
	deadline     int64 // unix nanoseconds
	forgotten    bool

	// The owner's fields (the event goroutine or one worker), handed over
	// with state.
	phase    phase
	lst      *listener
	remote   netip.AddrPort
	requests int // requests served on this connection
	// logID is the connection's error log ID (%{c}L), "" until a line
	// about it is logged.
	logID string
	in    *buffer
	out   pendingOutput
	// RequestReadTimeout: when the current head started arriving and how
	// many of its bytes have arrived.
	stageStart int64
	stageBytes int
	// edgeAt, when not 0, is a time by which the input the next read finds
	// had arrived: when the event goroutine harvested the edge that
	// dispatched the connection, after revalidating the open-file cache
	// (so the cache needs no sync of its own for it), or the kernel's
	// receive timestamp of a new connection's first data (stampRead). The
	// read stamps the request's arrival (stageStart) with it, and clears
	// it.
	edgeAt int64
	// stampRead is set until the first read that returns data, on a
	// connection whose data the kernel timestamps: that read takes the
	// arrival time of the data from the kernel (readStamped) and stamps
	// edgeAt with it, so that a new connection's first request needs no
	// cache sync of its own when a sync since covers it. A timestamp from
	// more than stampSlack before the accept (stageStart until that read)
	// is not believed.
	stampRead bool
	// headStarted is set once any byte of the current request arrived.
	headStarted bool
	// registered is set once the descriptor is in the poller.
	registered bool
	// drained is set when the last read returned less than it asked for:
	// the socket was empty then, and any later byte raises a new edge.
	drained bool
	// hup is set by the event goroutine when the event that hands the
	// connection to a worker reports the peer's hang-up (or an error), and
	// by the worker when an event arrived while it held the connection
	// (the pending bit does not say which): the end of input may already
	// be queued behind the data, so the worker reads on to it even after a
	// short read (drained).
	hup bool
	// lingerShort selects the 2 s linger instead of the normal one.
	lingerShort bool
	// discard is what remains of an answered request's body (a
	// Content-Length body that had not all arrived): skipped as it comes,
	// before the next request is read, as Apache's
	// ap_discard_request_body reads it, so the connection stays open.
	discard int64
	// base is the connection's base server, Apache's c->base_server: the
	// first <VirtualHost> of the address it arrived on (of those named by
	// its IP address when there are any, see vhosts), else the main
	// server. Its settings apply before a request names its host, and for
	// the connection as a whole, as Apache's manual says of each:
	// LimitRequestLine, LimitRequestFieldSize, LimitRequestFields,
	// RequestReadTimeout and KeepAliveTimeout.
	base *site
	// vhosts is the virtual hosts the connection's local address and port
	// reach, the most specific set (see setBase): a request's Host picks
	// among them. Empty when none does: the main server answers.
	vhosts []*site
	// proxyPending is set while the connection owes its PROXY header
	// (mod_remoteip's RemoteIPProxyProtocol); proxied once it was read,
	// and proxyClient the client it named (invalid: the header named
	// none, and the peer stands). A proxied connection's requests take
	// no client from X-Forwarded-For, as in Apache.
	proxyPending, proxied bool
	proxyClient           netip.AddrPort
	// local is the connection's own local address when its listener is
	// bound to a wildcard one, once localKnown says it was looked up (see
	// localAddrPort).
	local      netip.AddrPort
	localKnown bool
	// keepAliveTimeout is the base server's KeepAliveTimeout.
	keepAliveTimeout int64
	// tls is the connection's TLS state, nil on a plain connection.
	tls *tlsConn
	// dispatchNow makes the event goroutine hand the connection to a
	// worker as soon as it takes it back (after a TLS handshake, whose
	// reads may have taken in the first request already).
	dispatchNow bool
	// plainOnTLS is set when the client spoke plain HTTP to a TLS port:
	// its request is answered with mod_ssl's 400, and the connection closed.
	plainOnTLS bool
	// tunnel, once the connection is a proxy tunnel's, is where the event
	// goroutine signals its readiness (the tunnel's goroutines own it).
	tunnel atomic.Pointer[tunnelWaits]
	// writeTimeout is the Timeout of the server whose response is being
	// written: a pending write may be continued by another worker, whose
	// own last site is unrelated (or nil, if it has served nothing yet).
	writeTimeout int64
}

// newConn makes the connection for an accepted descriptor. Connections are
// not recycled: one small allocation per accepted connection keeps the
// ownership rules simple (a stale pointer can never see a reused struct).
func newConn(fd int, lst *listener, remote netip.AddrPort) *conn {
	return &conn{fd: fd, lst: lst, remote: remote, stampRead: lst.stamped}
}
