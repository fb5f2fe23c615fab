// Package static serves files from a DocumentRoot: safe path mapping,
// DirectoryIndex, conditional and range requests, and sendfile.
package static
