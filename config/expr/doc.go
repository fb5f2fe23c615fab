// Package expr parses and evaluates Apache's expression syntax (ap_expr,
// https://httpd.apache.org/docs/2.4/expr.html), the language of the
// <If>, <ElseIf> and <Else> sections.
//
// Parse reads a boolean expression once, at configuration time, and checks
// what Apache's ap_expr_parse checks there: the grammar, the names of
// variables (case-insensitively), functions and operators, the regular
// expressions (package internal/regex: RE2, or backtracking for what only PCRE has) and the constant subnets of
// -R and -ipmatch. Its error texts are Apache's, so that "configtest" names
// the same fault. Eval then runs the expression against one request,
// through the Request interface, which the child implements over its own
// request state; it is safe for concurrent use.
//
// Supported: true, false, !, not, &&, and, ||, or, parentheses; the string
// comparisons == (and =), !=, <, <=, >, >=; the integer comparisons -eq,
// -ne, -lt, -le, -gt, -ge (and eq, ne, lt, le, gt, ge); =~ and !~ with /re/
// or m#re# and the i flag, with $0 to $9 for the last match; -in and in
// with a {word, ...} list; -ipmatch, -strmatch, -strcmatch, -fnmatch; the
// unary -n, -z, -T, -R, -d, -e, -f, -s, -L, -h, -x; words that are digits,
// quoted strings (with %{...} and $N inside), variables %{NAME} and
// %{func:arg}, $N, function calls func(word) and concatenation with ".".
// Refused with a reason: -F, -U and -A (they run a subrequest) and
// functions that return lists.
//
// The package is a leaf: it imports the standard library only.
package expr
