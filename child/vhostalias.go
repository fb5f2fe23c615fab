package child

import (
	"bytes"
	"fmt"
	"strconv"

	"eventmpm/child/static"
	"eventmpm/config"
)

// vhostAlias is a site's mod_vhost_alias compiled for serving: each
// request's DocumentRoot is made from its server name (or the address it
// arrived on) by VirtualDocumentRoot's format, and the request is served
// from there when no alias or UserDir took it (mva_translate runs after
// mod_alias and mod_userdir). Like an AliasMatch its handler's root is
// "/" and it has no open-file cache: it serves any host's files by their
// full paths.
type vhostAlias struct {
	cfg    *config.VhostAlias
	static *static.Handler
}

// compileVhostAlias makes the site's vhostAlias, when VirtualDocumentRoot
// names a format.
func (s *site) compileVhostAlias(va *config.VhostAlias, o static.Options) error {
	if va == nil || va.Format == "" {
		return nil
	}
	h, err := fullPathHandler(o)
	if err != nil {
		return fmt.Errorf("VirtualDocumentRoot: %w", err)
	}
	s.vhostAlias = &vhostAlias{cfg: va, static: h}
	return nil
}

// vhostRoot is the request's DocumentRoot by VirtualDocumentRoot, made
// once per request; nil when the site has none, or when the name would
// make a root with a "." or ".." segment (a Host of ".."), which
// translation refuses.
func (w *worker) vhostRoot() []byte {
	va := w.srv.vhostAlias
	if va == nil {
		return nil
	}
	if w.vrootMade {
		return w.vroot
	}
	w.vrootMade = true
	var name []byte
	if va.cfg.ByIP {
		if c := w.cur; c != nil {
			name = c.localAddrPort().Addr().Unmap().AppendTo(w.vrootName[:0])
			w.vrootName = name
		}
	} else {
		name = w.serverName()
	}
	w.vroot = appendVhostRoot(w.vroot[:0], va.cfg.Format, name, w.serverPort(w.cur))
	if hasDotSegment(w.vroot) {
		w.vroot, w.vrootBad = nil, true
	}
	return w.vroot
}

// hasDotSegment reports whether the path p has a "." or ".." segment.
func hasDotSegment(p []byte) bool {
	for seg := range bytes.SplitSeq(p, []byte("/")) {
		if string(seg) == "." || string(seg) == ".." {
			return true
		}
	}
	return false
}

// appendVhostRoot appends format interpolated as vhost_alias_interpolate
// does: %% is '%', %p the port, %N.M parts of name (lowercased) split at
// its dots: %0 the whole name, %N the Nth part (%-N counted from the end,
// %N+ the Nth and those after it), .M the Mth letter of that (the same
// forms), '_' for a part or letter that is not there. At most 19 dots
// count. One trailing '/' is dropped, so that the URL-path follows.
func appendVhostRoot(dst []byte, format string, name []byte, port int) []byte {
	const maxDots = 19
	var dots [maxDots + 1]int
	ndots := 0
	dots[ndots], ndots = -1, 1
	for i, b := range name {
		if b == '.' && ndots < maxDots {
			dots[ndots] = i
			ndots++
		}
	}
	dots[ndots] = len(name)
	start0 := len(dst)
	for i := 0; i < len(format); {
		if format[i] != '%' {
			dst = append(dst, format[i])
			i++
			continue
		}
		i++ // the configuration checked the specifier after it
		switch format[i] {
		case '%':
			dst = append(dst, '%')
			i++
			continue
		case 'p':
			dst = strconv.AppendInt(dst, int64(port), 10)
			i++
			continue
		}
		var nDash, nPlus, mDash, mPlus bool
		if format[i] == '-' {
			nDash, i = true, i+1
		}
		n := int(format[i] - '0')
		i++
		if i < len(format) && format[i] == '+' {
			nPlus, i = true, i+1
		}
		m := 0
		if i < len(format) && format[i] == '.' {
			i++
			if format[i] == '-' {
				mDash, i = true, i+1
			}
			m = int(format[i] - '0')
			i++
			if i < len(format) && format[i] == '+' {
				mPlus, i = true, i+1
			}
		}
		start, end := dots[0]+1, dots[ndots]
		missing := false
		if n != 0 {
			switch {
			case n > ndots:
				missing = true
			case !nDash:
				start = dots[n-1] + 1
				if !nPlus {
					end = dots[n]
				}
			default:
				if !nPlus {
					start = dots[ndots-n] + 1
				}
				end = dots[ndots-n+1]
			}
		}
		if m != 0 {
			switch {
			case missing:
			case m > end-start:
				missing = true
			case !mDash:
				start += m - 1
				if !mPlus {
					end = start + 1
				}
			default:
				if !mPlus {
					start = end - m
				}
				end = end - m + 1
			}
		}
		if missing {
			dst = append(dst, '_')
			continue
		}
		for _, b := range name[start:end] {
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			dst = append(dst, b)
		}
	}
	if len(dst) > start0 && dst[len(dst)-1] == '/' {
		dst = dst[:len(dst)-1]
	}
	return dst
}
