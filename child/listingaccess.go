package child

import (
	"eventmpm/internal/passwd"
)

// This file decides which entries a directory listing shows, as
// mod_autoindex does by looking each entry up as a subrequest: an entry
// the request could not be served (403, 401, 500) is left out, or with
// IndexOptions ShowForbidden listed when it would be 401 or 403.

// entryAuth remembers, for the listing being made, whether the request's
// Basic credentials are good for one AuthUserFile, so that a listing of
// many protected files checks the password once.
type entryAuth struct {
	file string
	ok   bool
}

// entryAccess implements static.Reply's EntryAccess for the request being
// served: the status a request for the listed entry urlPath (its file
// fsPath; a directory's both end in '/') would get from the access rules,
// 0 when it would be served. A directory's AccessFileName file is read
// first, as the subrequest's directory walk does. Unlike Apache's
// subrequests, the refusals are not logged: the client asked for the
// listing, not for them (Apache's AH01630 lines for a listing's hidden
// entries would set off fail2ban's filters for a client that did no
// wrong). <If> sections are evaluated against the listing's request.
func (w *worker) entryAccess(urlPath, fsPath string) int {
	c, s := w.cur, w.srv
	if s.overrides && fsPath[len(fsPath)-1] == '/' {
		if st, _ := s.syncAccessFiles(w, []byte(fsPath), false); st != 0 {
			return st
		}
	}
	acc := s.walk([]byte(urlPath), []byte(fsPath), nil, &w.cond)
	ctx := authzCtx{client: w.remote.Addr(), local: c.localAddr(), method: w.req.Method, w: w, cond: &w.cond, groupFile: acc.authGroupFile}
	if acc.compat != nil {
		if _, st, decided := compatDecision(acc.compat, &ctx); decided {
			return st
		}
	}
	if acc.require == nil && acc.authType != "" && acc.authType != "None" {
		return 500 // AH01627, as authorize
	}
	switch evalRequire(acc.require, &ctx) {
	case authzGranted, authzNeutral:
		return 0
	case authzDenied:
		return 403
	}
	if acc.authType != "Basic" || acc.authName == "" || acc.authUserFile == "" {
		return 500
	}
	user, password, ok := parseBasic(w.req.Get("Authorization"))
	if !ok || !w.entryPasswordOK(acc.authUserFile, user, password) {
		return 401
	}
	ctx.user, ctx.authed = user, true
	if !grants(evalRequire(acc.require, &ctx)) {
		return 401
	}
	return 0
}

// entryPasswordOK checks the request's credentials against the
// AuthUserFile file, once per file for a listing.
func (w *worker) entryPasswordOK(file, user, password string) bool {
	if w.entryAuth.file == file {
		return w.entryAuth.ok
	}
	ok := false
	if hash, err := hashOf(&w.ch.pwFiles, file, user); err == nil {
		ok, _ = passwd.Check(hash, password)
	}
	w.entryAuth = entryAuth{file: file, ok: ok}
	return ok
}
