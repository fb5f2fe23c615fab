package main

import (
	"errors"
	"os"
	"time"

	"eventmpm/shm"
	"eventmpm/status"

	"github.com/urfave/cli/v2"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "print the server's status from the scoreboard (works with every worker busy and no status page)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "scoreboard", Usage: "read the scoreboard `FILE` instead of the configuration's ScoreBoardFile"},
			&cli.BoolFlag{Name: "auto", Usage: "mod_status ?auto text (what Prometheus apache_exporter reads)"},
			&cli.BoolFlag{Name: "json", Usage: "JSON"},
			&cli.BoolFlag{Name: "html", Usage: "the mod_status HTML page"},
			&cli.BoolFlag{Name: "full", Usage: "add the per-worker table"},
		},
		Action: showStatus,
	}
}

// showStatus reads the scoreboard file directly: it never asks a worker,
// so it answers while every worker is busy. No running server exits 3.
func showStatus(c *cli.Context) error {
	path := c.String("scoreboard")
	if path == "" {
		cfg, err := loadConfig(c)
		if err != nil {
			return err
		}
		path = cfg.ScoreBoardFile
	}
	sb, err := shm.OpenReadOnly(path)
	if errors.Is(err, os.ErrNotExist) {
		return cli.Exit(notRunningShort, exitNotRunning)
	}
	if errors.Is(err, os.ErrPermission) {
		return cli.Exit("eventmpm status: "+err.Error()+" (the scoreboard is readable by its owner and group only: "+
			"it holds request lines and client addresses; run status as either, or read /server-status)", exitFailure)
	}
	if err != nil {
		return cli.Exit("eventmpm status: "+err.Error(), exitFailure)
	}
	defer sb.Close()
	if !sb.Running() {
		return cli.Exit(notRunningShort, exitNotRunning)
	}
	var snap shm.Snapshot
	sb.Snapshot(&snap)
	info := status.NewInfo(&snap, time.Now())
	info.Full = c.Bool("full")
	var out []byte
	switch {
	case c.Bool("auto"):
		out = status.AppendAuto(nil, &snap, &info)
	case c.Bool("json"):
		out = status.AppendJSON(nil, &snap, &info)
	case c.Bool("html"):
		out = status.AppendHTML(nil, &snap, &info)
	default:
		out = status.AppendText(nil, &snap, &info)
	}
	_, err = c.App.Writer.Write(out)
	return err
}
