package config

// This file is mod_env: SetEnv, UnsetEnv and PassEnv set the request
// variables that CustomLog env=, Header env= and %{VAR}e read. As in
// Apache, they apply after SetEnvIf and the access checks (mod_env runs in
// the fixups hook): SetEnvIf and Require env do not see them, and a
// variable SetEnvIf has set keeps SetEnvIf's value.

// EnvSetting is one SetEnv, UnsetEnv or PassEnv.
type EnvSetting struct {
	Name  string
	Value string
	Unset bool
}

// envList is where the directive's settings go: the directory section's
// list inside one, else the server's.
func (w *walker) envList() *[]EnvSetting {
	if w.sec != nil {
		return &w.sec.s.Env
	}
	return &w.srv.srv.Env
}

func setSetEnv(w *walker, c *call) error {
	v := ""
	if len(c.args) == 2 {
		v = c.args[1]
	}
	list := w.envList()
	*list = append(*list, EnvSetting{Name: c.args[0], Value: v})
	return nil
}

func setUnsetEnv(w *walker, c *call) error {
	list := w.envList()
	for _, n := range c.args {
		*list = append(*list, EnvSetting{Name: n, Unset: true})
	}
	return nil
}

// setPassEnv copies variables of the server's own environment, read when
// the configuration is; Apache warns (AH01506) about one that is not set.
func setPassEnv(w *walker, c *call) error {
	for _, n := range c.args {
		v, ok := w.l.lookupEnv(n)
		if !ok {
			w.warn(c.pos, "AH01506", "PassEnv variable %s was undefined", n)
			continue
		}
		list := w.envList()
		*list = append(*list, EnvSetting{Name: n, Value: v})
	}
	return nil
}
