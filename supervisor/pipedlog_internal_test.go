package supervisor

import (
	"slices"
	"testing"
)

func TestPipedArgv(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		want    []string
		wantErr bool
	}{
		{name: "shell", target: "|cat >> /x", want: []string{"/bin/sh", "-c", "cat >> /x"}},
		{name: "explicit shell", target: "|$ cat >> /x", want: []string{"/bin/sh", "-c", "cat >> /x"}},
		{name: "no shell", target: "||/usr/bin/rotatelogs -l /var/log/a.%Y 86400", want: []string{"/usr/bin/rotatelogs", "-l", "/var/log/a.%Y", "86400"}},
		{name: "no shell, quotes", target: `||prog "a b" 'c d' e\ f`, want: []string{"prog", "a b", "c d", "e f"}},
		{name: "no shell, empty quotes", target: `||prog ""`, want: []string{"prog", ""}},
		{name: "unbalanced quote", target: `||prog "a`, wantErr: true},
		{name: "empty", target: "|  ", wantErr: true},
		{name: "empty, no shell", target: "||", wantErr: true},
		{name: "not a pipe", target: "/var/log/x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pipedArgv(tt.target)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("pipedArgv(%q): got %q, %v; want %q, error %v", tt.target, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
