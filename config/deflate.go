package config

import (
	"slices"
	"strconv"
	"strings"
)

// This file is mod_deflate with mod_filter's AddOutputFilterByType: which
// media types are sent gzip-compressed to clients that accept it.

// Deflate is the compression configuration of a server.
type Deflate struct {
	// Types are the media types (lowercased, without parameters) that
	// "AddOutputFilterByType DEFLATE" names.
	Types []string `json:",omitempty"`
	// Level is DeflateCompressionLevel, 1 to 9; 0 is zlib's default (6).
	Level int `json:",omitempty"`
}

// setAddOutputFilterByType is AddOutputFilterByType DEFLATE type...: the
// only filter eventmpm has is DEFLATE.
func setAddOutputFilterByType(w *walker, c *call) error {
	for _, f := range strings.Split(c.args[0], ";") {
		if !strings.EqualFold(f, "DEFLATE") {
			return errorf("AddOutputFilterByType %s: eventmpm has no output filter %q (only DEFLATE)", c.args[0], f)
		}
	}
	d := &w.srv.srv.Deflate
	for _, t := range c.args[1:] {
		t = strings.ToLower(strings.TrimSpace(t))
		if !strings.Contains(t, "/") {
			return errorf("AddOutputFilterByType: %q is not a media type", t)
		}
		if !slices.Contains(d.Types, t) {
			d.Types = append(d.Types, t)
		}
	}
	return nil
}

func setDeflateCompressionLevel(w *walker, c *call) error {
	n, err := strconv.Atoi(c.args[0])
	if err != nil || n < 1 || n > 9 {
		return errorf("DeflateCompressionLevel must be between 1 and 9")
	}
	w.srv.srv.Deflate.Level = n
	return nil
}
