package child

import (
	"errors"

	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/internal/passwd"
)

// authorize applies the request's access rules with Basic authentication,
// as Apache's access_checker, access_checker_ex, check_user_id and
// auth_checker hooks do in turn: the host rules (Order, Allow, Deny) must
// pass, or with Satisfy any they suffice; then Require rules that grant or
// deny without a user decide alone; rules that need one (Require
// valid-user, Require user) have the client authenticate against the
// AuthUserFile, then decide with its user. It
// returns 0 to serve the request, else the status to answer: 403 for a
// denial, 401 (with WWW-Authenticate) for missing, wrong or unauthorized
// credentials, 500 for a configuration that cannot authenticate. Each
// refusal leaves Apache's error-log line.
func (w *worker) authorize(c *conn, acc *access) int {
	ctx := authzCtx{client: w.remote.Addr(), local: c.localAddr(), method: w.req.Method, w: w, cond: &w.cond, groupFile: acc.authGroupFile}
	if acc.compat != nil {
		// mod_access_compat's access_checker hook runs first; failing it
		// is logged.
		hostOK, st, decided := compatDecision(acc.compat, &ctx)
		if !hostOK {
			w.logError(c, errorlog.LevelError, "access_compat", "AH01797", "client denied by server configuration: ", w.fspath, "")
		}
		if decided {
			return st
		}
	}
	if acc.require == nil && acc.authType != "" && acc.authType != "None" {
		// mod_authz_core: authentication is configured, but nothing says
		// whom it is for; Apache refuses rather than serve everyone.
		w.logError(c, errorlog.LevelError, "authz_core", "AH01627", "AuthType configured with no corresponding authorization directives", nil, "")
		return 500
	}
	switch evalRequire(acc.require, &ctx) {
	case authzGranted, authzNeutral:
		return 0
	case authzDenied:
		w.logError(c, errorlog.LevelError, "authz_core", "AH01630", "client denied by server configuration: ", w.fspath, "")
		return 403
	}
	switch {
	case acc.authType != "Basic":
		w.logError(c, errorlog.LevelError, "core", "AH00027", "No authentication done but request not allowed without authentication for ",
			w.path, ". Authentication not configured?")
		return 500
	case acc.authName == "":
		w.logError(c, errorlog.LevelError, "auth_basic", "AH01615", "need AuthName: ", w.path, "")
		return 500
	case acc.authUserFile == "":
		w.logError(c, errorlog.LevelError, "authn_file", "AH01619", "AuthUserFile not specified in the configuration", nil, "")
		return 500
	}
	user, password, ok := parseBasic(w.req.Get("Authorization"))
	if !ok {
		if w.req.Get("Authorization") != nil {
			w.logError(c, errorlog.LevelError, "auth_basic", "AH01614", "client used wrong authentication scheme: ", w.path, "")
		}
		return w.challenge(acc)
	}
	w.user, w.userFromTLS = user, false // %u names the user who tried, as Apache's r->user does (fail2ban reads it)
	hash, err := hashOf(&w.ch.pwFiles, acc.authUserFile, user)
	switch {
	case errors.Is(err, errNoUser):
		w.logError(c, errorlog.LevelError, "auth_basic", "AH01618", "user "+user+" not found: ", w.path, "")
		return w.challenge(acc)
	case err != nil:
		w.logError(c, errorlog.LevelError, "authn_file", "AH01620", err.Error(), nil, "")
		return 500
	}
	match, err := passwd.Check(hash, password)
	if err != nil {
		w.logError(c, errorlog.LevelError, "auth_basic", "AH01617", "user "+user+": authentication failure for \"", w.path, "\": "+err.Error())
		return w.challenge(acc)
	}
	if !match {
		w.logError(c, errorlog.LevelError, "auth_basic", "AH01617", "user "+user+": authentication failure for \"", w.path, "\": Password Mismatch")
		return w.challenge(acc)
	}
	ctx.user, ctx.authed = user, true
	switch r := evalRequire(acc.require, &ctx); {
	case r == authzNeedUser: // a Require expr reading REMOTE_USER still does not hold
		w.logError(c, errorlog.LevelError, "authz_core", "AH01629", "authorization failure (no authenticated user): ", w.path, "")
		return w.challenge(acc)
	case !grants(r):
		w.logError(c, errorlog.LevelError, "authz_core", "AH01631", "user "+user+": authorization failure for \"", w.path, "\": ")
		return w.challenge(acc)
	}
	return 0
}

// compatDecision is mod_access_compat's part of a request's access check:
// whether the host rules (Order, Allow, Deny) let the client in, and
// whether that decides: with Satisfy any, passing them is enough (0);
// with Satisfy all, failing them is a 403. Otherwise Require (and a
// password) decides.
func compatDecision(ac *config.AccessCompat, ctx *authzCtx) (hostOK bool, status int, decided bool) {
	hostOK = hostAllowed(ac, ctx)
	satisfyAny := ac.SatisfyFor(ctx.method) == config.SatisfyAny
	switch {
	case satisfyAny && hostOK:
		return true, 0, true
	case !satisfyAny && !hostOK:
		return false, 403, true
	}
	return hostOK, 0, false
}

// challenge prepares a 401's WWW-Authenticate for the realm (AuthName),
// as a quoted string.
func (w *worker) challenge(acc *access) int {
	h := append(w.reply.Header[:0], "WWW-Authenticate: Basic realm=\""...)
	for i := 0; i < len(acc.authName); i++ {
		if b := acc.authName[i]; b == '"' || b == '\\' {
			h = append(h, '\\')
		}
		h = append(h, acc.authName[i])
	}
	w.reply.Header = append(h, "\"\r\n"...)
	return 401
}
