package config

import (
	"strconv"
	"strings"

	"eventmpm/config/expr"
	"eventmpm/internal/regex"
)

// This file is mod_alias's redirect directives: Redirect, RedirectTemp,
// RedirectPermanent and RedirectMatch. In the server config and in
// <VirtualHost> the child answers them before any file is looked up
// (Apache runs them in the translate_name hook, before access control);
// in directory sections after the access checks (its fixups hook), except
// the short form in <Location>, which Apache's translate_name sees too.

// Redirect is one Redirect, RedirectTemp, RedirectPermanent or
// RedirectMatch.
type Redirect struct {
	// Path is the URL-path prefix of Redirect (matched at a segment
	// boundary, runs of '/' counting as one); empty for RedirectMatch.
	Path string
	// Regex is RedirectMatch's pattern (package internal/regex: RE2, or
	// backtracking for what only PCRE has), matched against the decoded URL path.
	Regex string
	// Status is the response status: 301, 302 (the default), 303, 410
	// ("gone") or any other valid status given as a number.
	Status int
	// URL is the target: an absolute URL or a URL-path beginning with '/'
	// (RedirectMatch may hold $0 to $9). Empty when Status is not a
	// redirect (3xx), which answers with the status's error page.
	URL string
	// Pos is where the directive is, for messages.
	Pos Pos
	// Whole marks the short form of a directory section ("Redirect
	// permanent http://x/" in <Location>): every request the section
	// applies to goes to URL as written, whatever its path; Path and
	// Regex are empty.
	Whole bool `json:",omitempty"`
}

// IsRedirect reports whether the status sends the client elsewhere
// (Apache's ap_is_HTTP_REDIRECT).
func (r *Redirect) IsRedirect() bool { return r.Status >= 300 && r.Status <= 399 }

// redirectStatusWords are the status names mod_alias's Redirect and
// mod_rewrite's R= flag both take.
var redirectStatusWords = map[string]int{"permanent": 301, "temp": 302, "seeother": 303}

// setRedirect returns the setter of Redirect (status 302 unless the first
// of three arguments says otherwise), RedirectTemp and RedirectPermanent
// (their status fixed) and, with match set, RedirectMatch. The argument
// rules and messages are mod_alias's add_redirect_internal.
func setRedirect(status int, match bool) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		r := Redirect{Status: status, Pos: c.pos}
		arg1, from, url := c.args[0], "", ""
		understood := true
		lower := strings.ToLower(arg1)
		switch code, named := redirectStatusWords[lower]; {
		case named:
			r.Status = code
		case lower == "gone":
			r.Status = 410
		default:
			if arg1 != "" && arg1[0] >= '0' && arg1[0] <= '9' {
				n, err := strconv.Atoi(arg1)
				if err != nil || n < 100 || n > 599 {
					return errorf("%s: invalid first argument (of three)", c.d.name)
				}
				if n == 304 || n < 300 {
					// Apache takes them and answers nonsense: a 304 with
					// a page, or a 200 error page.
					return errorf("%s: status %d is neither a redirect (3xx) nor an error (4xx, 5xx)", c.d.name, n)
				}
				r.Status = n
			} else {
				understood = false
			}
		}
		if len(c.args) == 3 && !understood {
			return errorf("%s: invalid first argument (of three)", c.d.name)
		}
		if w.sec != nil {
			// add_redirect_internal's short form in a section: a status
			// that redirects and a URL, or a URL alone; a status that
			// does not redirect, alone.
			redirecting := understood && r.IsRedirect()
			switch n := len(c.args); {
			case redirecting && n == 2 || !understood && n == 1:
				return w.setWholeRedirect(c, r, c.args[n-1])
			case understood && !redirecting && n == 1:
				return w.setWholeRedirect(c, r, "")
			}
		}
		switch {
		case len(c.args) == 3:
			from, url = c.args[1], c.args[2]
		case !understood:
			from = c.args[0]
			if len(c.args) == 2 {
				url = c.args[1]
			}
		case len(c.args) == 2:
			from = c.args[1] // "Redirect gone /old": no URL
		case r.IsRedirect():
			return errorf("URL to redirect to is missing")
		default:
			return errorf("%s %s: the URL-path is missing", c.d.name, arg1)
		}
		if match {
			if _, err := regex.Compile(from); err != nil {
				return errorf("Regular expression could not be compiled: %v", err)
			}
			r.Regex = from
		} else {
			if !strings.HasPrefix(from, "/") {
				return errorf("%s %s: the URL-path must begin with '/', or the redirect never matches", c.d.name, from)
			}
			r.Path = from
		}
		if r.IsRedirect() {
			switch {
			case url == "":
				return errorf("URL to redirect to is missing")
			case !match && !IsURL(url) && url[0] != '/':
				return errorf("Redirect to non-URL")
			}
		} else if url != "" {
			return errorf("Redirect URL not valid for this status")
		}
		r.URL = url
		if w.sec != nil {
			w.sec.s.Redirects = append(w.sec.s.Redirects, r)
		} else {
			w.srv.srv.Redirects = append(w.srv.srv.Redirects, r)
		}
		return nil
	}
}

// setWholeRedirect records a section's short-form redirect, which
// replaces an earlier one of the section. The URL is an ap_expr string
// (package expr), as Apache reads it: "https://%{HTTP_HOST}%{REQUEST_URI}"
// is made per request.
func (w *walker) setWholeRedirect(c *call, r Redirect, url string) error {
	if _, err := expr.ParseString(url); err != nil {
		return errorf("Cannot parse redirect expression '%s': %v", url, err)
	}
	r.URL, r.Whole = url, true
	w.sec.s.WholeRedirect = &r
	return nil
}

// IsURL is Apache's ap_is_url: a scheme (a letter, then letters, digits,
// '+', '-' or '.') followed by ':'.
func IsURL(u string) bool {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':':
			return i > 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return false
}
