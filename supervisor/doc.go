// Package supervisor is eventmpm's parent process: it binds the listeners
// once, spawns children by re-executing the binary, reaps and replaces them,
// keeps the spare-thread targets, and runs graceful restarts and stops.
//
// It never imports package child: the two meet only through ipc and shm.
package supervisor
