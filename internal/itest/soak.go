package itest

import "os"

// Soak reports whether the tests run as `make soak` (EVENTMPM_SOAK=1): the
// fault and load tests then run their long versions.
func Soak() bool { return os.Getenv("EVENTMPM_SOAK") == "1" }

// Pick returns short under `make test` and soak under `make soak`.
func Pick[T any](short, soak T) T {
	if Soak() {
		return soak
	}
	return short
}
