//go:build linux

package supervisor

import "syscall"

// childAttr is how children start: in the parent's process group, killed
// by the kernel if the parent thread that started them dies (a second
// guard besides the control pipe's end of file), and, when the server
// starts as root with User/Group set, as that user.
func (s *Supervisor) childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Credential: s.credential()}
}
