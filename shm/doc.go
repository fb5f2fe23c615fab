// Package shm is eventmpm's scoreboard: an mmap'd file with a documented
// byte layout in which every process publishes its state, read by the
// supervisor, the children's status page and `eventmpm status`.
//
// It knows nothing of HTTP, configuration syntax or process lifecycles.
package shm
