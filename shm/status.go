package shm

import "strconv"

// Status is a worker slot's state, with Apache's numbering (SERVER_DEAD ..
// SERVER_IDLE_KILL in include/scoreboard.h), so that the numbers in the file
// mean what they mean in httpd.
type Status uint8

// The worker statuses, SPEC.md 2.5.
const (
	Dead          Status = iota // no thread in the slot: never started, or exited
	Starting                    // the worker is being started
	Ready                       // idle, waiting for a connection
	BusyRead                    // reading a request (and waiting for I/O under Timeout)
	BusyWrite                   // running the handler, sending the reply, write completion
	BusyKeepAlive               // handing a connection to the keep-alive queue
	BusyLog                     // logging the request
	BusyDNS                     // DNS lookup; defined, never set by event
	Closing                     // closing the connection (lingering close)
	Graceful                    // the child is stopping gracefully
	IdleKill                    // idle cleanup; defined, never set by event

	// NumStatus is the number of statuses; every valid Status is below it.
	NumStatus
)

var statusNames = [NumStatus]string{
	"Dead", "Starting", "Ready", "BusyRead", "BusyWrite", "BusyKeepAlive",
	"BusyLog", "BusyDNS", "Closing", "Graceful", "IdleKill",
}

// statusLetters are mod_status's letters (status_init in mod_status.c).
const statusLetters = ".S_RWKLDCGI"

var statusKeys = [NumStatus]string{
	"Open slot with no current process", "Starting up", "Waiting for Connection",
	"Reading Request", "Sending Reply", "Keepalive (read)", "Logging",
	"DNS Lookup", "Closing connection", "Gracefully finishing", "Idle cleanup of worker",
}

// String returns the status's Go name ("BusyRead").
func (s Status) String() string {
	if s < NumStatus {
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Letter returns the status's letter in mod_status's scoreboard: '.', 'S',
// '_', 'R', 'W', 'K', 'L', 'D', 'C', 'G' or 'I'; '?' for an unknown status.
func (s Status) Letter() byte {
	if s < NumStatus {
		return statusLetters[s]
	}
	return '?'
}

// Description returns the status's wording in mod_status's scoreboard key
// ("Reading Request").
func (s Status) Description() string {
	if s < NumStatus {
		return statusKeys[s]
	}
	return "Unknown"
}

// Busy reports whether mod_status counts a worker in this status as busy:
// anything but Dead, Starting, Ready, Graceful and IdleKill (SPEC.md 5.3).
func (s Status) Busy() bool {
	switch s {
	case Dead, Starting, Ready, Graceful, IdleKill:
		return false
	}
	return s < NumStatus
}
