package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"eventmpm/config"
	"eventmpm/supervisor"

	"github.com/urfave/cli/v2"
)

// upgradeWait bounds how long `eventmpm upgrade` waits for the outcome:
// longer than the supervisor waits for the new binary to be ready, plus
// the time it takes to stop a new binary that was late.
const upgradeWait = supervisor.UpgradeTimeout + 20*time.Second

// upgrade is `eventmpm upgrade`: it signals the supervisor (SIGUSR2) and
// waits for the outcome the supervisor writes beside the PidFile. On
// success it prints the new supervisor's pid (the old one drains its
// connections and exits by itself); on failure it prints why, the old
// supervisor still serving, and exits 1.
func upgrade(c *cli.Context, cfg *config.Config, pid int) error {
	report := supervisor.UpgradeReportPath(cfg.PidFile)
	if err := os.Remove(report); err != nil && !errors.Is(err, os.ErrNotExist) {
		return cli.Exit(fmt.Sprintf("eventmpm: cannot remove the previous upgrade report: %v", err), exitFailure)
	}
	if err := syscall.Kill(pid, verbSignals["upgrade"]); err != nil {
		return cli.Exit(fmt.Sprintf("eventmpm: cannot signal pid %d: %v", pid, err), exitFailure)
	}
	r, err := waitUpgradeReport(report, pid, upgradeWait)
	switch {
	case err != nil:
		return cli.Exit("eventmpm: upgrade: "+err.Error(), exitFailure)
	case r.Err != "":
		return cli.Exit(fmt.Sprintf("eventmpm: upgrade failed, pid %d keeps serving: %s", pid, r.Err), exitFailure)
	}
	fmt.Fprintf(c.App.Writer, "eventmpm upgraded: pid %d serves (ready in %s); pid %d finishes its connections and exits\n",
		r.NewPID, r.Took, pid)
	return nil
}

// waitUpgradeReport polls for the supervisor's report until limit, or
// until the supervisor is gone without one.
func waitUpgradeReport(path string, pid int, limit time.Duration) (supervisor.UpgradeReport, error) {
	deadline := time.Now().Add(limit)
	for {
		r, err := supervisor.ReadUpgradeReport(path)
		if err == nil {
			os.Remove(path)
			return r, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return r, err
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			if r, err := supervisor.ReadUpgradeReport(path); err == nil { // written just before it exited
				os.Remove(path)
				return r, nil
			}
			return r, fmt.Errorf("supervisor pid %d exited without reporting the outcome; see the error log", pid)
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("no outcome from supervisor pid %d after %s; see the error log", pid, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
