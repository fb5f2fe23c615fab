//go:build !race

package accesslog_test

import (
	"testing"

	"eventmpm/child/accesslog"
)

// everything uses every directive that reads the Entry.
const everything = combinedio + ` %v %V %p %{local}p %{remote}p %P %{tid}P %k %X %S %D %T %{ms}T ` +
	`%{end:%Y-%m-%dT%H:%M:%S%z}t %{msec_frac}t %U%q %m %H %f %R %{UNIQUE_ID}e %{Content-Type}o ` +
	`%{sid}C %400{Host}i %A %s %B`

func TestAppendAllocs(t *testing.T) {
	for _, f := range []string{common, combined, everything} {
		c := accesslog.MustCompile(f)
		e := newEntry()
		buf := make([]byte, 0, 4096)
		c.Append(buf, e) // warm the time cache
		if n := testing.AllocsPerRun(100, func() { buf = c.Append(buf[:0], e) }); n != 0 {
			t.Errorf("%s: got %v allocations per line, want 0", f, n)
		}
	}
}

func TestBufferAllocs(t *testing.T) {
	l, err := accesslog.Open("/dev/null", accesslog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b := l.NewBuffer()
	c := accesslog.MustCompile(combined)
	e := newEntry()
	line := c.Append(nil, e)
	n := testing.AllocsPerRun(1000, func() {
		b.WriteEntry(c, e)
		b.Write(line)
	})
	b.Flush()
	if n != 0 {
		t.Errorf("got %v allocations per line, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { b.Write(line); b.Flush() }); n != 0 {
		t.Errorf("Flush: got %v allocations, want 0", n)
	}
}
