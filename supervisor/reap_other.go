//go:build !linux

package supervisor

// becomeReaper does nothing here: child subreapers are Linux's
// (FreeBSD's procctl(PROC_REAP_ACQUIRE) is not used).
func (s *Supervisor) becomeReaper() {}

// reapOrphans does nothing here (see becomeReaper).
func (s *Supervisor) reapOrphans() {}
