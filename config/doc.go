// Package config reads eventmpm's httpd.conf-style configuration into an
// immutable, typed Config.
//
// It owns the lexer (file:line positions, quoting, continuation lines),
// Include/IncludeOptional, <IfModule>, <IfDefine>, Define and ${VAR}
// expansion, the one directive table (name, arity, context, setter, help),
// and the MPM clamping rules of SPEC.md 1.3 with Apache's warning texts and
// AH numbers. Errors carry the file and line and print as Apache's: one
// line, "eventmpm: Syntax error on line N of FILE: ...", for what the
// first pass finds (with the chain of Includes), and "AH00526: Syntax
// error on line N of FILE:" and the message for what the second finds.
//
// Reading follows Apache's two passes. The first (read.go, Apache's
// ap_build_config) reads files into a tree and runs the directives Apache
// runs while reading: Include, <IfModule>, <IfDefine>, Define, UnDefine,
// ServerRoot, LoadModule. The second (walk.go, ap_walk_config) applies
// every other directive in file order, through the table in directives.go;
// then the MPM limits are clamped and virtual hosts inherit what they do not
// set. So a ServerRoot applies to paths written before it, as in Apache.
//
// Invariants of a *Config returned by Load: every path is absolute; every
// MPM limit satisfies SPEC.md 1.3 (with B=1 and eventmpm's "clamp both");
// there is at least one listener; every string is valid UTF-8, so the JSON
// snapshot of Marshal is exact; virtual hosts are complete (nothing to
// merge at request time except the sections' own order).
//
// Where eventmpm deliberately differs from Apache, the setter says so:
// directives that mean nothing here (Mutex, ThreadStackSize, ...) are
// accepted with a warning; Options, Require, SetHandler and HostnameLookups accept only what eventmpm implements and name the rest;
// mod_alias is Alias and AliasMatch (ScriptAlias and ScriptAliasMatch are
// refused with the reason); LoadModule accepts only
// the modules eventmpm has built in.
//
// It imports only the standard library.
package config
