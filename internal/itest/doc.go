// Package itest is the integration-test harness: it builds the eventmpm
// binary once per test process, lays out a ServerRoot in a temporary
// directory, runs the real binary on 127.0.0.1 ports, and waits on
// conditions (a port answering, a scoreboard state) with bounded polling.
// Only tests import it; nothing here sends traffic anywhere but loopback.
package itest
