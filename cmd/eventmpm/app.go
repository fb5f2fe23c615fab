package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"eventmpm/config"
	"eventmpm/internal/version"

	"github.com/urfave/cli/v2"
)

// Exit codes, as Apache's and systemctl's.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitNotRunning  = 3 // eventmpm status: like systemctl status
	exitChildFatal  = 0xf
	foregroundFlag  = "FOREGROUND"
	oneProcessFlag  = "ONE_PROCESS"
	dumpRunCfgFlag  = "DUMP_RUN_CFG"
	dumpVhostsFlag  = "DUMP_VHOSTS"
	dumpModulesFlag = "DUMP_MODULES"
	notRunningShort = "eventmpm not running"
)

// run builds the CLI and runs it; it returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 && args[1] == childVerb {
		return runChild(stderr)
	}
	app := newApp(stdout, stderr)
	err := app.Run(apacheArgs(args, app.Flags))
	if err == nil {
		return exitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, msg)
		}
		return ec.ExitCode()
	}
	fmt.Fprintln(stderr, "eventmpm:", err)
	return exitUsage
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:           "eventmpm",
		Usage:          "Apache httpd's event MPM, rebuilt in Go",
		UsageText:      "eventmpm [global options] VERB [verb options]\n   eventmpm -k start|stop|restart|graceful|graceful-stop\n   eventmpm -t | -S | -M | -v | -V\n   eventmpm -DFOREGROUND [global options]   (as httpd: options without a verb start the server)",
		HideVersion:    true,
		Writer:         stdout,
		ErrWriter:      stderr,
		Flags:          globalFlags(),
		Commands:       refuseArguments(verbs()),
		Action:         apacheStyle,
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return cli.Exit("eventmpm: "+err.Error(), exitUsage)
		},
	}
	return app
}

// refuseArguments makes every verb but help refuse words after it: "stop
// now" or "stop graceful" is a mistake to report, not to act on as "stop".
func refuseArguments(cmds []*cli.Command) []*cli.Command {
	for _, cmd := range cmds {
		if cmd.Name == "help" || cmd.Action == nil {
			continue
		}
		action, name := cmd.Action, cmd.Name
		cmd.Action = func(c *cli.Context) error {
			if c.Args().Present() {
				return cli.Exit(fmt.Sprintf("eventmpm %s: unexpected argument %q (options go before the verb or as its flags; see eventmpm %s --help)", name, c.Args().First(), name), exitUsage)
			}
			return action(c)
		}
	}
	return cmds
}

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Aliases: []string{"f"}, Usage: "configuration `FILE`, relative to ServerRoot (default conf/eventmpm.conf, else the built-in default)"},
		&cli.StringFlag{Name: "server-root", Aliases: []string{"d"}, Usage: "initial ServerRoot `DIR` (default: the current directory)"},
		&cli.StringSliceFlag{Name: "D", Usage: "define `NAME` for <IfDefine> (repeatable); FOREGROUND, ONE_PROCESS, DUMP_RUN_CFG are special"},
		&cli.StringSliceFlag{Name: "C", Usage: "process `DIRECTIVE` before reading the config file"},
		&cli.StringSliceFlag{Name: "c", Usage: "process `DIRECTIVE` after reading the config file"},
		&cli.StringFlag{Name: "k", Usage: "Apache style: run `VERB` (start, stop, restart, graceful, graceful-stop)"},
		&cli.BoolFlag{Name: "t", Usage: "Apache style: configtest"},
		&cli.BoolFlag{Name: "S", Usage: "Apache style: configtest and dump the effective run configuration"},
		&cli.BoolFlag{Name: "M", Usage: "Apache style: list the loaded modules (also -t -D DUMP_MODULES)"},
		&cli.BoolFlag{Name: "T", Usage: "skip the DocumentRoot check"},
		&cli.BoolFlag{Name: "v", Usage: "show the version"},
		&cli.BoolFlag{Name: "V", Usage: "show the version and build settings"},
		&cli.BoolFlag{Name: "X", Usage: "Apache style: start a single child in the foreground (debugging)"},
	}
}

// apacheStyle runs when no verb is given: it maps httpd's flags. A word
// that is no verb is a usage error, as httpd's extra arguments are: with
// options before it, a mistyped verb ("-d /srv stpo") would otherwise
// start the server.
func apacheStyle(c *cli.Context) error {
	if c.Args().Present() {
		return cli.Exit(fmt.Sprintf("eventmpm: unknown verb %q (start, stop, restart, graceful, graceful-stop, upgrade, configtest, status, version; see --help)", c.Args().First()), exitUsage)
	}
	switch {
	case c.Bool("v"):
		return showVersion(c, false)
	case c.Bool("V"):
		return showVersion(c, true)
	case c.Bool("M") || c.Bool("t") && hasDefine(c, dumpModulesFlag):
		return dumpModules(c)
	case c.Bool("t") || c.Bool("S"):
		return configtest(c, c.Bool("S") || hasDefine(c, dumpRunCfgFlag) || hasDefine(c, dumpVhostsFlag))
	case c.Bool("X"):
		return startOneProcess(c)
	case c.String("k") != "":
		return runVerb(c, c.String("k"))
	case c.NumFlags() > 0:
		// httpd with options but no -k starts the server: `httpd
		// -DFOREGROUND` is how containers run Apache, `httpd -f FILE`
		// how init scripts long did.
		return runVerb(c, "start")
	}
	cli.ShowAppHelp(c)
	return cli.Exit("", exitUsage)
}

