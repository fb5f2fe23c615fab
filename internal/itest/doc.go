// Package itest is the integration-test harness: it builds the eventmpm
// binary once, runs it as a real process on 127.0.0.1 ports, and waits on
// scoreboard states. Only tests import it.
package itest
