package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/config"
	"eventmpm/internal/itest"
)

// The tests in this file check the files in contrib/ against the code:
// the systemd unit's verbs and signals are ours, its stop bound is above
// the example configuration's GracefulShutdownTimeout, the configurations
// load, and the container configuration serves with the real binary.

func TestMain(m *testing.M) { os.Exit(itest.Main(m)) }

const contribDir = "../../contrib"

// unitFile reads a systemd unit (or a Dockerfile, section "") into
// section -> key -> values, in order.
func unitFile(t *testing.T, name string) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(contribDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string][]string{"": {}}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: line %q is not key=value", name, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

// one returns the single value of key, failing the test otherwise.
func one(t *testing.T, kv map[string][]string, key string) string {
	t.Helper()
	if len(kv[key]) != 1 {
		t.Fatalf("%s: got %q, want one value", key, kv[key])
	}
	return kv[key][0]
}

// contribConfig loads a contrib configuration with its absolute paths
// moved under dir and its Listen on addr.
func contribConfig(t *testing.T, name, dir, addr string) (string, *config.Config) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(contribDir, name))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, r := range []struct{ from, to string }{
		{"/etc/eventmpm", "etc"}, {"/run/eventmpm", "run"}, {"/var/log/eventmpm", "log"},
		{"/var/www/html", "www"}, {"/srv/www", "www"},
		{"Listen 80\n", "Listen " + addr + "\n"}, {"Listen 0.0.0.0:8080\n", "Listen " + addr + "\n"},
	} {
		if !strings.Contains(text, r.from) {
			continue
		}
		to := r.to
		if !strings.HasPrefix(to, "Listen") {
			to = filepath.Join(dir, to)
			if err := os.MkdirAll(to, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		text = strings.ReplaceAll(text, r.from, to)
	}
	if !strings.Contains(text, "Listen "+addr+"\n") || !strings.Contains(text, "ServerRoot "+filepath.Join(dir, "etc")) {
		t.Fatalf("%s: the test moves ServerRoot /etc/eventmpm and Listen 80 or 0.0.0.0:8080; it found neither", name)
	}
	path := filepath.Join(dir, "etc", "eventmpm.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{File: path})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return path, cfg
}

// unitSignal maps a unit file's signal name to the signal.
var unitSignal = map[string]syscall.Signal{
	"SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT, "SIGHUP": syscall.SIGHUP,
	"SIGUSR1": syscall.SIGUSR1, "SIGWINCH": syscall.SIGWINCH,
}

// TestServiceUnit checks contrib/eventmpm.service against the CLI and the
// example configuration contrib/eventmpm.conf.
func TestServiceUnit(t *testing.T) {
	svc := unitFile(t, "eventmpm.service")["Service"]
	if got := one(t, svc, "Type"); got != "notify" {
		t.Errorf("Type: got %q, want notify", got)
	}
	if _, ok := svc["PIDFile"]; ok {
		t.Errorf("PIDFile: set, want none with Type=notify")
	}
	start := strings.Fields(one(t, svc, "ExecStart"))
	if got := strings.Join(start[1:], " "); got != "-f /etc/eventmpm/eventmpm.conf start --foreground" {
		t.Errorf("ExecStart: got %q, want the foreground start of /etc/eventmpm/eventmpm.conf", got)
	}
	reload := strings.Fields(one(t, svc, "ExecReload"))
	verb := reload[len(reload)-1]
	if !isVerb(verb) || verbSignals[verb] != syscall.SIGUSR1 {
		t.Errorf("ExecReload: got verb %q, want the graceful restart verb (SIGUSR1)", verb)
	}
	if got := unitSignal[one(t, svc, "KillSignal")]; got == 0 || got != verbSignals["graceful-stop"] {
		t.Errorf("KillSignal: got %q, want the graceful-stop signal %v", one(t, svc, "KillSignal"), verbSignals["graceful-stop"])
	}
	if got := one(t, svc, "KillMode"); got != "mixed" {
		t.Errorf("KillMode: got %q, want mixed (KillSignal to the supervisor only)", got)
	}
	_, cfg := contribConfig(t, "eventmpm.conf", t.TempDir(), fmt.Sprintf("127.0.0.1:%d", itest.FreePort(t)))
	stop, err := strconv.Atoi(one(t, svc, "TimeoutStopSec"))
	if err != nil {
		t.Fatalf("TimeoutStopSec: %v", err)
	}
	grace := cfg.MPM.GracefulShutdownTimeout
	if grace <= 0 || time.Duration(stop)*time.Second <= grace {
		t.Errorf("TimeoutStopSec %ds: want it above GracefulShutdownTimeout (%v) of contrib/eventmpm.conf, which must be set", stop, grace)
	}
}

// isVerb reports whether the CLI has the verb.
func isVerb(name string) bool {
	for _, c := range verbs() {
		if c.Name == name {
			return true
		}
	}
	return false
}

// TestServiceUnitVerify runs systemd-analyze verify on the unit, with the
// binary path pointed at a real build (verify checks it is executable).
func TestServiceUnitVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd)")
	}
	b, err := os.ReadFile(filepath.Join(contribDir, "eventmpm.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "eventmpm.service")
	if err := os.WriteFile(unit, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/eventmpm", itest.Binary(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	if err != nil || strings.Contains(string(out), "eventmpm.service") {
		t.Errorf("systemd-analyze verify: got %v\n%s", err, out)
	}
}

// TestContainerConfig starts the real binary on contrib's container
// configuration (paths moved to a temporary directory, Listen on a
// 127.0.0.1 port): configtest passes, a request's access line comes on
// standard output, the error log on standard error, and SIGWINCH (the
// Dockerfile's STOPSIGNAL) stops it with exit 0.
func TestContainerConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", itest.FreePort(t))
	path, cfg := contribConfig(t, "eventmpm-container.conf", dir, addr)
	if cfg.ErrorLog != "/dev/stderr" || len(cfg.Server.CustomLogs) != 1 || cfg.Server.CustomLogs[0].Target != "/dev/stdout" {
		t.Fatalf("container logs: got ErrorLog %q, CustomLog %+v; want /dev/stderr and /dev/stdout", cfg.ErrorLog, cfg.Server.CustomLogs)
	}
	if out, err := exec.Command(itest.Binary(t), "-f", path, "configtest").CombinedOutput(); err != nil || !strings.Contains(string(out), "Syntax OK") {
		t.Fatalf("configtest: got %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "index.html"), []byte("container\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := itest.Run(t, &itest.Root{Dir: filepath.Join(dir, "etc")}, "-f", path, "start", "--foreground")
	p.WaitListening(t, addr, 30*time.Second)
	resp, err := http.Get("http://" + addr + "/index.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	itest.Eventually(t, 10*time.Second, "the access line on standard output", func() bool {
		return strings.Contains(p.Stdout.String(), `"GET /index.html HTTP/1.1" 200 10 "-" "Go-http-client/1.1"`)
	})
	if err := p.Signal(syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	if err, ok := p.Wait(t, 30*time.Second); !ok || err != nil {
		t.Fatalf("after SIGWINCH: got exited %v, %v; want exit 0\n%s", ok, err, p.Stderr.String())
	}
	if !strings.Contains(p.Stderr.String(), "AH00492: caught SIGWINCH, shutting down gracefully") {
		t.Errorf("standard error: no AH00492 in\n%s", p.Stderr.String())
	}
}

// TestDockerfile checks contrib/Dockerfile against the container
// configuration and the signal table.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(contribDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	ins := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && !strings.HasPrefix(f[0], "#") {
			ins[f[0]] = append(ins[f[0]], strings.Join(f[1:], " "))
		}
	}
	checks := []struct{ what, got, want string }{
		{"STOPSIGNAL", strings.Join(ins["STOPSIGNAL"], ","), "SIGWINCH"},
		{"EXPOSE", strings.Join(ins["EXPOSE"], ","), "8080"},
		{"USER", strings.Join(ins["USER"], ","), "eventmpm:eventmpm"},
		{"COPY of the container config", fmt.Sprint(contains(ins["COPY"], "contrib/eventmpm-container.conf /etc/eventmpm/eventmpm.conf")), "true"},
		{"ENTRYPOINT", strings.Join(ins["ENTRYPOINT"], ","), `["/usr/local/bin/eventmpm", "-f", "/etc/eventmpm/eventmpm.conf"]`},
		{"CMD", strings.Join(ins["CMD"], ","), `["start", "--foreground"]`},
		{"build", fmt.Sprint(contains(ins["RUN"], "CGO_ENABLED=0 go build")), "true"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Dockerfile %s: got %q, want %q", c.what, c.got, c.want)
		}
	}
	if unitSignal[ins["STOPSIGNAL"][0]] != verbSignals["graceful-stop"] {
		t.Errorf("STOPSIGNAL %s is not the graceful-stop signal", ins["STOPSIGNAL"][0])
	}
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
