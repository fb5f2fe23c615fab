package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// runFreeport prints a port on 127.0.0.1 that was free a moment ago. The
// server started next binds it; a collision makes that start fail loudly.
func runFreeport(args []string) error {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	return nil
}

// runGet fetches URL until it answers 200 with the expected body length, or
// until the wait runs out: compare.sh's readiness probe and content check.
func runGet(args []string) error {
	if len(args) < 1 {
		return errors.New("usage: get URL [LEN] [WAIT]")
	}
	url, want, wait := args[0], int64(-1), 10*time.Second
	if len(args) > 1 {
		n, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return err
		}
		want = n
	}
	if len(args) > 2 {
		d, err := time.ParseDuration(args[2])
		if err != nil {
			return err
		}
		wait = d
	}
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(wait)
	for {
		err := getOnce(client, url, want)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func getOnce(client *http.Client, url string, want int64) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	if want >= 0 && n != want {
		return fmt.Errorf("%s: %d body bytes, want %d", url, n, want)
	}
	return nil
}
