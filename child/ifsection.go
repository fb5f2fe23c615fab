package child

import (
	"eventmpm/config"
	"eventmpm/config/expr"
)

// This file is core's <If>, <ElseIf> and <Else> sections at request time
// (Apache's ap_if_walk): after the <Directory>, <Files> and <Location>
// sections, the conditional ones are tried in order (the server's, then
// those inside the sections that applied, in their merge order), and
// those whose expression holds merge last, so they win.

// compileIf compiles a conditional section's expression (an <Else> has
// none).
func compileIf(cs *section) error {
	if cs.sec.If == config.IfElse {
		return nil
	}
	e, err := expr.Parse(cs.sec.Condition)
	if err != nil {
		return err
	}
	cs.cond = e
	return nil
}

// compileNestedIfs compiles the conditional sections inside one section.
func compileNestedIfs(secs []config.Section) ([]section, error) {
	var out []section
	for i := range secs {
		cs, err := compileSection(&secs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, nil
}

// ifChain walks a list of conditional sections as ap_if_walk does: an
// <ElseIf> or <Else> is skipped when an earlier section of its chain held
// (prev).
type ifChain struct {
	prev bool
}

// next evaluates one section and reports whether it applies.
func (ch *ifChain) next(cs *section, cr *condRequest) bool {
	if cs.sec.If != config.IfPlain && ch.prev {
		return false // an earlier section of the chain held: prev stays set
	}
	ch.prev = cs.cond == nil || cs.cond.Eval(cr) // an <Else> has no condition
	return ch.prev
}
