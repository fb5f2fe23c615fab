// Package child is one eventmpm child process: it adopts the inherited
// descriptors, attaches its scoreboard slots, and runs the single event loop
// and the pool of worker goroutines that serve HTTP/1.1.
package child
