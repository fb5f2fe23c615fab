// Package regex compiles the configuration's regular expressions. Go's
// RE2 engine (package regexp) takes every pattern it can: it matches in
// linear time. A pattern RE2 refuses, because it uses what Apache's PCRE
// has and RE2 lacks (look-ahead and look-behind, back-references, atomic
// groups, possessive quantifiers, conditionals), is compiled by a
// backtracking engine instead (github.com/dlclark/regexp2, in its RE2
// compatibility mode: RE2's syntax and character classes, plus those
// features), bounded in time per match as PCRE is bounded by its match
// limit: a match that runs out of time counts as no match.
package regex

import (
	"errors"
	"regexp"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Regexp is a compiled regular expression: a *regexp.Regexp, or the
// backtracking engine's for what RE2 cannot compile. Offsets are bytes,
// as package regexp gives them.
type Regexp interface {
	Match(b []byte) bool
	MatchString(s string) bool
	// FindSubmatchIndex and FindStringSubmatch are package regexp's; a
	// group that took no part in the match is -1, -1 (or "").
	FindSubmatchIndex(b []byte) []int
	FindStringSubmatch(s string) []string
	FindAllSubmatchIndex(b []byte, n int) [][]int
	String() string
}

// MatchTimeout bounds one match of a backtracking pattern. PCRE stops a
// match at its match limit (ten million steps) and Apache then takes it
// as no match; this is that bound in time. A pattern that backtracks
// catastrophically holds a worker at most this long per request.
const MatchTimeout = 100 * time.Millisecond

// Compile compiles pattern with RE2, or when RE2 refuses it, with the
// backtracking engine. Its error, when both refuse it, is RE2's (which
// names what is wrong in RE2's terms) unless RE2 refused only a feature
// the backtracking engine has.
func Compile(pattern string) (Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err == nil {
		return re, nil
	}
	if hasResetMatchStart(pattern) {
		return nil, errors.New("\\K (PCRE's match start reset) is not supported")
	}
	bt, err2 := regexp2.Compile(pattern, regexp2.RE2)
	if err2 != nil {
		return nil, err
	}
	bt.MatchTimeout = MatchTimeout
	return &backtracking{re: bt}, nil
}

// hasResetMatchStart reports whether pattern uses PCRE's \K, which the
// backtracking engine would take as a literal K: a silently different
// match, so the pattern is refused instead.
func hasResetMatchStart(pattern string) bool {
	for i := 0; i+1 < len(pattern); i++ {
		if pattern[i] == '\\' {
			if pattern[i+1] == 'K' {
				return true
			}
			i++
		}
	}
	return false
}

// Backtracking reports whether re is the backtracking engine's (for
// messages and tests).
func Backtracking(re Regexp) bool {
	_, ok := re.(*backtracking)
	return ok
}

// backtracking is a regexp2 pattern with package regexp's methods.
type backtracking struct {
	re *regexp2.Regexp
}

func (b *backtracking) String() string { return b.re.String() }

func (b *backtracking) Match(s []byte) bool { return b.MatchString(string(s)) }

func (b *backtracking) MatchString(s string) bool {
	ok, err := b.re.MatchString(s)
	return ok && err == nil
}

func (b *backtracking) FindSubmatchIndex(s []byte) []int {
	m, err := b.re.FindStringMatch(string(s))
	if m == nil || err != nil {
		return nil
	}
	return indexes(m)
}

func (b *backtracking) FindStringSubmatch(s string) []string {
	m, err := b.re.FindStringMatch(s)
	if m == nil || err != nil {
		return nil
	}
	idx := indexes(m)
	out := make([]string, len(idx)/2)
	for i := range out {
		if idx[2*i] >= 0 {
			out[i] = s[idx[2*i]:idx[2*i+1]]
		}
	}
	return out
}

func (b *backtracking) FindAllSubmatchIndex(s []byte, n int) [][]int {
	var out [][]int
	m, err := b.re.FindStringMatch(string(s))
	for m != nil && err == nil && (n < 0 || len(out) < n) {
		out = append(out, indexes(m))
		m, err = b.re.FindNextMatch(m)
	}
	return out
}

// indexes is a match's groups as package regexp's index pairs, in bytes.
func indexes(m *regexp2.Match) []int {
	groups := m.Groups()
	out := make([]int, 0, 2*len(groups))
	for i := range groups {
		g := &groups[i]
		if len(g.Captures) == 0 {
			out = append(out, -1, -1)
			continue
		}
		start, n := g.Capture.ByteRange()
		out = append(out, start, start+n)
	}
	return out
}
