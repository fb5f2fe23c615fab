// Package status renders a scoreboard snapshot as mod_status does: the HTML
// page, the machine-readable ?auto text, a terminal table and JSON; and as
// the Prometheus text exposition (Metrics, the `SetHandler metrics` page).
//
// It is used by the child's /server-status and /metrics handlers and by
// `eventmpm status`, which maps the scoreboard read-only and must work when
// every worker is busy, so it cannot live in child/. It imports only the
// standard library, eventmpm/shm, eventmpm/internal/version and, for
// Metrics, the Prometheus client library (client_golang's prometheus and
// common's expfmt).
//
// # Contract
//
// Every renderer takes a *shm.Snapshot and an *Info (what the scoreboard
// does not hold: the time, load averages, the request's server name and
// local IP; NewInfo fills the defaults) and appends to a caller's []byte
// (with a bytes.Buffer, pass buf.AvailableBuffer() and Write the result).
// They are plain appends, with no templates or reflection: HTML, ?auto and
// JSON allocate nothing beyond growing dst, so /server-status stays cheap
// under load. The terminal table uses text/tabwriter. Metrics goes through
// the client library's registry and encoder and allocates (about 400
// objects a scrape): it is built for a scrape every few seconds, not for
// load.
//
// Every string from the scoreboard or the request is escaped for its
// output: HTML escaping (after Apache's log-item escaping of control bytes)
// on the page, log-item escaping on the terminal, JSON string escaping in
// JSON.
//
// # Fidelity to mod_status (httpd 2.4.63, SPEC.md 5.3 and 5.4)
//
//   - Aggregation: BusyWorkers, GracefulWorkers and IdleWorkers count only
//     children with a pid that are not stopping; idle counts only the
//     current generation. Total Accesses, Total kBytes and Total Duration
//     add the slots that served something or are not Ready/Dead, with the
//     kB remainder carried. Processes, Stopping and Conns* sum the process
//     slots with a pid.
//   - Numbers: integers plain; floats as APR's %g (6 significant digits, no
//     leading zero: ".25", ".294382"); rates computed in C float as Apache
//     does, so the digits match; CPU times in whole clock ticks (1/100 s),
//     the parent's from the header plus each live child's, the children's
//     figures from the parent's reaped children.
//   - The scoreboard string leaves out Dead slots beyond ActiveDaemonsLimit
//     or ThreadsPerChild.
//
// Deliberate differences, each small:
//
//   - Process slots held by old generations are reported (SPEC.md 0): a
//     "Process slots: N of S in use, M held by old generations" line on the
//     page and the terminal, process_slots in JSON, and in ?auto two keys
//     after Scoreboard, where httpd's own status hooks already add lines,
//     so no parser of the standard keys is disturbed (AppendAuto).
//   - The per-process table shows a stopping child's threads (httpd shows
//     zeros for them), so a child stuck in G is visible in its row; the Sum
//     row adds the rows.
//   - CPULoad is left out while the uptime is 0 (httpd divides by zero).
//   - The PID Key without ExtendedStatus lists no Dead or hidden slots.
//   - The worker's CPU column shows its process's CPU time, which is what
//     httpd's per-worker times hold on Linux; SS is 0 for a slot never used.
package status
