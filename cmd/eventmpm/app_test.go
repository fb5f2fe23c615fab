package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// writeRoot makes a ServerRoot with conf/eventmpm.conf holding conf, a
// logs/ directory and an htdocs/ docroot, and returns its path.
func writeRoot(t *testing.T, conf string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"conf", "logs", "htdocs"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "conf", "eventmpm.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

const minimalConf = `Listen 127.0.0.1:18080
PidFile logs/eventmpm.pid
ErrorLog logs/error_log
DocumentRoot htdocs
`

// deadPid returns the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestRun drives the CLI in process, as a shell would, and checks the exit
// code and what it prints: the Apache flags, configtest on good and broken
// files, and the verbs' answers when no server runs or the PidFile is bad.
func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		conf     string
		pidFile  func(t *testing.T, path string) // prepares logs/eventmpm.pid
		args     []string
		code     int
		stdout   string // substring expected on stdout
		stderr   string // substring expected on stderr
		noStdout bool
	}{
		{name: "version", args: []string{"-v"}, code: exitOK, stdout: "Server version: eventmpm/"},
		{name: "version verbose", args: []string{"-V"}, code: exitOK, stdout: "Server MPM:     event"},
		{name: "version verb", args: []string{"version"}, code: exitOK, stdout: "Server version: eventmpm/"},
		{name: "no verb is a usage error", args: nil, code: exitUsage, stdout: "USAGE"},
		{name: "unknown flag", args: []string{"--no-such-flag"}, code: exitUsage, stderr: "no-such-flag"},
		{name: "-t good", conf: minimalConf, args: []string{"-t"}, code: exitOK, stderr: "Syntax OK"},
		{name: "configtest verb", conf: minimalConf, args: []string{"configtest"}, code: exitOK, stderr: "Syntax OK"},
		{name: "-S dumps", conf: minimalConf, args: []string{"-S"}, code: exitOK, stdout: "Main ErrorLog:", stderr: "Syntax OK"},
		{name: "-M lists the modules, as httpd -M", conf: minimalConf + "LoadModule unique_id_module modules/mod_unique_id.so\n", args: []string{"-M"}, code: exitOK,
			stdout: "Loaded Modules:\n core_module (static)\n so_module (static)\n http_module (static)\n"},
		{name: "-M names LoadModule's modules shared", conf: minimalConf + "LoadModule unique_id_module modules/mod_unique_id.so\n", args: []string{"-M"}, code: exitOK,
			stdout: " unique_id_module (shared)\n"},
		{name: "-t -D DUMP_MODULES is -M", conf: minimalConf, args: []string{"-t", "-D", "DUMP_MODULES"}, code: exitOK, stdout: " mime_module (static)\n"},
		{name: "-M with a broken config fails", conf: minimalConf + "ThreadsPerChild lots\n", args: []string{"-M"}, code: exitFailure,
			stderr: "Syntax error on line 5 of ", noStdout: true},
		{name: "-c appends a directive", conf: minimalConf, args: []string{"-c", "NoSuchDirective x", "-t"}, code: exitFailure,
			stderr: "NoSuchDirective", noStdout: true},
		{name: "-t broken names file and line", conf: minimalConf + "ThreadsPerChild lots\n", args: []string{"-t"}, code: exitFailure,
			stderr: "Syntax error on line 5 of "},
		{name: "a warning names file and line", conf: minimalConf + "ThreadStackSize 65536\n", args: []string{"-t"}, code: exitOK,
			stderr: "conf/eventmpm.conf:5: ThreadStackSize has no effect"},
		{name: "warnings before an error are printed, as Apache prints them", conf: minimalConf + "ThreadStackSize 65536\nThreadsPerChild lots\n",
			args: []string{"-t"}, code: exitFailure, stderr: "conf/eventmpm.conf:5: ThreadStackSize has no effect"},
		{name: "attached -D value, as httpd takes it", conf: minimalConf, args: []string{"-t", "-DDUMP_RUN_CFG"}, code: exitOK,
			stdout: "Main ErrorLog:", stderr: "Syntax OK"},
		{name: "attached -c value", conf: minimalConf, args: []string{"-cNoSuchDirective x", "-t"}, code: exitFailure,
			stderr: "NoSuchDirective", noStdout: true},
		{name: "options without a verb start the server, as httpd", conf: minimalConf + "ThreadsPerChild lots\n",
			args: []string{"-DFOREGROUND"}, code: exitFailure, stderr: "Syntax error on line 5 of "},
		{name: "-k unknown verb", conf: minimalConf, args: []string{"-k", "reload"}, code: exitUsage, stderr: `unknown verb "reload"`},
		{name: "a mistyped verb after options starts nothing", conf: minimalConf, args: []string{"stpo"}, code: exitUsage,
			stderr: `unknown verb "stpo"`, noStdout: true},
		{name: "a mistyped verb after -D starts nothing", conf: minimalConf, args: []string{"-D", "FOREGROUND", "strat"}, code: exitUsage,
			stderr: `unknown verb "strat"`, noStdout: true},
		{name: "a word after the verb is refused", conf: minimalConf, args: []string{"stop", "now"}, code: exitUsage,
			stderr: `eventmpm stop: unexpected argument "now"`, noStdout: true},
		{name: "a word after -k VERB is refused", conf: minimalConf, args: []string{"-k", "graceful", "now"}, code: exitUsage,
			stderr: `unknown verb "now"`, noStdout: true},
		{name: "stop without pid file", conf: minimalConf, args: []string{"stop"}, code: exitOK,
			stdout: "eventmpm (no pid file) not running"},
		{name: "-k graceful-stop without pid file", conf: minimalConf, args: []string{"-k", "graceful-stop"}, code: exitOK,
			stdout: "eventmpm (no pid file) not running"},
		{name: "stop with a stale pid", conf: minimalConf, args: []string{"stop"}, code: exitOK,
			pidFile: func(t *testing.T, path string) {
				pid := deadPid(t)
				if err := os.WriteFile(path, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			stdout: "?) not running"},
		{name: "a pid file naming another live program is stale", conf: minimalConf, args: []string{"stop"}, code: exitOK,
			pidFile: func(t *testing.T, path string) {
				// A live process of another program: a reused pid, which
				// stop must leave alone.
				if err := os.WriteFile(path, []byte(strconv.Itoa(strangerPid(t))+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			stdout: "?) not running (pid ", stderr: ""},
		{name: "corrupt pid file", conf: minimalConf, args: []string{"graceful"}, code: exitFailure,
			pidFile: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("not a pid\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			stderr: "AH00058: Error retrieving pid file"},
		{name: "pid file symlink is not followed", conf: minimalConf, args: []string{"stop"}, code: exitFailure,
			pidFile: func(t *testing.T, path string) {
				target := filepath.Join(filepath.Dir(path), "elsewhere")
				if err := os.WriteFile(target, []byte(strconv.Itoa(os.Getppid())), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, path); err != nil {
					t.Fatal(err)
				}
			},
			stderr: "symbolic link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"eventmpm"}
			if tt.conf != "" {
				root := writeRoot(t, tt.conf)
				if tt.pidFile != nil {
					tt.pidFile(t, filepath.Join(root, "logs", "eventmpm.pid"))
				}
				args = append(args, "-d", root, "-f", "conf/eventmpm.conf")
			}
			args = append(args, tt.args...)
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			report := fmt.Sprintf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args[1:], code, stdout.String(), stderr.String())
			if code != tt.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tt.code, report)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q\n%s", tt.stdout, report)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q\n%s", tt.stderr, report)
			}
			if tt.noStdout && stdout.Len() != 0 {
				t.Errorf("stdout not empty\n%s", report)
			}
		})
	}
}

// TestVerbSignals pins the verb↔signal table to SPEC.md 4.1: the signals are
// Apache's, so scripts that kill -USR1 keep working.
func TestVerbSignals(t *testing.T) {
	want := map[string]string{"stop": "terminated", "restart": "hangup", "graceful": "user defined signal 1", "graceful-stop": "window changed", "upgrade": "user defined signal 2"}
	for verb, name := range want {
		sig, ok := verbSignals[verb]
		if !ok {
			t.Errorf("verb %q has no signal", verb)
			continue
		}
		if sig.String() != name {
			t.Errorf("verb %q sends %q, want %q", verb, sig.String(), name)
		}
	}
	for verb := range verbSignals {
		if _, ok := want[verb]; !ok {
			t.Errorf("verb %q is in the table but not pinned by this test", verb)
		}
	}
}

// TestApacheArgs pins the splitting of httpd's attached option values.
func TestApacheArgs(t *testing.T) {
	flags := newApp(io.Discard, io.Discard).Flags
	tests := []struct {
		in, want []string
	}{
		{[]string{"-DFOREGROUND"}, []string{"-D", "FOREGROUND"}},
		{[]string{"-f/etc/eventmpm.conf", "-d/srv", "-kstart"}, []string{"-f", "/etc/eventmpm.conf", "-d", "/srv", "-k", "start"}},
		{[]string{"-C", "-DX", "-t"}, []string{"-C", "-DX", "-t"}}, // a separate value is left as it is
		{[]string{"-config", "x.conf", "-server-root=/srv"}, []string{"-config", "x.conf", "-server-root=/srv"}},
		{[]string{"--config=x.conf", "-D", "A", "-DB"}, []string{"--config=x.conf", "-D", "A", "-D", "B"}},
		{[]string{"-tS", "-X"}, []string{"-tS", "-X"}}, // not value flags: the parser reports -tS
		{[]string{"-d", "/srv", "start", "-DFOREGROUND"}, []string{"-d", "/srv", "start", "-DFOREGROUND"}},
		{[]string{"--", "-DX"}, []string{"--", "-DX"}},
	}
	for _, tt := range tests {
		got := apacheArgs(append([]string{"eventmpm"}, tt.in...), flags)[1:]
		if !slices.Equal(got, tt.want) {
			t.Errorf("apacheArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// strangerPid starts a sleep(1) that lives until the test ends and
// returns its pid: a live process that is not eventmpm.
func strangerPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signal() != syscall.SIGKILL {
			t.Errorf("the stranger (pid %d) was ended by %v, not by the test's SIGKILL", cmd.Process.Pid, ws.Signal())
		}
	})
	return cmd.Process.Pid
}
