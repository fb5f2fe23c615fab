package supervisor

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// writePidFile writes the parent's pid to path atomically: a temporary file
// in the same directory, then a rename (SPEC.md 4.6). At first start an
// existing file is reported as Apache does (AH00098).
func writePidFile(path string, log *slog.Logger, first bool) error {
	if first {
		if _, err := os.Lstat(path); err == nil {
			log.Warn(fmt.Sprintf("pid file %s overwritten -- Unclean shutdown of previous eventmpm run?", path),
				"module", "core", "ah", "AH00098")
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".")
	if err != nil {
		return fmt.Errorf("could not create pid file %s: %w", path, err)
	}
	_, werr := tmp.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("could not write pid file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("could not write pid file %s: %w", path, err)
	}
	return nil
}

// removePidFile removes the pid file if it still names this process. A
// symbolic link put in its place is left alone: it is not ours.
func removePidFile(path string, log *slog.Logger) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return
	}
	b, err := io.ReadAll(io.LimitReader(f, 64))
	f.Close()
	if err != nil || string(b) != strconv.Itoa(os.Getpid())+"\n" {
		return
	}
	if err := os.Remove(path); err != nil {
		log.Warn("cannot remove pid file", "module", "core", "file", path, "err", err)
	}
}
