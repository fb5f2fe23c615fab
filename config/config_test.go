package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestDefaultConfIdentical keeps the embedded default configuration a
// byte-for-byte copy of the bundled one.
func TestDefaultConfIdentical(t *testing.T) {
	bundled, err := os.ReadFile("../testdata/conf/eventmpm.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(defaultConf), bundled) {
		t.Errorf("config/default.conf differs from testdata/conf/eventmpm.conf: got %d bytes, want %d; copy it over",
			len(defaultConf), len(bundled))
	}
}

// loadFile loads conf, written as conf/eventmpm.conf under a new ServerRoot
// that also has htdocs/.
func loadFile(t *testing.T, conf string) (*Config, error) {
	t.Helper()
	root := t.TempDir()
	writeTestFile(t, root, "conf/eventmpm.conf", conf)
	writeTestFile(t, root, "htdocs/", "")
	return Load(Options{
		ServerRoot: root,
		LookupEnv:  func(string) (string, bool) { return "", false },
		Hostname:   func() (string, error) { return "test.example", nil },
		LookupHost: fakeHosts,
	})
}

// fakeHosts resolves the host names of the tests' <VirtualHost> headers.
func fakeHosts(host string) ([]string, error) {
	switch host {
	case "local.test":
		return []string{"127.0.0.1", "::1"}, nil
	case "ten.test":
		return []string{"10.0.0.1"}, nil
	}
	return nil, fmt.Errorf("no such host %s", host)
}

