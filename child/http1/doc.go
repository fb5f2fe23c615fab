// Package http1 is eventmpm's HTTP/1.1 wire protocol, kept pure: a resumable
// request parser over a byte buffer with RFC 9112 limits, chunked body
// decoding, and the pieces of a response (status line, headers, Date cache,
// error pages). It owns no sockets and no files, so it can be fuzzed and
// tested byte for byte.
//
// Invariants:
//   - Parsing never allocates: a Request's fields alias the parsed buffer.
//   - Every malformed input gives a *ParseError carrying the status to send
//     (400, 413, 414, 431 is not used: Apache answers 400 for header limits,
//     501 for an unknown transfer coding); after a ParseError the connection
//     must be closed (RFC 9112 9.6, 11.2).
//
// It imports only the standard library.
package http1
