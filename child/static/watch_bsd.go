//go:build darwin || freebsd || dragonfly

package static

import "errors"

// The BSDs have no notifier here: kqueue's EVFILT_VNODE needs an open
// descriptor per watched inode and reports no names, so every cached
// entry is validated by stat.

// errNoNotifier reports that the platform has no notifier.
var errNoNotifier = errors.New("static: no change notification on this platform")

// notifier is empty: open always fails, so the rest is never reached.
type notifier struct{}

// newNotifier returns the empty notifier.
func newNotifier() notifier { return notifier{} }

func (n *notifier) open() error                              { return errNoNotifier }
func (n *notifier) closeNotifier()                           {}
func (n *notifier) add(path string, dir bool) (int32, error) { return -1, errNoNotifier }
func (n *notifier) remove(wd int32)                          {}
func (w *watcher) drain() error                              { return errNoNotifier }
func localFS(path string) bool                               { return false }
