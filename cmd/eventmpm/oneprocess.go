package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"eventmpm/child"
	"eventmpm/config"
	"eventmpm/ipc"
	"eventmpm/shm"
	"eventmpm/supervisor"

	"github.com/urfave/cli/v2"
)

// startOneProcess is `start -X` (httpd -X, -D ONE_PROCESS): one child in
// the foreground, binding the listeners itself, without a supervisor. TERM
// and INT stop it at once and WINCH stops it gracefully; HUP and USR1 are
// not caught, as in Apache's debug mode.
func startOneProcess(c *cli.Context) error {
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	log := child.NewErrorLogger(cfg, nil, c.App.ErrWriter)
	lns, err := supervisor.BindListeners(cfg)
	if err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	defer supervisor.CloseListeners(lns)
	sb, err := openScoreboard(cfg)
	if err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	defer sb.Close()
	proc := sb.Process(0)
	proc.Claim(os.Getpid(), 0)
	defer proc.Release()

	cmds := make(chan ipc.Command, 4)
	sigC := make(chan os.Signal, 4)
	signal.Notify(sigC, syscall.SIGTERM, syscall.SIGINT, syscall.SIGWINCH)
	defer signal.Stop(sigC)
	go forwardSignals(sigC, cmds)

	params := child.Params{
		Config: cfg, Slot: 0, Generation: 0, Scoreboard: sb, Commands: cmds, Log: log,
		Listeners: make([]ipc.Listener, len(lns)),
	}
	for i, l := range lns {
		params.Listeners[i] = ipc.Listener{Fd: int(l.File.Fd()), Addr: l.Addr, Proto: l.Proto}
	}
	params.Ready = func() {
		log.Info(fmt.Sprintf("%s (single process) configured -- resuming normal operations", "eventmpm"), "module", "mpm_event", "ah", "AH00489")
	}
	if err := child.Run(params); err != nil {
		return cli.Exit(err.Error(), exitFailure)
	}
	return nil
}

// forwardSignals maps the debug mode's signals to child commands.
func forwardSignals(sigC <-chan os.Signal, cmds chan<- ipc.Command) {
	for s := range sigC {
		if s == syscall.SIGWINCH {
			cmds <- ipc.CommandGraceful
		} else {
			cmds <- ipc.CommandStop
		}
	}
}

// openScoreboard creates the scoreboard file for a configuration and fills
// in its header.
func openScoreboard(cfg *config.Config) (*shm.Scoreboard, error) {
	sb, err := shm.Create(cfg.ScoreBoardFile, shm.Layout{ServerLimit: cfg.MPM.ServerLimit, ThreadLimit: cfg.MPM.ThreadLimit})
	if err != nil {
		return nil, err
	}
	sb.SetServerInfo(shm.ServerInfo{
		ServerName: cfg.Server.ServerName, ThreadsPerChild: cfg.MPM.ThreadsPerChild,
		ActiveDaemonsLimit: cfg.MPM.ActiveDaemonsLimit, MaxRequestWorkers: cfg.MPM.MaxRequestWorkers,
		ExtendedStatus: cfg.ExtendedStatus,
	})
	return sb, nil
}
