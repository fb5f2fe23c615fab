// Package config reads eventmpm's httpd.conf-style configuration into an
// immutable, typed Config.
//
// It owns the lexer (file:line positions, quoting, continuation lines),
// Include/IncludeOptional, <IfModule>, <IfDefine>, Define and ${VAR}
// expansion, the one directive table (name, arity, context, setter, help),
// and the MPM clamping rules of SPEC.md 1.3 with Apache's warning texts and
// AH numbers. Errors carry the file and line and print as Apache's
// "AH00526: Syntax error on line N of FILE:".
//
// It imports only the standard library.
package config
