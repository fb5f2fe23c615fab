// Package http1 is eventmpm's HTTP/1.1 wire protocol, kept pure: a resumable
// request parser over a byte buffer with RFC 9112 limits, chunked body
// decoding, and the pieces of a response (status line, headers, Date cache,
// error pages). It owns no sockets and no files, so it can be fuzzed and
// tested byte for byte. It imports only the standard library.
//
// # Invariants
//
//   - Parsing never allocates: a Request's fields alias the parsed buffer,
//     and Request.Headers reuses its capacity. The response helpers append
//     to a caller's buffer. Tests with testing.AllocsPerRun hold this.
//   - Every malformed input gives a *ParseError carrying the status to send:
//     400 for syntax and for the header limits (as Apache; 431 is not
//     used), 414 for LimitRequestLine, 413 for LimitRequestBody, 501 for an
//     unknown transfer coding, 505 for an HTTP major version other than 1.
//   - Whole-buffer and byte-at-a-time parsing give the same verdict; total
//     work is linear in the head either way.
//
// # Decisions where the RFCs leave a choice
//
//   - A bare LF line terminator is refused (400), in the head, in chunk
//     lines and in trailers. RFC 9112 2.2 says a recipient MAY accept one;
//     Apache 2.4's default HttpProtocolOptions Strict refuses it, and a
//     server that reads terminators differently from a proxy in front of it
//     invites request smuggling.
//   - Up to 10 empty lines before the request line are skipped (RFC 9112
//     2.2; Apache's DEFAULT_LIMIT_BLANK_LINES); more get 400. A bare LF
//     counts as an empty line there: it is the stray LF some clients send
//     after a body, which Apache's check_pipeline eats between pipelined
//     requests as it eats CRLF, and it frames nothing.
//   - obs-fold, whitespace before a field's colon, control bytes (HTAB
//     allowed in values), a '#' or non-ASCII byte in the target, userinfo
//     in an absolute-form target, and an empty target host are all 400, as
//     in Apache's strict mode. Field values may carry obs-text.
//   - HTTP/1.x with x > 1 is processed as HTTP/1.1 (RFC 9110 6.2); any other
//     well-formed HTTP-version gets 505; a request line without a version
//     (HTTP/0.9) or with a malformed one gets 400.
//   - Transfer-Encoding: only chunked is implemented. Together with
//     Content-Length, or in an HTTP/1.0 request, it is 400 (RFC 9112 6.1
//     allows refusing; it closes a smuggling vector). When chunked is not
//     the final coding, or appears twice, the body length cannot be known:
//     400 (RFC 9112 6.3, rule 4), so "identity" and "chunked, identity" are
//     400. Chunked after codings we do not implement ("gzip, chunked",
//     "identity, chunked") is 501 (RFC 9112 6.1). Empty list elements are
//     ignored (RFC 9110 5.6.1).
//   - Content-Length: more than one value, in one field or several, is
//     400 even when they are the same number (RFC 9110 8.6 allows taking
//     them as one; Apache and nginx refuse them); a malformed one is 400.
//   - Host: an empty value is 400, as in Apache (RFC 9110 4.2.1: an http
//     URI with an empty host is invalid).
//   - Expect: "100-continue" (any case) sets Request.Expect100, but not in
//     HTTP/1.0 requests (RFC 9110 10.1.1); any other non-empty expectation
//     sets Request.ExpectOther and the server answers 417, as Apache does.
//   - Chunk extensions are parsed to their grammar (RFC 9112 7.1.1) and
//     ignored; trailer fields are checked like header fields and dropped.
//     Chunk-size lines and trailer lines are bounded by
//     LimitRequestFieldSize, trailer count by LimitRequestFields.
//   - Responses always say HTTP/1.1. Reason phrases are net/http's (RFC
//     9110) names, except Apache's "Request-URI Too Long" for 414. Error
//     pages are Apache 2.4.71's canned texts (its HTML 4.01 doctype; a
//     ParseError's Reason appears only where Apache's page has the same
//     text); every byte taken from a request is HTML-escaped.
//
// # Persistence
//
// Request.KeepAlive is the client's side of RFC 9112 9.3. The connection
// code closes the connection after the response when any of these holds:
// Parse returned a *ParseError (the framing of what follows cannot be
// trusted, RFC 9112 9.6 and 11.2); !Request.KeepAlive; the status is one
// that StatusDropsConnection reports (Apache's ap_status_drops_connection:
// 400, 408, 411, 413, 414, 500, 501, 503); the request body was neither
// read nor drained to its end (for example a 413 sent before reading, or
// Expect100 answered with a final status without reading the body); a
// ChunkedDecoder returned an error; KeepAlive Off or MaxKeepAliveRequests
// reached.
package http1
