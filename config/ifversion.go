package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file is mod_version's <IfVersion>, which Debian builds into its
// apache2: configurations use it to choose between Apache 2.2's and 2.4's
// directives.

// The Apache httpd release whose behaviour eventmpm follows, 2.4.71:
// <IfVersion> compares against it, so a configuration written for several
// Apache versions takes its 2.4 branch.
const (
	ApacheMajor = 2
	ApacheMinor = 4
	ApachePatch = 71
)

// errBadVersion is mod_version's message for a version it cannot read.
const errBadVersion = "Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers."

// readIfVersion is <IfVersion [[!]operator] version>: its body is read
// when the comparison with Apache 2.4.71 holds, as mod_version's
// start_ifversion decides. The operators are =, == (the default), <, <=,
// >, >= on versions (missing parts are 0), ~ with a regular expression, and
// = with /regex/; "!" before one inverts it.
func readIfVersion(r *reader, cur *cursor, c *call) ([]*node, error) {
	holds, err := ifVersionHolds(c)
	if err != nil {
		return nil, err
	}
	end := c.name[1:]
	if !holds {
		return nil, r.soak(cur, end, c.pos)
	}
	return r.readBlock(cur, c.sc, end, c.pos)
}

// ifVersionHolds evaluates an <IfVersion> opener.
func ifVersionHolds(c *call) (bool, error) {
	raw, ok := strings.CutSuffix(strings.TrimSpace(c.raw), ">")
	if !ok {
		return false, errorf("%s> directive missing closing '>'", c.d.name)
	}
	words := splitWords(raw)
	op, version := "=", ""
	switch len(words) {
	case 0:
	case 1:
		version = words[0]
	case 2:
		op, version = words[0], words[1]
	default:
		return false, errorf("%s> directive missing closing '>'", c.d.name)
	}
	reverse := false
	if len(op) > 1 && op[0] == '!' {
		reverse, op = true, op[1:]
	}
	var holds bool
	switch op {
	case "=", "==":
		if !strings.HasPrefix(version, "/") {
			cmp, err := compareRevision(version)
			if err != nil {
				return false, err
			}
			holds = cmp == 0
			break
		}
		if len(version) < 2 || !strings.HasSuffix(version, "/") {
			return false, errorf("Missing delimiting / of regular expression.")
		}
		m, err := matchRevision(version[1 : len(version)-1])
		if err != nil {
			return false, err
		}
		holds = m
	case "~":
		m, err := matchRevision(version)
		if err != nil {
			return false, err
		}
		holds = m
	case "<", "<=", ">", ">=":
		cmp, err := compareRevision(version)
		if err != nil {
			return false, err
		}
		holds = op[0] == '<' && cmp < 0 || op[0] == '>' && cmp > 0 || len(op) == 2 && cmp == 0
	default:
		return false, errorf("unrecognized operator '%s'", words[0])
	}
	return holds != reverse, nil
}

// compareRevision compares Apache 2.4.71 with major[.minor[.patch]]: -1,
// 0 or 1 as it is older, the same or newer.
func compareRevision(version string) (int, error) {
	parts := strings.Split(version, ".")
	if version == "" || version[0] < '0' || version[0] > '9' || len(parts) > 3 {
		return 0, errorf("%s", errBadVersion)
	}
	var v [3]int
	for i, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			return 0, errorf("%s", errBadVersion)
		}
		v[i], _ = strconv.Atoi(p) // "" is 0, as Apache's atoi
	}
	rev := [3]int{ApacheMajor, ApacheMinor, ApachePatch}
	for i := range v {
		if rev[i] != v[i] {
			if rev[i] > v[i] {
				return 1, nil
			}
			return -1, nil
		}
	}
	return 0, nil
}

// matchRevision matches "major.minor.patch" against a regular expression
// (RE2, as eventmpm's other regular expressions).
func matchRevision(expr string) (bool, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return false, errorf("Unable to compile regular expression")
	}
	return re.MatchString(fmt.Sprintf("%d.%d.%d", ApacheMajor, ApacheMinor, ApachePatch)), nil
}
