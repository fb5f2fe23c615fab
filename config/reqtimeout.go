package config

import (
	"strconv"
	"strings"
	"time"
)

// This file is mod_reqtimeout's RequestReadTimeout, with its messages
// (set_reqtimeouts, set_reqtimeout_param, parse_int).

// defaultReadTimeout is mod_reqtimeout's default for stages left unset:
// handshake=0 header=20-40,MinRate=500 body=20,MinRate=500.
var defaultReadTimeout = RequestReadTimeout{
	Header: ReadStage{Timeout: 20 * time.Second, Max: 40 * time.Second, MinRate: 500},
	Body:   ReadStage{Timeout: 20 * time.Second, MinRate: 500},
}

// setRequestReadTimeout is RequestReadTimeout stage=timeout[-max][,MinRate=rate]...
// A stage that is set replaces that stage only; the others keep their value.
func setRequestReadTimeout(w *walker, c *call) error {
	for _, word := range splitWords(c.raw) {
		key, val, ok := strings.Cut(word, "=")
		if !ok {
			return errorf("Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'")
		}
		st, err := parseReadStage(val)
		if err == nil {
			err = w.setReadStage(strings.ToLower(key), st)
		}
		if err != nil {
			return errorf("RequestReadTimeout: %s=%s: %s", key, val, err)
		}
	}
	return nil
}

func (w *walker) setReadStage(key string, st ReadStage) error {
	t := &w.srv.srv.RequestReadTimeout
	switch key {
	case "handshake":
		t.Handshake = st
	case "header":
		t.Header = st
	case "body":
		t.Body = st
	default:
		return errorf("Unknown RequestReadTimeout parameter")
	}
	w.srv.mark("RequestReadTimeout." + key)
	return nil
}

// parseReadStage reads "timeout[-max][,MinRate=rate]" (MinRate in any case).
func parseReadStage(val string) (ReadStage, error) {
	var st ReadStage
	initial, rate := val, ""
	if i := strings.Index(strings.ToLower(val), ",minrate="); i >= 0 {
		initial, rate = val[:i], val[i+len(",minrate="):]
	}
	if rate == "" && initial == val {
		if strings.Contains(val, "-") {
			return st, errorf("Must set MinRate option if using timeout range")
		}
		n, err := parseNonNegative(val)
		st.Timeout = time.Duration(n) * time.Second
		return st, err
	}
	var err error
	if st.MinRate, err = parseNonNegative(rate); err != nil {
		return st, err
	}
	if st.MinRate == 0 {
		return st, errorf("Minimum data rate must be larger than 0")
	}
	first, maxStr, hasMax := strings.Cut(initial, "-")
	if hasMax {
		n, err := parseNonNegative(maxStr)
		if err != nil {
			return st, err
		}
		st.Max = time.Duration(n) * time.Second
	}
	n, err := parseNonNegative(first)
	if err != nil {
		return st, err
	}
	st.Timeout = time.Duration(n) * time.Second
	if st.Max != 0 && st.Timeout >= st.Max {
		return st, errorf("Maximum timeout must be larger than initial timeout")
	}
	return st, nil
}

// parseNonNegative is mod_reqtimeout's parse_int.
func parseNonNegative(s string) (int, error) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || (i == 1 && (s[0] == '-' || s[0] == '+')) {
		return 0, errorf("Value '%s' not numerical", s)
	}
	if i < len(s) {
		return 0, errorf("Cannot parse '%s'", s[i:])
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 1<<31 {
		return 0, errorf("Cannot parse '%s'", s)
	}
	if n < 0 {
		return 0, errorf("Value must be non-negative")
	}
	return n, nil
}
