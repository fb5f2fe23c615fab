package accesslog

import (
	"net/netip"
	"time"

	"eventmpm/child/http1"
)

// ConnStatus is the connection state logged by %X once the response is
// done (Apache's r->connection->aborted / keepalive).
type ConnStatus uint8

// Connection states; the zero value is ConnClose.
const (
	// ConnClose ('-'): the connection is closed after the response.
	ConnClose ConnStatus = iota
	// ConnKeepAlive ('+'): the connection may be kept alive.
	ConnKeepAlive
	// ConnAborted ('X'): the connection was aborted before the response
	// completed.
	ConnAborted
)

// Byte returns the character %X logs for s.
func (s ConnStatus) Byte() byte {
	switch s {
	case ConnKeepAlive:
		return '+'
	case ConnAborted:
		return 'X'
	default:
		return '-'
	}
}

// Var is one per-request environment variable (Apache's subprocess_env),
// logged by %{Name}e.
type Var struct {
	Name  string
	Value []byte
}

// TLSVars looks up mod_ssl's variables (SSL_PROTOCOL, SSL_CIPHER...) of
// a request on a TLS connection: "" for one without a value.
type TLSVars interface {
	TLSVar(name string) string
}

// Entry is everything a log line may need about one request. The child's
// worker fills it in place (it holds no pointers it must allocate) and hands
// it to [Format.Append] or [Buffer.WriteEntry]; nothing is retained after
// the call returns, so the Entry and the buffers it points into may be
// reused at once.
type Entry struct {
	// QueryRewritten says that Request.Query is the query mod_rewrite
	// made (Apache's r->args): nil for none, where %q logs nothing.
	QueryRewritten bool
	// URLPath is the request's decoded, normalized path (Apache's
	// r->uri: dot segments resolved, runs of '/' merged) when the request
	// got that far; %U logs it, else the raw path decoded.
	URLPath []byte
	// Request is the parsed request head, or nil when no request line was
	// read (e.g. a 408 on an idle preconnect): %r, %m, %U, %H then log "-".
	Request *http1.Request

	// Remote is the request's client (%h, %a, %{remote}p): the
	// connection's peer, or the client mod_remoteip found (port 0). Peer
	// is the connection's peer (%{c}a, %{c}h; Remote when unset), and
	// Local the connection's local address (%A, %{local}p).
	Remote netip.AddrPort
	Peer   netip.AddrPort
	Local  netip.AddrPort
	// ProxyIPs is mod_remoteip's note remoteip-proxy-ip-list, the trusted
	// external proxies it passed over (%{remoteip-proxy-ip-list}n).
	ProxyIPs []byte
	// GzipIn and GzipOut are the sizes before and after compression of a
	// body sent compressed (0 otherwise), and GzipNotes the names
	// DeflateFilterNote gave its Input, Output and Ratio notes.
	GzipIn, GzipOut int64
	GzipNotes       *[3]string

	// Status is the final status (%>s; it is also what conditional items
	// such as %400,501{User-Agent}i test). OriginalStatus is the status of
	// the original request before an internal redirect (%s, %<s); 0 means
	// "same as Status".
	Status         int
	OriginalStatus int

	// BodyBytes is the number of response body bytes sent (%B; %b logs "-"
	// for 0). BytesIn and BytesOut are the bytes received and sent for the
	// request including the request and response heads (mod_logio's %I, %O;
	// %S is their sum).
	BodyBytes int64
	BytesIn   int64
	BytesOut  int64

	// Received is when the first byte of the request arrived (%t and the
	// begin: forms of %{...}t). Duration is the time from Received until the
	// response was done (%D, %T; Received+Duration is the end: time).
	Received time.Time
	Duration time.Duration

	// ServerName is the name of the virtual host that served the request
	// (%v, and %V when the request had no Host). ServerPort is its canonical
	// port (%p), its ServerName's; 0 when that names none, and then %p logs
	// the local port. The client's Host never sets it, as in Apache.
	ServerName string
	ServerPort int

	// LogID is the request's log ID in the error log (%L), nil when no
	// error log line was written about the request.
	LogID []byte

	// PID is the child's process id (%P). TID is the number of the worker
	// that served the request ({tid}P), eventmpm's stand-in for a thread id.
	PID int
	TID int

	// RespHead is the response head as sent, from the status line through
	// the empty line; %{Name}o scans it in place.
	RespHead []byte

	// KeepAliveCount is the number of requests served on this connection
	// before this one (%k: 0 for the first request, and for a request
	// refused at parse time on a new connection). %k never logs less than
	// 0, as Apache's never does.
	KeepAliveCount int

	// ConnStatus is the connection state after the response (%X).
	ConnStatus ConnStatus

	// Filename is the file the request mapped to (%f), User the
	// authenticated user (%u) and Handler the handler that generated the
	// response (%R). Empty means none: "-" is logged. Filename is bytes
	// so that the child can point it at its own buffer without a copy.
	Filename []byte
	User     string
	Handler  string

	// Env holds per-request environment variables for %{Name}e; names
	// match without regard to case, as in Apache's tables.
	Env []Var

	// TLS gives mod_ssl's variables for %{Name}x; nil on a plain
	// connection, where they log "-".
	TLS TLSVars

	// Index is the DirectoryIndex file served for a directory's URL: %U
	// ends with it, as in Apache, where mod_dir's internal redirect to it
	// sets the logged URI. nil for none.
	Index []byte
}

// status returns the original status when want is set, else the final one.
func (e *Entry) status(orig bool) int {
	if orig && e.OriginalStatus != 0 {
		return e.OriginalStatus
	}
	return e.Status
}
