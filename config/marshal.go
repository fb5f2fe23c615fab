package config

import (
	"encoding/json"
	"fmt"
)

// snapshotFormat names the layout of a marshalled Config. A child refuses a
// snapshot of another format instead of misreading it (the parent and child
// are the same binary, so this only trips on a stale file or a bug).
const snapshotFormat = "eventmpm-config/1"

// snapshot is what Marshal writes: the format, then the configuration.
type snapshot struct {
	Format string
	Config *Config
}

// Marshal returns the configuration as JSON, for the supervisor to hand to
// the children of its generation (SPEC.md 8: children never re-read files).
// The snapshot is exact: Load admits only UTF-8 text, which JSON keeps as is.
func (c *Config) Marshal() ([]byte, error) {
	b, err := json.Marshal(snapshot{Format: snapshotFormat, Config: c})
	if err != nil {
		return nil, fmt.Errorf("config: marshal: %w", err)
	}
	return b, nil
}

// Unmarshal reads what Marshal wrote.
func Unmarshal(b []byte) (*Config, error) {
	var s snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("config: unmarshal: %w", err)
	}
	if s.Format != snapshotFormat {
		return nil, fmt.Errorf("config: unmarshal: snapshot format %q, want %q", s.Format, snapshotFormat)
	}
	if s.Config == nil {
		return nil, fmt.Errorf("config: unmarshal: snapshot holds no configuration")
	}
	return s.Config, nil
}
