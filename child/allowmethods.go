package child

import (
	"eventmpm/internal/errorlog"
)

// methodAllowed is mod_allowmethods' access checker, which runs before
// every other: whether the request's method is in the AllowMethods list
// of its sections (GET stands for HEAD as well). A method that is not is
// logged with Apache's AH01623 line and prepared for a 405 whose Allow
// line lists the allowed methods (Apache's lists only TRACE there, which
// RFC 9110 15.5.6 does not mean).
func (w *worker) methodAllowed(c *conn, allowed []string) bool {
	head := string(w.req.Method) == "HEAD"
	for _, m := range allowed {
		if m == string(w.req.Method) || head && m == "GET" {
			return true
		}
	}
	w.logError(c, errorlog.LevelError, "allowmethods", "AH01623", "client method denied by server configuration: '"+string(w.req.Method)+"' to ", w.fspath, "")
	h := append(w.reply.Header[:0], "Allow: "...)
	for i, m := range allowed {
		if i > 0 {
			h = append(h, ',')
		}
		h = append(h, m...)
		if m == "GET" {
			h = append(h, ",HEAD"...)
		}
	}
	w.reply.Header = append(h, "\r\n"...)
	return false
}
