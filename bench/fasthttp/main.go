// Command fasthttp-server is the fasthttp peer of bench/compare.sh: a static
// file server over fasthttp.FS, the way a Go user would serve a DocumentRoot
// when speed matters. It lives in its own module so that eventmpm's go.mod
// never depends on fasthttp.
//
// It serves -root on -addr (127.0.0.1 only), index.html as the directory
// index, no compression, no access log, with keep-alive connections closed
// after -idle of inactivity and no limit on requests per connection.
// compare.sh runs it pinned to one CPU with GOMAXPROCS=1.
package main

import (
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	root := flag.String("root", ".", "document root")
	idle := flag.Duration("idle", 60*time.Second, "keep-alive idle timeout")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil || host != "127.0.0.1" {
		log.Fatalf("fasthttp-server: -addr must be 127.0.0.1:PORT, got %q", *addr)
	}
	fs := &fasthttp.FS{
		Root:               *root,
		IndexNames:         []string{"index.html"},
		GenerateIndexPages: false,
		Compress:           false,
		AcceptByteRange:    true,
	}
	srv := &fasthttp.Server{
		Handler:     fs.NewRequestHandler(),
		Name:        "fasthttp",
		IdleTimeout: *idle,
		// The defaults already allow 256 Ki concurrent connections and an
		// unlimited number of requests per connection.
	}
	ln, err := net.Listen("tcp4", *addr)
	if err != nil {
		log.Fatalf("fasthttp-server: %v", err)
	}

	sigC := make(chan os.Signal, 1)
	signal.Notify(sigC, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigC
		_ = ln.Close()
		os.Exit(0)
	}()
	if err := srv.Serve(ln); err != nil {
		log.Fatalf("fasthttp-server: %v", err)
	}
}
