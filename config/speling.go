package config

import "strings"

// Speling is mod_speling's configuration of a server or section:
// CheckSpelling (Enabled), CheckCaseOnly and CheckBasenameMatch. The
// module has no merge function, so the innermost context that sets any
// of the three decides alone, the others taking their defaults there
// (CheckBasenameMatch On).
type Speling struct {
	Enabled    bool `json:",omitempty"`
	CaseOnly   bool `json:",omitempty"`
	NoBasename bool `json:",omitempty"` // CheckBasenameMatch Off
}

// setSpeling is CheckSpelling, CheckCaseOnly and CheckBasenameMatch.
func setSpeling(w *walker, c *call) error {
	p := &w.srv.srv.Speling
	if w.sec != nil {
		p = &w.sec.s.Speling
	}
	if *p == nil {
		*p = &Speling{}
	}
	on := isOn(c.args[0])
	switch strings.ToLower(c.d.name) {
	case "checkspelling":
		(*p).Enabled = on
	case "checkcaseonly":
		(*p).CaseOnly = on
	default:
		(*p).NoBasename = !on
	}
	return nil
}
