package child

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"slices"

	"eventmpm/config"
)

// This file is mod_unique_id: with LoadModule unique_id_module, every
// request gets the variable UNIQUE_ID, a name no other request of any
// child gets, for the access log (%{UNIQUE_ID}e), RequestHeader,
// Header, mod_rewrite (%{ENV:UNIQUE_ID}) and expressions.

// uniqueIDLen is the length of a UNIQUE_ID: 20 bytes in base64url
// without padding, as Apache 2.4's.
const uniqueIDLen = 27

// uniqueIDs is a child's part of the ID space: the random root Apache
// draws per child (10 bytes), or nil when the module is not loaded.
type uniqueIDs struct {
	root *[10]byte
}

// newUniqueIDs draws the child's root when cfg loads mod_unique_id.
func newUniqueIDs(cfg *config.Config) uniqueIDs {
	if !slices.Contains(cfg.Modules, "unique_id_module") {
		return uniqueIDs{}
	}
	var root [10]byte
	_, _ = rand.Read(root[:]) // never fails (crypto/rand panics instead)
	return uniqueIDs{root: &root}
}

// setUniqueID gives the request its UNIQUE_ID, laid out as Apache's
// unique_id_rec: the request's second, the child's root, a counter and
// an index, big-endian. Apache's index is the connection's id and its
// counter the child's; here they are the worker's id and its own
// counter, which makes no atomic shared between workers. A worker would
// need 65,536 requests in one second to repeat itself.
func (w *worker) setUniqueID() {
	var rec [20]byte
	binary.BigEndian.PutUint32(rec[0:4], uint32(w.start.Unix()))
	copy(rec[4:14], w.ch.uniqueIDs.root[:])
	binary.BigEndian.PutUint16(rec[14:16], w.uniqueCounter)
	binary.BigEndian.PutUint32(rec[16:20], uint32(w.id))
	w.uniqueCounter++
	base64.RawURLEncoding.Encode(w.uniqueID[:], rec[:])
	w.uniqueSet = true
	w.setEnv("UNIQUE_ID", w.uniqueID[:])
}
