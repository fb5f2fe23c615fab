package supervisor_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// TestOrphansReaped: a process orphaned below the supervisor (here a
// piped logger's background child, whose parent shell exits at once) is
// re-parented to the supervisor, a child subreaper, and once it exits the
// supervisor waits for it: no zombie is left, as PID 1 in a container
// must not leave them. The piped logger itself keeps running.
func TestOrphansReaped(t *testing.T) {
	s := startServer(t, pidLogFormat+`CustomLog "|(sleep 4.2 &); exec cat >> {{ROOT}}/logs/piped_access_log" pidlog
`, nil)
	var orphan int
	itest.Eventually(t, ioWait, "the orphaned sleep re-parented to the supervisor", func() bool {
		for _, pid := range procChildren(s.pid()) {
			if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil && string(b) == "sleep\x004.2\x00" {
				orphan = pid
				return true
			}
		}
		return false
	})
	itest.Eventually(t, 10*time.Second, "the orphan reaped after it exited", func() bool {
		_, exists := procStat(orphan)
		return !exists
	})
	s.stopAndWait(t)
}
