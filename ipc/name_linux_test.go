package ipc

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// nameProbeEnv makes the test binary run runNameProbe (TestMain).
const nameProbeEnv = "EVENTMPM_TEST_NAME_PROBE"

// runNameProbe adopts the name NameEnv carries, then prints whether the
// variable is still set and the name of every thread, one a line.
func runNameProbe() int {
	AdoptName(os.LookupEnv)
	_, set := os.LookupEnv(NameEnv)
	fmt.Printf("env still set: %v\n", set)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/comm")
		if err != nil {
			continue // the thread ended
		}
		fmt.Printf("%s", b)
	}
	return 0
}

// TestAdoptName runs the test binary as a child would run, with NameEnv
// set: every thread of the process, the main one first, takes the name
// (cut as the kernel cuts it), and the variable is gone afterwards.
func TestAdoptName(t *testing.T) {
	tests := []struct {
		name, env, want string
	}{
		{name: "short", env: "apache2", want: "apache2"},
		{name: "long", env: "eventmpm-with-a-long-name", want: "eventmpm-with-a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), nameProbeEnv+"=1", NameEnv+"="+tc.env)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("probe: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if lines[0] != "env still set: false" {
				t.Errorf("got %q, want the variable unset", lines[0])
			}
			if len(lines) < 2 {
				t.Fatalf("got no thread names:\n%s", out)
			}
			for i, got := range lines[1:] {
				if got != tc.want {
					t.Errorf("thread %d: got name %q, want %q", i, got, tc.want)
				}
			}
		})
	}
}

// TestProcessName reads this process's own name.
func TestProcessName(t *testing.T) {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Skip("no /proc")
	}
	if got, want := ProcessName(), strings.TrimSpace(string(b)); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
