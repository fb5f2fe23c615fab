package static

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"
)

// maxSymlinks is the kernel's limit on symlinks followed in one lookup
// (MAXSYMLINKS); a walk past it fails as the open would (ELOOP).
const maxSymlinks = 40

// errMoved reports that the path does not resolve the way the open did
// (it changed meanwhile); the entry is not cached.
var errMoved = errors.New("static: path changed while it was being watched")

// walker resolves a path the way the kernel does, one component at a
// time, adding a watch on every directory it enters and on the file it
// ends at, and recording an entry's dependencies: each directory's own
// counter, the counter of each name looked up in it (before the lookup),
// the file's counter. Symlinks are expanded in place: the link's directory
// and name are dependencies (a link cannot change, only be replaced), and
// the target is walked from the link's directory or from "/". Watches are
// on inodes, so what the walk depends on is exactly what the kernel's
// lookup reads: every directory entry and every inode it passes through.
type walker struct {
	w     *watcher
	stack []frame // the directories from "/" down to the current one
	deps  []dep
	links int
	id    fileID // the file's identity, stat'ed after its watch was added
}

// frame is one directory of the current resolved path.
type frame struct {
	path string
	wt   *watch
}

// track watches what name in the directory dir resolves through, and for
// an index file the better DirectoryIndex names, which must stay absent.
// It returns the dependencies and the identity of the file as stat'ed
// after its watch was added. An error means the entry must be validated
// by stat (errNoWatch) or not cached (anything else).
func (w *watcher) track(dir, name string, better []string) ([]dep, fileID, error) {
	if !w.ready() {
		return nil, fileID{}, errNoWatch
	}
	k := &walker{w: w, deps: []dep{w.epochDep()}}
	err := k.enter("/")
	if err == nil {
		err = k.resolve(dir, false)
	}
	for _, b := range better {
		if err == nil {
			err = k.probe(b)
		}
	}
	if err == nil {
		err = k.resolve(name, true)
	}
	if err != nil {
		w.release(k.deps)
		return nil, fileID{}, err
	}
	return k.deps, k.id, nil
}

// probe walks a better index name from the current directory and keeps
// what it depended on, whatever it found: the name resolving later (or
// differently) moves one of those counters.
func (k *walker) probe(name string) error {
	stack, links := append([]frame(nil), k.stack...), k.links
	err := k.resolve(name, true)
	k.stack, k.links = stack, links
	if errors.Is(err, errNoWatch) {
		return err
	}
	return nil // what the name resolves to now, or that it does not: an observation
}

// resolve walks rel from the current directory ("/" when rel is
// absolute). With wantFile the walk must end at a regular file, which is
// watched and stat'ed; otherwise every component must be a directory.
func (k *walker) resolve(rel string, wantFile bool) error {
	if strings.HasPrefix(rel, "/") {
		k.stack = k.stack[:1]
	}
	todo := splitPath(rel)
	for len(todo) > 0 {
		var done bool
		var err error
		if todo, done, err = k.step(todo, wantFile); err != nil || done {
			return err
		}
	}
	if wantFile {
		return errMoved
	}
	return nil
}

// step resolves the first of the components todo and returns those left:
// ".." goes up, a symlink is replaced by its target's components, a
// directory is entered, a regular file ends the walk (done).
func (k *walker) step(todo []string, wantFile bool) (rest []string, done bool, err error) {
	name, rest := todo[0], todo[1:]
	if name == ".." {
		if len(k.stack) > 1 {
			k.stack = k.stack[:len(k.stack)-1]
		}
		return rest, false, nil
	}
	top := k.stack[len(k.stack)-1]
	k.deps = append(k.deps, k.w.nameDep(top.wt, name))
	p := joinPath(top.path, name)
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return nil, false, err
	}
	last := len(rest) == 0
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		target, err := k.readlink(p)
		if err != nil {
			return nil, false, err
		}
		if strings.HasPrefix(target, "/") {
			k.stack = k.stack[:1]
		}
		return append(splitPath(target), rest...), false, nil
	case unix.S_IFDIR:
		if wantFile && last {
			return nil, false, errMoved
		}
		return rest, false, k.enter(p)
	case unix.S_IFREG:
		if !wantFile || !last {
			return nil, false, errMoved
		}
		return nil, true, k.watchFile(p)
	}
	return nil, false, errMoved
}

// readlink reads the symlink p, counting it against maxSymlinks.
func (k *walker) readlink(p string) (string, error) {
	if k.links++; k.links > maxSymlinks {
		return "", unix.ELOOP
	}
	buf := make([]byte, 256)
	for {
		n, err := unix.Readlink(p, buf)
		if err != nil {
			return "", err
		}
		if n < len(buf) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, 2*len(buf))
	}
}

// enter watches the directory p and makes it the current one.
func (k *walker) enter(p string) error {
	wt, err := k.w.watchPath(p, true)
	if err != nil {
		return err
	}
	k.deps = append(k.deps, selfDep(wt))
	k.stack = append(k.stack, frame{path: p, wt: wt})
	return nil
}

// watchFile watches the regular file p and stats it afterwards, so that
// the caller can check it is the file it opened, unchanged.
func (k *walker) watchFile(p string) error {
	wt, err := k.w.watchPath(p, false)
	if err != nil {
		return err
	}
	k.deps = append(k.deps, selfDep(wt))
	var fi fileInfo
	if err := statPath(append([]byte(p), 0), &fi); err != nil {
		return err
	}
	if !fi.isReg() {
		return errMoved
	}
	k.id = fi.id
	return nil
}

// splitPath returns the components of p, without empty and "." ones.
func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// joinPath appends name to the directory path dir.
func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}
