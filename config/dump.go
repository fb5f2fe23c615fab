package config

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DumpRunConfig writes what `httpd -S` prints (vhost.c dump_vhost_config,
// core's DUMP_RUN_CFG, mod_unixd's dump), followed by every MPM limit after
// clamping and the listeners: the effective configuration an operator
// wants to see.
func (c *Config) DumpRunConfig(w io.Writer) {
	var b strings.Builder
	b.WriteString("VirtualHost configuration:\n")
	c.dumpVhosts(&b)
	fmt.Fprintf(&b, "ServerRoot: %q\n", c.ServerRoot)
	fmt.Fprintf(&b, "Main DocumentRoot: %q\n", c.Server.DocumentRoot)
	c.dumpAliases(&b)
	fmt.Fprintf(&b, "Main ErrorLog: %q\n", c.ErrorLog)
	fmt.Fprintf(&b, "PidFile: %q\n", c.PidFile)
	fmt.Fprintf(&b, "ScoreBoardFile: %q\n", c.ScoreBoardFile)
	for _, name := range slices.Sorted(maps.Keys(c.Defines)) {
		if v := c.Defines[name]; v != "" {
			fmt.Fprintf(&b, "Define: %s=%s\n", name, v)
		} else {
			fmt.Fprintf(&b, "Define: %s\n", name)
		}
	}
	fmt.Fprintf(&b, "User: name=%q id=%d\n", orUnset(c.User), c.UID)
	fmt.Fprintf(&b, "Group: name=%q id=%d\n", orUnset(c.Group), c.GID)
	c.MPM.dump(&b)
	for _, l := range c.Listeners {
		fmt.Fprintf(&b, "Listen: %s %s (%s:%d)\n", l.Addr, l.Proto, l.Pos.File, l.Pos.Line)
	}
	io.WriteString(w, b.String())
}

// dumpAliases lists the Alias and AliasMatch directives: the main server's, then each
// virtual host's own (its list ends with the main server's), with where
// each was written.
func (c *Config) dumpAliases(b *strings.Builder) {
	for _, a := range c.Server.Aliases {
		fmt.Fprintf(b, "%s: %s %q (%s:%d)\n", a.Directive(), a.URL, a.Path, a.Pos.File, a.Pos.Line)
	}
	for i := range c.VirtualHosts {
		v := &c.VirtualHosts[i]
		n := len(v.Server.Aliases) - len(c.Server.Aliases)
		for _, a := range v.Server.Aliases[:max(n, 0)] {
			fmt.Fprintf(b, "%s: %s %q (%s:%d, <VirtualHost> %s:%d)\n", a.Directive(), a.URL, a.Path, a.Pos.File, a.Pos.Line, v.Pos.File, v.Pos.Line)
		}
	}
}

func orUnset(name string) string {
	if name == "" {
		return "#-1"
	}
	return name
}

// dump writes one "Name: value" line per MPM limit.
func (m MPM) dump(b *strings.Builder) {
	secs := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
	lines := []struct{ name, value string }{
		{"ServerLimit", strconv.Itoa(m.ServerLimit)},
		{"ThreadLimit", strconv.Itoa(m.ThreadLimit)},
		{"ThreadsPerChild", strconv.Itoa(m.ThreadsPerChild)},
		{"MaxRequestWorkers", strconv.Itoa(m.MaxRequestWorkers)},
		{"ActiveDaemonsLimit", strconv.Itoa(m.ActiveDaemonsLimit)},
		{"StartServers", strconv.Itoa(m.StartServers)},
		{"MinSpareThreads", strconv.Itoa(m.MinSpareThreads)},
		{"MaxSpareThreads", strconv.Itoa(m.MaxSpareThreads)},
		{"MaxConnectionsPerChild", strconv.Itoa(m.MaxConnectionsPerChild)},
		{"AsyncRequestWorkerFactor", strconv.FormatFloat(m.AsyncRequestWorkerFactor, 'g', -1, 64)},
		{"GracefulShutdownTimeout", secs(m.GracefulShutdownTimeout)},
		{"GracefulRestartTimeout", secs(m.GracefulRestartTimeout)},
		{"ListenBacklog", strconv.Itoa(m.ListenBacklog)},
		{"SendBufferSize", strconv.Itoa(m.SendBufferSize)},
		{"ReceiveBufferSize", strconv.Itoa(m.ReceiveBufferSize)},
	}
	for _, l := range lines {
		fmt.Fprintf(b, "%s: %s\n", l.name, l.value)
	}
}

// addrGroup is the virtual hosts sharing one address, as -S groups them.
type addrGroup struct {
	addr   string
	vhosts []*VirtualHost
}

// dumpVhosts is dump_vhost_config: an address with one virtual host is one
// line; with several it is a NameVirtualHost with its default server and
// every name-based host, aliases included.
func (c *Config) dumpVhosts(b *strings.Builder) {
	for _, g := range c.addrGroups() {
		first := g.vhosts[0]
		if len(g.vhosts) == 1 {
			fmt.Fprintf(b, "%-22s %s (%s:%d)\n", g.addr, first.Server.ServerName, first.Pos.File, first.Pos.Line)
			continue
		}
		fmt.Fprintf(b, "%-22s is a NameVirtualHost\n", g.addr)
		fmt.Fprintf(b, "%8s default server %s (%s:%d)\n", "", first.Server.ServerName, first.Pos.File, first.Pos.Line)
		for _, v := range g.vhosts {
			port := g.addr[strings.LastIndexByte(g.addr, ':')+1:]
			fmt.Fprintf(b, "%8s port %s namevhost %s (%s:%d)\n", "", port, v.Server.ServerName, v.Pos.File, v.Pos.Line)
			for _, a := range v.Server.ServerAlias {
				kind := "alias"
				if hasWildcard(a) {
					kind = "wild alias"
				}
				fmt.Fprintf(b, "%16s %s %s\n", "", kind, a)
			}
		}
	}
}

// addrGroups groups the virtual hosts by address, in order of appearance.
func (c *Config) addrGroups() []*addrGroup {
	var groups []*addrGroup
	for i := range c.VirtualHosts {
		v := &c.VirtualHosts[i]
		for _, s := range v.Addrs {
			addr := dumpAddr(s)
			idx := slices.IndexFunc(groups, func(g *addrGroup) bool { return g.addr == addr })
			if idx < 0 {
				groups = append(groups, &addrGroup{addr: addr})
				idx = len(groups) - 1
			}
			if g := groups[idx]; !slices.Contains(g.vhosts, v) {
				g.vhosts = append(g.vhosts, v)
			}
		}
	}
	return groups
}

// dumpAddr prints a <VirtualHost> address as -S does: "*:80", "*:*",
// "10.0.0.1:8080", "[::1]:80".
func dumpAddr(s string) string {
	a, err := parseVhostAddr(s)
	if err != nil {
		return s
	}
	host, port := a.host, "*"
	if host == "" {
		host = "*"
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if a.port != 0 {
		port = strconv.Itoa(a.port)
	}
	return host + ":" + port
}
