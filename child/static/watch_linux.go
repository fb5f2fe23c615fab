//go:build linux

package static

import (
	"encoding/binary"
	"fmt"
	"os"

	"eventmpm/internal/rawsys"

	"golang.org/x/sys/unix"
)

// The Linux notifier is an inotify instance plus /proc/self/mountinfo,
// both in an epoll instance. inotify queues an event in the system call
// that makes the change (write, truncate, rename, unlink, chmod, ...),
// before that call returns, and the queueing wakes the epoll instance
// (puts the inotify descriptor on its ready list) in that same call, so a
// sync that starts after a request arrived sees every change that
// completed before it. Watches are on inodes: a change made through a
// hard link in another directory, or through another mount of the same
// file system, is seen. What inotify does not see is a change of the
// mount table (something mounted over a directory of the path);
// mountinfo reports that (EPOLLPRI), woken by the mount system call too,
// and it bumps the epoch. One epoll_wait with a zero timeout is the
// cheapest way to ask both (about half a poll(2) of the two, or of a read
// of the empty inotify descriptor).

// Watch masks. A directory reports entries created, deleted, renamed away
// or in, and its children's attribute changes (all naming the entry), and
// its own attribute changes, deletion and renaming. A file reports
// writes, truncation, attribute changes (chmod, link count, utimes),
// the close of a writer (a writable shared mapping changes the file
// without IN_MODIFY), deletion and renaming. Both are added to the inode
// the walk resolved (IN_DONT_FOLLOW).
const (
	dirMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
		unix.IN_ATTRIB | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF |
		unix.IN_EXCL_UNLINK | unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW
	fileMask = unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE |
		unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_DONT_FOLLOW
)

// eventBufSize is the read buffer; maxEventSize is the largest event, so
// a read that leaves that much room emptied the queue.
const (
	eventBufSize = 16 << 10
	maxEventSize = unix.SizeofInotifyEvent + unix.NAME_MAX + 1
)

// notifier holds the descriptors of a watcher: inotify, mountinfo and the
// epoll instance holding both; -1 when closed.
type notifier struct {
	fd, mounts, ep int
	evs            [2]unix.EpollEvent
	buf            []byte
	addWatch       func(fd int, path string, mask uint32) (int, error) // tests inject failures
}

// newNotifier returns a closed notifier.
func newNotifier() notifier {
	return notifier{fd: -1, mounts: -1, ep: -1, addWatch: unix.InotifyAddWatch}
}

// open creates the inotify and epoll instances and opens mountinfo.
func (n *notifier) open() (err error) {
	defer func() {
		if err != nil {
			n.closeNotifier()
		}
	}()
	if n.fd, err = unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC); err != nil {
		return fmt.Errorf("static: %w", os.NewSyscallError("inotify_init1", err))
	}
	if n.mounts, err = unix.Open("/proc/self/mountinfo", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
		return fmt.Errorf("static: open /proc/self/mountinfo: %w", err)
	}
	if n.ep, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return fmt.Errorf("static: %w", os.NewSyscallError("epoll_create1", err))
	}
	for _, ev := range []unix.EpollEvent{{Events: unix.EPOLLIN, Fd: int32(n.fd)}, {Events: unix.EPOLLPRI, Fd: int32(n.mounts)}} {
		if err = unix.EpollCtl(n.ep, unix.EPOLL_CTL_ADD, int(ev.Fd), &ev); err != nil {
			return fmt.Errorf("static: %w", os.NewSyscallError("epoll_ctl", err))
		}
	}
	n.buf = make([]byte, eventBufSize)
	return nil
}

// closeNotifier closes the descriptors; the kernel drops the watches.
func (n *notifier) closeNotifier() {
	for _, fd := range []*int{&n.ep, &n.mounts, &n.fd} {
		if *fd >= 0 {
			unix.Close(*fd)
			*fd = -1
		}
	}
}

