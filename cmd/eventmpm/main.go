// Command eventmpm is Apache httpd's event MPM rebuilt in Go.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "eventmpm: not implemented yet")
	os.Exit(1)
}
