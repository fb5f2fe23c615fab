package ipc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ManifestEnv is the environment variable that marks a child process; its
// value is the number of the inherited descriptor holding the Manifest.
const ManifestEnv = "EVENTMPM_CHILD_MANIFEST"

// maxManifest bounds what a child reads, so a broken parent cannot make it
// allocate without limit.
const maxManifest = 64 << 20

// ErrNotChild is returned by ReadManifestFromEnv when this process was not
// started as a child.
var ErrNotChild = errors.New("ipc: not started as an eventmpm child")

// Manifest tells a child what it is and which inherited descriptor is which.
// Descriptor numbers are as the child sees them.
type Manifest struct {
	// Slot is the child's process slot in the scoreboard.
	Slot int
	// Generation is the generation the child belongs to.
	Generation uint32
	// Listeners are the inherited listening sockets.
	Listeners []Listener
	// ScoreboardFd is the scoreboard file, opened read-write.
	ScoreboardFd int
	// ControlFd is the read end of the child's control pipe.
	ControlFd int
	// StatusFd is the write end of the child's status pipe.
	StatusFd int
	// Logs are the log files the parent opened for the child (the error
	// log and every CustomLog target), so that a child running as an
	// unprivileged User can write logs in a directory only root may write.
	Logs []LogFile
	// Config is the serialised configuration of the child's generation.
	Config json.RawMessage
	// TicketKey is the key of the TLS session tickets, the same for every
	// child of the supervisor, so that a client resumes its session on
	// any of them (mod_ssl's shared session cache does that for Apache).
	TicketKey []byte `json:",omitempty"`
}

// LogFile is one inherited log file: Target is the configured path (or
// "|command"), Fd the descriptor opened for appending.
type LogFile struct {
	Target string
	Fd     int
}

// Listener is one inherited listening socket.
type Listener struct {
	Fd    int
	Addr  string
	Proto string
}

// WriteManifest writes m as JSON to w.
func WriteManifest(w io.Writer, m *Manifest) error {
	if err := json.NewEncoder(w).Encode(m); err != nil {
		return fmt.Errorf("ipc: write manifest: %w", err)
	}
	return nil
}

// ReadManifest reads one Manifest from r.
func ReadManifest(r io.Reader) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(io.LimitReader(r, maxManifest))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("ipc: read manifest: %w", err)
	}
	return &m, nil
}

// ReadManifestFromEnv reads the manifest from the descriptor named by
// ManifestEnv, closes that descriptor and unsets the variable. It returns
// ErrNotChild when the variable is not set.
func ReadManifestFromEnv(lookup func(string) (string, bool)) (*Manifest, error) {
	v, ok := lookup(ManifestEnv)
	if !ok {
		return nil, ErrNotChild
	}
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("ipc: %s=%q is not an inherited descriptor", ManifestEnv, v)
	}
	os.Unsetenv(ManifestEnv)
	f := os.NewFile(uintptr(fd), "manifest")
	defer f.Close()
	return ReadManifest(f)
}
