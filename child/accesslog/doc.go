// Package accesslog compiles Apache LogFormat strings and writes access log
// lines without blocking the event loop.
package accesslog
