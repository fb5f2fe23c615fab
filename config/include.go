package config

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode/utf8"
)

// maxIncludeDepth is Apache's AP_MAX_INCLUDE_DEPTH: a safety net behind the
// recursion check (which a symbolic link can hide).
const maxIncludeDepth = 128

// maxFileSize bounds one configuration file; httpd.conf files are small, and
// this keeps a mistaken Include of a huge file from eating memory.
const maxFileSize = 16 << 20

// readInclude is Include and IncludeOptional: the files named (a file, a
// directory whose files are all read, or a wildcard pattern) are read in
// place, in name order. IncludeOptional ignores a missing file, directory or
// wildcard without matches; Include fails on them.
func readInclude(r *reader, _ *cursor, c *call) ([]*node, error) {
	if r.l.noInclude {
		return nil, errorf("%s is disabled here", c.d.name)
	}
	optional := strings.EqualFold(c.d.name, "IncludeOptional")
	files, err := includeFiles(r.l.rootRelative(c.args[0]), optional)
	if err != nil {
		return nil, err
	}
	var out []*node
	for _, f := range files {
		nodes, err := r.readFile(f, c.sc)
		if err != nil {
			if f != c.pos.File {
				err = viaInclude(c.pos, err)
			}
			return nil, err
		}
		out = append(out, nodes...)
	}
	return out, nil
}

// readFile reads one configuration file as a block of its own.
func (r *reader) readFile(path string, sc scope) ([]*node, error) {
	if i := slices.Index(r.stack, path); i >= 0 {
		chain := append(slices.Clone(r.stack[i:]), path)
		return nil, errorf("Include recursion: %s is already being read (%s)", path, strings.Join(chain, " -> "))
	}
	if !utf8.ValidString(path) {
		return nil, errorf("Could not open configuration file %q: eventmpm needs file names in UTF-8", path)
	}
	if len(r.stack) >= maxIncludeDepth {
		return nil, errorf("Exceeded the maximum include directory nesting level of %d. You have probably a recursion somewhere.", maxIncludeDepth)
	}
	data, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	return r.readData(path, data, sc)
}

// readData reads the text of one file (or of -C/-c directives).
func (r *reader) readData(name, data string, sc scope) ([]*node, error) {
	r.l.cfg.Includes = append(r.l.cfg.Includes, name)
	r.stack = append(r.stack, name)
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	cur := &cursor{file: name, lines: splitLines(data)}
	return r.readBlock(cur, sc, "", Pos{})
}

// readConfigFile reads a regular file of at most maxFileSize bytes.
func readConfigFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", errorf("Could not open configuration file %s: %s%w", path, errnoText(err), noText(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", errorf("Could not open configuration file %s: %s%w", path, errnoText(err), noText(err))
	}
	if !fi.Mode().IsRegular() {
		return "", errorf("Could not open configuration file %s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return "", errorf("Could not read configuration file %s: %s%w", path, errnoText(err), noText(err))
	}
	if len(data) > maxFileSize {
		return "", errorf("Configuration file %s is larger than %d bytes", path, maxFileSize)
	}
	return string(data), nil
}

// includeFiles lists the files an Include names, in the order Apache reads
// them.
func includeFiles(path string, optional bool) ([]string, error) {
	if !hasWildcard(path) {
		fi, err := os.Stat(path)
		if err != nil {
			if optional && errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, errorf("Could not open configuration file %s: %s%w", path, errnoText(err), noText(err))
		}
		if fi.IsDir() {
			return dirFiles(path, 0)
		}
		return []string{path}, nil
	}
	base := fixedPrefix(path)
	if fi, err := os.Stat(base); err != nil || !fi.IsDir() {
		if optional {
			return nil, nil
		}
		return nil, errorf("Include directory '%s' not found", base)
	}
	matches, err := glob(path)
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 && !optional {
		dir, pattern := filepath.Split(path)
		return nil, errorf("No matches for the wildcard '%s' in '%s', failing (use IncludeOptional if required)",
			pattern, filepath.Clean(dir))
	}
	var files []string
	for _, m := range matches {
		more, err := includeFiles(m, optional)
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
	}
	return files, nil
}

// dirFiles lists every file under dir, sorted by name, recursing into
// subdirectories as Apache does for "Include dir".
func dirFiles(dir string, depth int) ([]string, error) {
	if depth >= maxIncludeDepth {
		return nil, errorf("Directory %s exceeds the maximum include directory nesting level of %d. You have probably a recursion somewhere.", dir, maxIncludeDepth)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errorf("Could not open config directory %s: %s%w", dir, errnoText(err), noText(err))
	}
	var files []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			more, err := dirFiles(p, depth+1)
			if err != nil {
				return nil, err
			}
			files = append(files, more...)
			continue
		}
		files = append(files, p)
	}
	return files, nil
}

// hasWildcard is apr_fnmatch_test: does the path hold a pattern?
func hasWildcard(path string) bool {
	return strings.ContainsAny(path, "*?[")
}

// fixedPrefix is the directory before the first component with a wildcard.
func fixedPrefix(path string) string {
	i := strings.IndexAny(path, "*?[")
	return filepath.Dir(path[:i+1])
}

// glob expands a pattern component by component, sorted, and like
// APR_FNM_PERIOD a wildcard does not match a leading dot.
func glob(pattern string) ([]string, error) {
	dirs := []string{fixedPrefix(pattern)}
	rest := strings.TrimPrefix(pattern[len(dirs[0]):], "/")
	for _, comp := range strings.Split(rest, "/") {
		if comp == "" {
			continue
		}
		var next []string
		for _, d := range dirs {
			m, err := globDir(d, comp)
			if err != nil {
				return nil, err
			}
			next = append(next, m...)
		}
		dirs = next
	}
	return dirs, nil
}

// globDir returns the entries of dir that match one pattern component.
func globDir(dir, comp string) ([]string, error) {
	if !hasWildcard(comp) {
		p := filepath.Join(dir, comp)
		if _, err := os.Lstat(p); err != nil {
			return nil, nil
		}
		return []string{p}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil // not a directory: no match, as a shell would have it
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") && !strings.HasPrefix(comp, ".") {
			continue
		}
		ok, err := filepath.Match(comp, name)
		if err != nil {
			return nil, errorf("Invalid wildcard pattern %s: %w", comp, err)
		}
		if ok {
			out = append(out, filepath.Join(dir, name))
		}
	}
	return out, nil
}

// errnoText is the C library's text for a file error ("No such file or
// directory"), as Apache prints it, or Go's text when there is no errno.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// noText wraps err for %w without adding text: errorf keeps the cause for
// errors.Is while the message shows errnoText.
func noText(err error) error { return silent{err} }

type silent struct{ err error }

func (s silent) Error() string { return "" }
func (s silent) Unwrap() error { return s.err }
