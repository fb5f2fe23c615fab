package itest

import (
	"testing"
	"time"

	"eventmpm/shm"
)

// WaitScoreboard opens the scoreboard file at path read-only as soon as
// the server has made it (the supervisor binds its listeners first),
// failing the test when it is not there within d. The caller closes it.
func WaitScoreboard(t testing.TB, path string, d time.Duration) *shm.Scoreboard {
	t.Helper()
	var sb *shm.Scoreboard
	Eventually(t, d, "the scoreboard created", func() bool {
		var err error
		sb, err = shm.OpenReadOnly(path)
		return err == nil
	})
	return sb
}
