package config

import (
	"slices"
	"strings"
	"testing"

	"eventmpm/internal/errorlog"
)

// TestErrorLogFormat: the three kinds of line, a virtual host's own kinds
// replacing the main server's (the others inherited), and Apache's errors.
func TestErrorLogFormat(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
ServerName main.example
ErrorLogFormat "[%t] %M"
ErrorLogFormat connection "conn %{c}L"
ErrorLogFormat Request "req %L"
ErrorLogFormat request "req2 %{X}i"
<VirtualHost *:80>
ServerName a.example
</VirtualHost>
<VirtualHost *:80>
ServerName b.example
ErrorLogFormat "%l %M"
ErrorLogFormat request "own %L"
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	want := errorlog.FormatSpec{Main: "[%t] %M", Connection: []string{"conn %{c}L"}, Request: []string{"req %L", "req2 %{X}i"}}
	if got := cfg.Server.ErrorLogFormat; !got.Equal(want) {
		t.Errorf("main server: %+v, want %+v", got, want)
	}
	if got := cfg.VirtualHosts[0].Server.ErrorLogFormat; !got.Equal(want) {
		t.Errorf("a.example: %+v, want the main server's %+v", got, want)
	}
	wantB := errorlog.FormatSpec{Main: "%l %M", Connection: want.Connection, Request: []string{"own %L"}}
	if got := cfg.VirtualHosts[1].Server.ErrorLogFormat; !got.Equal(wantB) {
		t.Errorf("b.example: %+v, want %+v", got, wantB)
	}
	if !slices.Equal(cfg.Server.ErrorLogFormat.Request, want.Request) {
		t.Errorf("the virtual host changed the main server's lines: %v", cfg.Server.ErrorLogFormat.Request)
	}

	for _, tt := range []struct{ line, err string }{
		{`ErrorLogFormat "%Y %M"`, "Unrecognized error log format directive %Y"},
		{`ErrorLogFormat "no message"`, "main ErrorLogFormat must contain message format string '%M'"},
		{`ErrorLogFormat bogus "%a"`, "ErrorLogFormat type must be one of request, connection"},
		{`ErrorLogFormat connection "%M"`, "%M cannot be used in once-per-request or once-per-connection formats"},
		{"<Directory /tmp>\nErrorLogFormat \"%M\"\n</Directory>", "ErrorLogFormat not allowed in <Directory> context"},
	} {
		_, err := loadFile(t, "Listen 80\nServerName x.example\n"+tt.line+"\n")
		if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "eventmpm.conf") {
			t.Errorf("%s: %v, want an error naming the file with %q", tt.line, err, tt.err)
		}
	}
}
