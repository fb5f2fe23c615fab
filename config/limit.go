package config

import (
	"slices"
	"strings"
)

// This file is core's <Limit> and <LimitExcept>: the access control lines
// inside them (Require, and mod_access_compat's Order, Allow, Deny and
// Satisfy) apply to the methods named, or to all others. Any other
// directive inside applies to every method, as in Apache.

// MethodSet is the set of request methods an access rule applies to: the
// methods of Names, or with Except every method but those. A nil
// *MethodSet is every method.
type MethodSet struct {
	Names  []string
	Except bool `json:",omitempty"`
}

// Includes reports whether the set holds the request method. A HEAD
// request counts as GET, as Apache numbers HEAD requests M_GET ("<Limit
// GET>" limits HEAD too; a "HEAD" in the list limits nothing). Method
// names are case-sensitive.
func (m *MethodSet) Includes(method []byte) bool {
	if m == nil {
		return true
	}
	head := string(method) == "HEAD"
	in := false
	for _, n := range m.Names {
		if head && n == "GET" || !head && n == string(method) {
			in = true
			break
		}
	}
	return in != m.Except
}

// String returns the set as a <Limit> or <LimitExcept> opener would name it.
func (m *MethodSet) String() string {
	if m == nil {
		return "all"
	}
	s := strings.Join(m.Names, " ")
	if m.Except {
		return "all but " + s
	}
	return s
}

// intersect returns the methods in both m (nil: all) and n.
func (m *MethodSet) intersect(n *MethodSet) *MethodSet {
	switch {
	case m == nil:
		return n
	case !m.Except && !n.Except:
		return &MethodSet{Names: filterNames(m.Names, n.Names, true)}
	case !m.Except:
		return &MethodSet{Names: filterNames(m.Names, n.Names, false)}
	case !n.Except:
		return &MethodSet{Names: filterNames(n.Names, m.Names, false)}
	}
	union := slices.Clone(m.Names)
	for _, x := range n.Names {
		if !slices.Contains(union, x) {
			union = append(union, x)
		}
	}
	return &MethodSet{Names: union, Except: true}
}

// filterNames returns the names of a that are (keep) or are not in b.
func filterNames(a, b []string, keep bool) []string {
	out := []string{}
	for _, x := range a {
		if slices.Contains(b, x) == keep {
			out = append(out, x)
		}
	}
	return out
}

// equal reports whether m and n (both non-nil) name the same methods.
func (m *MethodSet) equal(n *MethodSet) bool {
	if m.Except != n.Except || len(m.Names) != len(n.Names) {
		return false
	}
	for _, x := range m.Names {
		if !slices.Contains(n.Names, x) {
			return false
		}
	}
	return true
}

// setLimitSection is <Limit method ...> (except false) and <LimitExcept method
// ...>, with the checks and messages of Apache's ap_limit_section. They
// nest: the methods of an inner one are those of both.
func setLimitSection(except bool) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		arg, err := sectionArg(c.d, c.raw)
		if err != nil {
			return err
		}
		set := &MethodSet{Except: except}
		for _, m := range splitWords(arg) {
			if m == "TRACE" && !except {
				return errorf("TRACE cannot be controlled by <Limit>, see TraceEnable")
			}
			if !slices.Contains(set.Names, m) {
				set.Names = append(set.Names, m)
			}
		}
		outer := w.limited
		inner := outer.intersect(set)
		switch {
		case !inner.Except && len(inner.Names) == 0:
			return errorf("%s> directive excludes all methods", c.d.name)
		case outer != nil && inner.equal(outer):
			return errorf("%s> directive specifies methods already excluded", c.d.name)
		}
		w.limited = inner
		err = w.walk(c.kids, c.sc.enterLimit(c.name))
		w.limited = outer
		return err
	}
}
