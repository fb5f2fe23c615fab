package supervisor

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// credential is the User and Group children run as: only when the parent
// runs as root and the configuration names them (Apache's mod_unixd). The
// supplementary groups are the user's (initgroups).
func (s *Supervisor) credential() *syscall.Credential {
	if os.Geteuid() != 0 || s.cfg.UID < 0 {
		return nil
	}
	gid := s.cfg.GID
	if gid < 0 {
		gid = os.Getegid()
	}
	cred := &syscall.Credential{Uid: uint32(s.cfg.UID), Gid: uint32(gid)}
	if u, err := user.LookupId(strconv.Itoa(s.cfg.UID)); err == nil {
		if ids, err := u.GroupIds(); err == nil {
			for _, id := range ids {
				if n, err := strconv.Atoi(id); err == nil {
					cred.Groups = append(cred.Groups, uint32(n))
				}
			}
		}
	}
	if len(cred.Groups) == 0 {
		cred.Groups = []uint32{uint32(gid)}
	}
	return cred
}