// apacheArgs splits httpd's attached option values ahead of the verb:
// -DFOREGROUND becomes -D FOREGROUND, -fFILE -f FILE, and so on for the
// global options that take a value and are one letter long (httpd's getopt
// takes both forms; the CLI parser only the separate one). An argument that
// names a flag as it stands (-config, --server-root=DIR) is left alone, and
// so is everything from the verb or "--" on.
func apacheArgs(args []string, flags []cli.Flag) []string {
	takesValue := map[string]bool{} // every flag name and alias
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	out := make([]string, 0, len(args)+1)
	if len(args) > 0 {
		out = append(out, args[0])
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			return append(out, args[i:]...) // the verb and what follows it
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		valued, known := takesValue[name]
		switch {
		case known:
			out = append(out, a)
			if valued && !hasValue && i+1 < len(args) {
				i++
				out = append(out, args[i]) // its value, which may start with "-"
			}
		case a[1] != '-' && len(a) > 2 && takesValue[a[1:2]]:
			out = append(out, a[:2], a[2:])
		default:
			out = append(out, a)
		}
	}
	return out
}

// loadOptions turns the global flags into config.Options.
func loadOptions(c *cli.Context) config.Options {
	return config.Options{
		ServerRoot:            c.String("server-root"),
		File:                  c.String("config"),
		Defines:               c.StringSlice("D"),
		Before:                c.StringSlice("C"),
		After:                 c.StringSlice("c"),
		SkipDocumentRootCheck: c.Bool("T"),
	}
}

// loadConfig reads the configuration and prints its warnings to stderr.
func loadConfig(c *cli.Context) (*config.Config, error) {
	cfg, err := config.Load(loadOptions(c))
	for _, w := range config.LoadWarnings(cfg, err) { // before the error, as Apache
		fmt.Fprintln(c.App.ErrWriter, w.Located())
	}
	if err != nil {
		return nil, cli.Exit(err.Error(), exitFailure)
	}
	return cfg, nil
}

func hasDefine(c *cli.Context, name string) bool {
	for _, d := range c.StringSlice("D") {
		if d == name {
			return true
		}
	}
	return false
}

// configtest is `eventmpm configtest` (httpd -t; -S adds the dump).
func configtest(c *cli.Context, dump bool) error {
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	if dump {
		cfg.DumpRunConfig(c.App.Writer)
	}
	fmt.Fprintln(c.App.ErrWriter, "Syntax OK")
	return nil
}

// dumpModules is httpd -M (and -t -D DUMP_MODULES): the modules the
// configuration has, in Apache's format, on standard output; scripts and
// tools grep it (apachectl -M | grep ssl_module).
func dumpModules(c *cli.Context) error {
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintln(w, "Loaded Modules:")
	for _, m := range config.LoadedModules(cfg) {
		kind := "static"
		if m.Shared {
			kind = "shared"
		}
		fmt.Fprintf(w, " %s (%s)\n", m.Name, kind)
	}
	return nil
}

// showVersion is -v and -V.
func showVersion(c *cli.Context, verbose bool) error {
	w := c.App.Writer
	fmt.Fprintf(w, "Server version: %s\n", version.Description)
	fmt.Fprintf(w, "Server built:   %s\n", version.Built())
	if verbose {
		fmt.Fprintf(w, "Server's Module Magic Number: none (Go)\n")
		fmt.Fprintf(w, "Server loaded:  Go runtime, epoll/kqueue event loop\n")
		fmt.Fprintf(w, "Architecture:   %s-bit (%s/%s)\n", strconv.Itoa(32<<(^uint(0)>>63)), runtime.GOOS, runtime.GOARCH)
		fmt.Fprintf(w, "Server MPM:     event\n  threaded:     yes (fixed thread count)\n    forked:     yes (variable process count)\n")
		fmt.Fprintf(w, "Server compiled with....\n -D DEFAULT_PIDLOG=\"logs/eventmpm.pid\"\n -D DEFAULT_SCOREBOARD=\"logs/eventmpm.scoreboard\"\n -D DEFAULT_ERRORLOG=\"logs/error_log\"\n -D SERVER_CONFIG_FILE=\"conf/eventmpm.conf\"\n")
	}
	return nil
}
