package ipc

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// TestMain lets the test binary play a child: with ManifestEnv set it reads
// its manifest, answers on its status pipe and echoes control commands;
// with nameProbeEnv set it adopts its name and prints its threads' names.
func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv(ManifestEnv); ok {
		os.Exit(runChild())
	}
	if _, ok := os.LookupEnv(nameProbeEnv); ok {
		os.Exit(runNameProbe())
	}
	os.Exit(m.Run())
}

func runChild() int {
	man, err := ReadManifestFromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	status := os.NewFile(uintptr(man.StatusFd), "status")
	if err := Notify(status, StatusReady); err != nil {
		return 3
	}
	// Report the slot, then every command, as status bytes.
	Notify(status, byte('0'+man.Slot))
	for cmd := range ReadCommands(os.NewFile(uintptr(man.ControlFd), "control")) {
		if cmd == CommandParentGone {
			Notify(status, 'E')
			return 0
		}
		Notify(status, byte(cmd))
	}
	return 0
}

func TestManifestRoundTrip(t *testing.T) {
	want := &Manifest{
		Slot: 3, Generation: 7, ScoreboardFd: 4, ControlFd: 5, StatusFd: 6,
		Logs:      []LogFile{{Target: "/var/log/access_log", Fd: 8}},
		Listeners: []Listener{{Fd: 7, Addr: "127.0.0.1:8080", Proto: "http"}},
		Config:    json.RawMessage(`{"ServerRoot":"/srv"}`),
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { WriteManifest(w, want); w.Close() }()
	got, err := ReadManifest(r)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestReadManifestFromEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"unset", map[string]string{}},
		{"not a number", map[string]string{ManifestEnv: "x"}},
		{"stdio", map[string]string{ManifestEnv: "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadManifestFromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if err == nil {
				t.Fatal("got nil error, want one")
			}
		})
	}
}

// TestChildProcess re-executes the test binary as a child with a manifest,
// a control pipe and a status pipe as inherited descriptors.
func TestChildProcess(t *testing.T) {
	ctl, ctlR, err := NewControlPipe()
	if err != nil {
		t.Fatal(err)
	}
	stR, stW, err := NewStatusPipe()
	if err != nil {
		t.Fatal(err)
	}
	manR, manW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// ExtraFiles[i] becomes descriptor 3+i in the child.
	cmd.ExtraFiles = []*os.File{manR, ctlR, stW}
	cmd.Env = append(os.Environ(), ManifestEnv+"="+strconv.Itoa(3))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	manR.Close()
	ctlR.Close()
	stW.Close()
	if err := WriteManifest(manW, &Manifest{Slot: 5, ControlFd: 4, StatusFd: 5}); err != nil {
		t.Fatal(err)
	}
	manW.Close()

	st := ReadStatus(stR)
	expect := func(want byte) {
		t.Helper()
		select {
		case got, ok := <-st:
			if !ok || got != want {
				t.Fatalf("status: got %q (open %v), want %q", got, ok, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("status: nothing, want %q", want)
		}
	}
	expect(StatusReady)
	expect('5')
	for _, c := range []Command{CommandReopenLogs, CommandGraceful} {
		if err := ctl.Send(c); err != nil {
			t.Fatal(err)
		}
		expect(byte(c))
	}
	ctl.Close() // the parent "dies": the child must see end of file
	expect('E')
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if _, ok := <-st; ok {
		t.Fatal("status pipe still open after the child exited")
	}
	if err := ctl.Send(CommandStop); err == nil {
		t.Fatal("Send on a closed controller: got nil error")
	}
}
