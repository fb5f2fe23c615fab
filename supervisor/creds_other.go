//go:build !linux

package supervisor

import "syscall"

// childAttr is how children start: as User/Group when the server starts as
// root. Parent death is detected through the control pipe.
func (s *Supervisor) childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: s.credential()}
}
