package child_test

import (
	"strings"
	"testing"

	"eventmpm/shm"
)

// TestSeeRequestTail: with ExtendedStatus, the scoreboard's request field
// (the Request column of /server-status) keeps the first 63 bytes of a
// longer request line, or with SeeRequestTail On its last 63, where a
// long query string shows what differs.
func TestSeeRequestTail(t *testing.T) {
	t.Parallel()
	target := "/a.txt?session=" + strings.Repeat("0123456789", 8) + "&step=final"
	line := "GET " + target + " HTTP/1.1"
	for _, tc := range []struct {
		name, conf, want string
	}{
		{name: "off", conf: "ExtendedStatus On\n", want: line[:63]},
		{name: "on", conf: "ExtendedStatus On\nSeeRequestTail On\n", want: line[len(line)-63:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startConnServer(t, tc.conf)
			if resp, _ := s.open(t).roundTrip(line+"\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 {
				t.Fatalf("GET %s: got %d, want 200", target, resp.StatusCode)
			}
			snap := s.readScoreboard(t)
			var shown []string
			for th := 0; th < snap.ThreadsPerChild; th++ {
				if r := string(shm.Text(snap.WorkerAt(0, th).Request[:])); r != "" {
					shown = append(shown, r)
				}
			}
			for _, r := range shown {
				if r == tc.want {
					return
				}
			}
			t.Errorf("scoreboard requests: got %q, want one %q", shown, tc.want)
		})
	}
}
