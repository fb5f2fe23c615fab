package config

import (
	"errors"
	"fmt"
	"testing"
)

// TestLoadWarnings: the warnings of a load are the config's, or those the
// error carries when it failed (also wrapped); another error has none.
func TestLoadWarnings(t *testing.T) {
	w1 := Warning{Code: "AH00111", Text: "Config variable ${X} is not defined", Pos: Pos{File: "a.conf", Line: 3}}
	w2 := Warning{Code: "AH02803", Text: "better prefix", Pos: Pos{File: "a.conf", Line: 7}}
	failed := &Error{Pos: Pos{File: "a.conf", Line: 9}, Msg: "Invalid command", Warnings: []Warning{w1}}
	for _, tc := range []struct {
		name string
		cfg  *Config
		err  error
		want []Warning
	}{
		{name: "loaded", cfg: &Config{Warnings: []Warning{w1, w2}}, want: []Warning{w1, w2}},
		{name: "loaded-clean", cfg: &Config{}},
		{name: "config-error", err: failed, want: []Warning{w1}},
		{name: "wrapped", err: fmt.Errorf("reload: %w", failed), want: []Warning{w1}},
		{name: "other-error", cfg: &Config{Warnings: []Warning{w2}}, err: errors.New("read failed")},
		{name: "nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := LoadWarnings(tc.cfg, tc.err)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
