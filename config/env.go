package config

// This file is mod_env: SetEnv, UnsetEnv and PassEnv set the request
// variables that CustomLog env=, Header env=, Require env and %{VAR}e read.
// As in Apache, they apply after SetEnvIf (mod_env runs in the fixups
// hook), so SetEnvIf does not see them and they override it.

// EnvSetting is one SetEnv, UnsetEnv or PassEnv.
type EnvSetting struct {
	Name  string
	Value string
	Unset bool
}

func setSetEnv(w *walker, c *call) error {
	v := ""
	if len(c.args) == 2 {
		v = c.args[1]
	}
	w.srv.srv.Env = append(w.srv.srv.Env, EnvSetting{Name: c.args[0], Value: v})
	return nil
}

func setUnsetEnv(w *walker, c *call) error {
	for _, n := range c.args {
		w.srv.srv.Env = append(w.srv.srv.Env, EnvSetting{Name: n, Unset: true})
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
		w.srv.srv.Env = append(w.srv.srv.Env, EnvSetting{Name: n, Value: v})
	}
	return nil
}
