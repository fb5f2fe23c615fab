package accesslog_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"eventmpm/child/accesslog"
)

// hostileEntry carries control bytes, quotes, backslashes and non-ASCII
// in every field a client or handler can influence.
func hostileEntry() *accesslog.Entry {
	e := newEntry()
	e.Request = newRequest("G\x00T /a\n\"b\\%0a\xff?q=\r\x1b HTTP/1.1",
		"Host", "h\x7fst:1", "Referer", "\n\t\"\\", "User-Agent", "é\x01", "Cookie", "a=\n; b=\"")
	e.RespHead = []byte("HTTP/1.1 200 OK\r\nX: \x00\"\r\n\r\n")
	e.User, e.Filename, e.Handler, e.ServerName = "u\n", []byte("f\r"), "h\t", "s\x00"
	e.Env = []accesslog.Var{{Name: "A", Value: []byte("\n")}}
	e.Remote = netip.MustParseAddrPort("[fe80::1%eth0]:1")
	e.Received = time.Date(2026, 2, 29-1, 23, 59, 59, 999999999, zone)
	return e
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{common, combined, combinedio, vhostCombined, referer, agent, everythingFuzz,
		"%400,501{User-agent}i %!200,304{Referer}i", `\n\t\"\\%%`, "%{%d/%b/%Y %n%t%Q}t", "%{end:usec_frac}t",
		"%^ti%^to%^FB%{x}^ti", "%{", "%", "%!<>,9{}", "%{c}a%{hextid}P%{us}T"} {
		f.Add(s)
	}
	e := hostileEntry()
	f.Fuzz(func(t *testing.T, format string) {
		c, err := accesslog.Compile(format)
		if err != nil {
			if c != nil {
				t.Fatalf("Compile(%q): got a Format and %v", format, err)
			}
			return
		}
		line := c.Append(nil, e)
		again, err := accesslog.Compile(c.String())
		if err != nil || string(again.Append(nil, e)) != string(line) {
			t.Fatalf("Compile(%q) is not repeatable: %v", format, err)
		}
		// Without literal escapes and {arguments} (a strftime format may
		// write %n), everything the entry contributes is escaped: the line
		// is printable ASCII when the format is.
		if isPrintable(format) && !strings.ContainsAny(format, `\{`) && !isPrintable(string(line)) {
			t.Fatalf("Compile(%q): line %q has raw bytes", format, line)
		}
	})
}

// everythingFuzz is every directive once.
const everythingFuzz = "%h %a %A %l %L %u %t %r %s %>s %<s %b %B %D %T %U %q %m %H %v %V %p %P %k %X %I %O %S %f %R"

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
