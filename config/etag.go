package config

import "strings"

// This file is core's FileETag: what a file's ETag is made of.

// ETagParts is a set of the parts of a file's ETag.
type ETagParts uint8

// The parts FileETag names; ETagNone sends no ETag.
const (
	ETagINode ETagParts = 1 << iota
	ETagMTime
	ETagSize
	ETagNone

	// ETagDefault is Apache 2.4's default, "MTime Size".
	ETagDefault = ETagMTime | ETagSize
	etagAll     = ETagINode | ETagMTime | ETagSize
)

// FileETag is one FileETag directive: the parts it names (Explicit, Parts)
// and those its "+Part" and "-Part" words add and remove (after the last
// named part; a named part wipes out the relative words before it).
type FileETag struct {
	Explicit    bool      `json:",omitempty"`
	Parts       ETagParts `json:",omitempty"`
	Add, Remove ETagParts `json:",omitempty"`
}

// ETagState is what the FileETag directives in effect have set, as
// Apache's core directory configuration holds it: the parts named, and
// those added and removed. The zero value is nothing set.
type ETagState struct {
	Bits, Add, Remove ETagParts
}

// With returns the state inside the context of f, as Apache's
// merge_core_dir_configs merges it: named parts replace everything; +/-
// words adjust what was added and removed, and clear a None.
func (s ETagState) With(f *FileETag) ETagState {
	switch {
	case f == nil:
		return s
	case f.Explicit:
		return ETagState{Bits: f.Parts, Add: f.Add, Remove: f.Remove}
	}
	if f.Add|f.Remove != 0 {
		s.Bits &^= ETagNone
	}
	s.Add = s.Add&^f.Remove | f.Add
	s.Remove = s.Remove&^f.Add | f.Remove
	return s
}

// Parts is what a file's ETag is made of under s, as ap_make_etag works
// it out: nothing set is Apache's default, MTime Size; with ETagNone among
// them there is no ETag.
func (s ETagState) Parts() ETagParts {
	p := s.Bits&^s.Remove | s.Add
	if p == 0 {
		return ETagDefault
	}
	return p
}

// FileETagOf returns a FileETag that sets the state s, for a virtual host
// that inherits the main server's.
func FileETagOf(s ETagState) *FileETag {
	return &FileETag{Explicit: true, Parts: s.Bits, Add: s.Add, Remove: s.Remove}
}

// setFileETag is FileETag in the server config, <VirtualHost> and
// <Directory> (set_etag_bits). Digest is refused: eventmpm makes no
// content digests. <Files> and <Location> are refused: eventmpm makes a
// file's ETag by its directory.
func setFileETag(w *walker, c *call) error {
	if w.sec != nil && w.sec.s.Kind != SectionDirectory {
		return errorf("FileETag in %s> is not supported by eventmpm: it makes a file's ETag by its directory; use <Directory>", c.sc.parent())
	}
	f := &FileETag{}
	for _, word := range c.args {
		action := byte('*')
		if word != "" && (word[0] == '+' || word[0] == '-') {
			action, word = word[0], word[1:]
		} else {
			// An absolute word wipes out the relative ones before it.
			f.Add, f.Remove = 0, 0
		}
		var part ETagParts
		switch strings.ToLower(word) {
		case "none", "all":
			if action != '*' {
				return errorf("FileETag keyword '%s' cannot be used with '+' or '-'", word)
			}
			part = ETagNone
			if strings.EqualFold(word, "all") {
				part = etagAll
			}
		case "size":
			part = ETagSize
		case "mtime", "lmtime", "lastmodified":
			part = ETagMTime
		case "inode":
			part = ETagINode
		case "digest":
			return errorf("FileETag Digest: eventmpm makes no content digests; use the file's INode, MTime and Size")
		default:
			return errorf("Unknown keyword '%s' for FileETag directive", word)
		}
		switch action {
		case '+':
			f.Add |= part
		case '-':
			f.Remove |= part
		default:
			f.Explicit = true
			f.Parts |= part
		}
	}
	if w.sec != nil {
		w.sec.s.FileETag = f
	} else {
		w.srv.srv.FileETag = f
	}
	return nil
}