// TestVirtualHostByName: a <VirtualHost> address given as a host name is
// resolved once, as Apache does at startup, and matches connections on
// those IPs; a name that does not resolve is ignored with AH00547.
func TestVirtualHostByName(t *testing.T) {
	cfg, err := loadFile(t, `Listen 8080
ServerName main.example
<VirtualHost *:8080>
    ServerName wild.example
</VirtualHost>
<VirtualHost local.test:8080 ten.test>
    ServerName named.example
</VirtualHost>
<VirtualHost nosuch.test:8080>
    ServerName lost.example
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.VirtualHosts[1].Addrs, []string{"127.0.0.1:8080", "[::1]:8080", "10.0.0.1:*"}; !slices.Equal(got, want) {
		t.Errorf("named vhost addresses: got %q, want %q", got, want)
	}
	if len(cfg.VirtualHosts[2].Addrs) != 0 {
		t.Errorf("unresolvable vhost addresses: got %q, want none", cfg.VirtualHosts[2].Addrs)
	}
	var warned bool
	for _, w := range cfg.Warnings {
		warned = warned || (w.Code == "AH00547" && strings.Contains(w.Text, "nosuch.test") && w.Pos.Line == 9)
	}
	if !warned {
		t.Errorf("no AH00547 warning at line 9 for nosuch.test: %+v", cfg.Warnings)
	}
	for _, tt := range []struct{ local, want string }{
		{"127.0.0.1", "named.example"}, {"::1", "named.example"}, {"10.0.0.1", "named.example"}, {"192.0.2.1", "wild.example"},
	} {
		if got := cfg.ServerForAddr(netip.MustParseAddr(tt.local), 8080, "other.example").ServerName; got != tt.want {
			t.Errorf("a connection to %s: got %s, want %s", tt.local, got, tt.want)
		}
	}
}

const richConf = `Listen 80
Listen [::1]:8443 https
ServerName main.example
User #1000
Group #1000
ThreadsPerChild 16
MaxRequestWorkers 150
AsyncRequestWorkerFactor 1.5
RequestReadTimeout header=10-20,MinRate=100
LogFormat "%h %r" short
CustomLog logs/access_log short env=!quiet
AddType text/x-a .a
<Directory htdocs>
    Options +Indexes
    Require ip 10.1 ::1
</Directory>
<Location /server-status>
    SetHandler server-status
    <RequireAll>
        Require local
        Require not ip 10.9.9.9
    </RequireAll>
</Location>
<VirtualHost *:80>
    ServerName v.example
    ServerAlias *.v.example
    DirectoryIndex disabled
</VirtualHost>
`

// TestMarshalRoundTrip checks that the snapshot a child receives is the
// configuration the parent loaded.
func TestMarshalRoundTrip(t *testing.T) {
	cfg, err := loadFile(t, richConf)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Errorf("round trip changed the configuration:\ngot  %+v\nwant %+v", got, cfg)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "not JSON", in: "Listen 80", want: "config: unmarshal: invalid character"},
		{name: "other format", in: `{"Format":"eventmpm-config/0","Config":{}}`, want: `snapshot format "eventmpm-config/0"`},
		{name: "no config", in: `{"Format":"eventmpm-config/1"}`, want: "holds no configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestServerFor(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
Listen 8080
ServerName main.example
<VirtualHost *:80>
    ServerName www.example.com
    ServerAlias example.com *.example.org
</VirtualHost>
<VirtualHost *:80>
    ServerName api.example.com
</VirtualHost>
<VirtualHost 127.0.0.1:8080>
    ServerName local.example
</VirtualHost>
<VirtualHost *:8080>
    ServerName wild8080.example
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host  string
		local string
		port  int
		want  string
	}{
		{host: "www.example.com", port: 80, want: "www.example.com"},
		{host: "API.Example.com:80", port: 80, want: "api.example.com"},
		{host: "example.com.", port: 80, want: "www.example.com"},
		{host: "a.b.example.org", port: 80, want: "www.example.com"},
		{host: "unknown.example", port: 80, want: "www.example.com"}, // the first on *:80 is its default
		{host: "", port: 80, want: "www.example.com"},
		{host: "www.example.com", port: 9090, want: "main.example"}, // no vhost on the port
		{host: "wild8080.example", local: "127.0.0.1", port: 8080, want: "local.example"},
		{host: "wild8080.example", local: "10.0.0.1", port: 8080, want: "wild8080.example"},
		{host: "wild8080.example", port: 8080, want: "wild8080.example"},
		{host: "[::1]:8080", local: "::1", port: 8080, want: "wild8080.example"},
	}
	for _, tt := range tests {
		var local netip.Addr
		if tt.local != "" {
			local = netip.MustParseAddr(tt.local)
		}
		if got := cfg.ServerForAddr(local, tt.port, tt.host).ServerName; got != tt.want {
			t.Errorf("ServerForAddr(%v, %d, %q): got %v, want %v", local, tt.port, tt.host, got, tt.want)
		}
		if tt.local == "" {
			if got := cfg.ServerFor(tt.host, tt.port).ServerName; got != tt.want {
				t.Errorf("ServerFor(%q, %d): got %v, want %v", tt.host, tt.port, got, tt.want)
			}
		}
	}
}

// TestErrorType checks that callers can match errors without strings.
func TestErrorType(t *testing.T) {
	_, err := loadFile(t, "Listen 80\nInclude conf/missing.conf\n")
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want a *config.Error", err, err)
	}
	if got, want := ce.Pos.Line, 2; got != want {
		t.Errorf("line: got %v, want %v", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(err, fs.ErrNotExist): got false, want true (err %v)", err)
	}
	// Include is read with the files: Apache's one-line form.
	if got, want := err.Error(), "eventmpm: Syntax error on line 2 of "; !strings.HasPrefix(got, want) || strings.Contains(got, "\n") {
		t.Errorf("got %q, want one line with prefix %q", got, want)
	}
	// A directive applied after reading: the two-line AH00526 form.
	_, err = loadFile(t, "Listen 80\nBogus x\n")
	if got, want := fmt.Sprint(err), "AH00526: Syntax error on line 2 of "; !strings.HasPrefix(got, want) || !strings.Contains(got, "\nInvalid command 'Bogus'") {
		t.Errorf("got %q, want prefix %q and the message on its own line", got, want)
	}

	_, err = loadFile(t, "ServerName x.example\n")
	if !errors.Is(err, ErrNoListeners) {
		t.Errorf("got %v, want ErrNoListeners", err)
	}
}

// TestMainFile covers -f and the built-in default.
func TestMainFile(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, root, "other/my.conf", "Listen 81\nServerName f.example\n")
	tests := []struct {
		name, file, wantFile string
		wantErr              error
	}{
		{name: "relative -f", file: "other/my.conf", wantFile: filepath.Join(root, "other/my.conf")},
		{name: "absolute -f", file: filepath.Join(root, "other/my.conf"), wantFile: filepath.Join(root, "other/my.conf")},
		{name: "missing -f", file: "nope.conf", wantErr: fs.ErrNotExist},
		{name: "built-in", file: "", wantFile: BuiltinFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(Options{ServerRoot: root, File: tt.file, SkipDocumentRootCheck: true})
			if tt.wantErr != nil {
				var ce *Error
				if !errors.Is(err, tt.wantErr) || errors.As(err, &ce) {
					t.Fatalf("got %v, want a plain error wrapping %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.File != tt.wantFile {
				t.Errorf("got %v, want %v", cfg.File, tt.wantFile)
			}
		})
	}
}

func TestDirectiveTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range directives {
		key := strings.ToLower(d.name)
		if seen[key] {
			t.Errorf("%s: listed twice", d.name)
		}
		seen[key] = true
		if (d.read == nil) == (d.set == nil) {
			t.Errorf("%s: got read %v and set %v, want exactly one", d.name, d.read != nil, d.set != nil)
		}
		if d.help == "" || d.ctx == 0 {
			t.Errorf("%s: got help %q and context %d, want both", d.name, d.help, d.ctx)
		}
	}
	// Every directive of SPEC.md 1.2 and 1.4 and the event MPM manual.
	for _, name := range strings.Fields(`Listen ListenBacklog ListenCoresBucketsRatio SendBufferSize
		ReceiveBufferSize StartServers MinSpareThreads MaxSpareThreads ThreadsPerChild ThreadLimit ServerLimit
		MaxRequestWorkers MaxClients AsyncRequestWorkerFactor MaxConnectionsPerChild MaxRequestsPerChild
		MaxMemFree ThreadStackSize PidFile ScoreBoardFile User Group CoreDumpDirectory EnableExceptionHook
		GracefulShutdownTimeout GracefulRestartTimeout Mutex AcceptMutex LockFile Timeout KeepAlive
		KeepAliveTimeout MaxKeepAliveRequests LimitRequestLine LimitRequestFieldSize LimitRequestFields
		LimitRequestBody DocumentRoot DirectoryIndex ServerName ErrorLog LogFormat CustomLog TransferLog
		RequestReadTimeout AcceptFilter`) {
		if lookup(name) == nil {
			t.Errorf("%s: missing from the directive table", name)
		}
	}
}

// TestSetHandler checks the handlers SetHandler accepts (case-insensitive,
// as Apache matches handler names) and that none and default-handler
// reset an enclosing section's handler.
func TestSetHandler(t *testing.T) {
	tests := []struct {
		arg, want string
	}{
		{arg: "server-status", want: "server-status"},
		{arg: "Server-Status", want: "server-status"},
		{arg: "metrics", want: "metrics"},
		{arg: "METRICS", want: "metrics"},
		{arg: "none", want: ""},
		{arg: "default-handler", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			cfg, err := loadFile(t, "Listen 80\n<Location /x>\n    SetHandler "+tt.arg+"\n</Location>\n")
			if err != nil {
				t.Fatal(err)
			}
			secs := cfg.Server.Sections
			if len(secs) != 1 {
				t.Fatalf("got %d sections, want 1", len(secs))
			}
			if got := secs[0]; got.Handler != tt.want || !got.HandlerSet {
				t.Errorf("got Handler %q (set %v), want %q (set)", got.Handler, got.HandlerSet, tt.want)
			}
		})
	}
}

// TestReadErrorChain: an error found while reading an included file names
// each Include that led to it, on one line, as Apache's
// ap_process_resource_config; the section structure's errors are Apache
// 2.4.71's, at the line it names.
func TestReadErrorChain(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, root, "conf/a.conf", "# a\nInclude conf/b.conf\n")
	writeTestFile(t, root, "conf/b.conf", "<Location /y>\nRequire all denied\n")
	writeTestFile(t, root, "conf/c.conf", "Bogus 1\n")
	for _, tt := range []struct{ conf, want string }{
		{"Listen 80\nInclude conf/a.conf\n", "eventmpm: Syntax error on line 2 of $ROOT/conf/eventmpm.conf: " +
			"Syntax error on line 2 of $ROOT/conf/a.conf: Syntax error on line 1 of $ROOT/conf/b.conf: " +
			"$ROOT/conf/b.conf:1: <Location> was not closed."},
		{"Listen 80\nInclude conf/c.conf\n", "AH00526: Syntax error on line 1 of $ROOT/conf/c.conf:\n" +
			"Invalid command 'Bogus', perhaps misspelled or defined by a module not included in the server configuration"},
		{"Listen 80\n<Location /x>\n</Directory>\n", "eventmpm: Syntax error on line 3 of $ROOT/conf/eventmpm.conf: " +
			"Expected </Location> but saw </Directory>"},
		{"Listen 80\n</Location>\n", "eventmpm: Syntax error on line 2 of $ROOT/conf/eventmpm.conf: " +
			"</Location> without matching <Location> section"},
		// In a skipped <IfModule>, at its opener, as Apache.
		{"Listen 80\n<IfModule mod_nothing.c>\n<Location /x>\n</IfModule>\n", "eventmpm: Syntax error on line 2 of $ROOT/conf/eventmpm.conf: " +
			"Expected </Location> but saw </IfModule>"},
		{"Listen 80\n<IfModule mod_alias.c>\n<Location /x>\n</IfModule>\n", "eventmpm: Syntax error on line 4 of $ROOT/conf/eventmpm.conf: " +
			"Expected </Location> but saw </IfModule>"},
		{"Listen 80\n<IfModule mod_nothing.c>\nListen 81\n", "eventmpm: Syntax error on line 2 of $ROOT/conf/eventmpm.conf: " +
			"Expected </IfModule> before end of configuration"},
	} {
		writeTestFile(t, root, "conf/eventmpm.conf", tt.conf)
		_, err := Load(Options{ServerRoot: root})
		if got, want := fmt.Sprint(err), strings.ReplaceAll(tt.want, "$ROOT", root); got != want {
			t.Errorf("%q:\ngot  %q\nwant %q", tt.conf, got, want)
		}
	}
}

// TestRemoteIPProxyByName: a proxy given by host name is looked up once,
// at start-up, and every address it has is trusted, as Apache does; a
// name that does not resolve refuses the configuration.
func TestRemoteIPProxyByName(t *testing.T) {
	cfg, err := loadFile(t, "Listen 80\nServerName x.example\nRemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy local.test\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range cfg.Server.RemoteIP.Proxies {
		got = append(got, fmt.Sprintf("%v internal=%v", p.Net, p.Internal))
	}
	if want := "127.0.0.1/32 internal=true, ::1/128 internal=true"; strings.Join(got, ", ") != want {
		t.Errorf("proxies %s, want %s", strings.Join(got, ", "), want)
	}
	_, err = loadFile(t, "Listen 80\nRemoteIPTrustedProxy nowhere.test\n")
	if want := "RemoteIP: Error parsing IP nowhere.test (no such host nowhere.test error) for RemoteIPTrustedProxy"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
}