// add watches path, a directory when dir is set, returning the watch
// descriptor (the same one for an inode already watched).
func (n *notifier) add(path string, dir bool) (int32, error) {
	mask := uint32(fileMask)
	if dir {
		mask = dirMask
	}
	wd, err := n.addWatch(n.fd, path, mask)
	if err != nil {
		return -1, os.NewSyscallError("inotify_add_watch", err)
	}
	return int32(wd), nil
}

// remove drops watch wd; the kernel queues IN_IGNORED for it.
func (n *notifier) remove(wd int32) {
	unix.InotifyRmWatch(n.fd, uint32(wd))
}

// drain applies every event queued before it started: one epoll_wait
// that does not block, then reads while events are pending. Called under
// syncMu. Both calls are raw (see rawsys): neither waits.
func (w *watcher) drain() error {
	var n int
	for {
		var err error
		if n, err = rawsys.EpollWaitNow(w.ep, w.evs[:]); err == nil {
			break
		}
		if err != unix.EINTR {
			return fmt.Errorf("static: %w", os.NewSyscallError("epoll_wait", err))
		}
	}
	for _, ev := range w.evs[:n] {
		if ev.Fd == int32(w.mounts) {
			w.epoch.gen.Add(1) // the mount table changed
			continue
		}
		if err := w.readEvents(); err != nil {
			return err
		}
	}
	return nil
}

// readEvents reads and applies events until the queue was seen empty.
func (w *watcher) readEvents() error {
	for {
		n, err := rawsys.Read(w.fd, w.buf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return nil
		case err != nil:
			return fmt.Errorf("static: %w", os.NewSyscallError("read inotify", err))
		}
		w.mu.Lock()
		w.applyEvents(w.buf[:n])
		w.mu.Unlock()
		if n <= len(w.buf)-maxEventSize {
			return nil // the kernel stopped for lack of events, not of room
		}
	}
}

// applyEvents parses a buffer of struct inotify_event. Called under mu.
func (w *watcher) applyEvents(b []byte) {
	for len(b) >= unix.SizeofInotifyEvent {
		wd := int32(binary.NativeEndian.Uint32(b[0:]))
		mask := binary.NativeEndian.Uint32(b[4:])
		size := unix.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(b[12:]))
		if size > len(b) {
			return
		}
		name := b[unix.SizeofInotifyEvent:size]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		w.event(wd, mask, name)
		b = b[size:]
	}
}

// event applies one event: a lost queue bumps the epoch, a dropped watch
// is forgotten, an event naming an entry bumps that name's counter, and
// any other the watched inode's own.
func (w *watcher) event(wd int32, mask uint32, name []byte) {
	switch {
	case mask&unix.IN_Q_OVERFLOW != 0:
		w.epoch.gen.Add(1)
	case mask&unix.IN_IGNORED != 0:
		w.forget(wd)
	case len(name) > 0:
		w.bumpName(wd, name)
	default:
		w.bumpSelf(wd)
	}
}

// localFS reports whether changes to the file system holding path are all
// made through this kernel, so that inotify sees them: local disk and
// memory file systems. Network and cluster file systems (NFS, SMB, Ceph,
// GFS2, OCFS2), FUSE and anything unknown are validated by stat.
func localFS(path string) bool {
	var st unix.Statfs_t
	if unix.Statfs(path, &st) != nil {
		return false
	}
	switch uint32(st.Type) {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC,
		unix.TMPFS_MAGIC, unix.RAMFS_MAGIC, unix.F2FS_SUPER_MAGIC,
		unix.BCACHEFS_SUPER_MAGIC, unix.OVERLAYFS_SUPER_MAGIC,
		unix.SQUASHFS_MAGIC, unix.EROFS_SUPER_MAGIC_V1, unix.ISOFS_SUPER_MAGIC,
		unix.REISERFS_SUPER_MAGIC, unix.NILFS_SUPER_MAGIC,
		unix.MSDOS_SUPER_MAGIC, unix.EXFAT_SUPER_MAGIC,
		zfsSuperMagic:
		return true
	}
	return false
}

// zfsSuperMagic is OpenZFS's f_type (not in x/sys/unix).
const zfsSuperMagic = 0x2fc12fc1
