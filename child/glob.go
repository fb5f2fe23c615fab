package child

// globMatch reports whether name matches the shell pattern (as path.Match:
// '*' any run of bytes, '?' one byte, '[...]' a class with ranges and '^'
// or '!' negation, '\' escapes) without allocating. A malformed pattern
// matches nothing.
func globMatch(pattern string, name []byte) bool {
	px, nx := 0, 0
	starP, starN := -1, 0
	for nx < len(name) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starP, starN = px, nx
				px++
				continue
			case '?':
				px++
				nx++
				continue
			case '[':
				if ok, next, valid := matchClass(pattern, px, name[nx]); valid && ok {
					px, nx = next, nx+1
					continue
				} else if !valid {
					return false
				}
			case '\\':
				if px+1 < len(pattern) && pattern[px+1] == name[nx] {
					px, nx = px+2, nx+1
					continue
				}
			default:
				if c == name[nx] {
					px++
					nx++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starN++
		px, nx = starP+1, starN
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// matchClass matches b against the class starting at pattern[at] ('[').
// It returns whether b is in the class, the index after the class, and
// whether the class is well formed.
func matchClass(pattern string, at int, b byte) (ok bool, next int, valid bool) {
	i := at + 1
	negate := i < len(pattern) && (pattern[i] == '^' || pattern[i] == '!')
	if negate {
		i++
	}
	first := true
	for i < len(pattern) && (pattern[i] != ']' || first) {
		first = false
		lo := pattern[i]
		if lo == '\\' && i+1 < len(pattern) {
			i++
			lo = pattern[i]
		}
		hi := lo
		if i+2 < len(pattern) && pattern[i+1] == '-' && pattern[i+2] != ']' {
			hi = pattern[i+2]
			i += 2
		}
		if lo <= b && b <= hi {
			ok = true
		}
		i++
	}
	if i >= len(pattern) {
		return false, 0, false
	}
	return ok != negate, i + 1, true
}
